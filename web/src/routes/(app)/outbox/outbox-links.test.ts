import { describe, expect, it } from 'vitest';
import { apiQuery, outboxHref, PAGE_SIZE, parseOutboxQuery } from './outbox-links';
import { outcomeWords, type OutboxMessage } from './outbox';

describe('the outbox address', () => {
  it('reads the filters it knows and drops the rest', () => {
    expect(parseOutboxQuery(new URLSearchParams('status=failed&channel=pigeon&kind=digest&page=x'))).toEqual({
      tab: 'failed',
      channel: null,
      kind: 'digest',
      page: 1,
    });
    expect(parseOutboxQuery(new URLSearchParams('status=sending')).tab).toBe('pending');
  });

  it('asks the API for the pending and the sending together', () => {
    expect(apiQuery(parseOutboxQuery(new URLSearchParams('')))).toBe(
      `status=pending%2Csending&page=1&pageSize=${PAGE_SIZE}`,
    );
    expect(apiQuery(parseOutboxQuery(new URLSearchParams('status=sent&channel=slack&page=2')))).toBe(
      `status=sent&channel=slack&page=2&pageSize=${PAGE_SIZE}`,
    );
  });

  it('leaves defaults out and goes back to the first page when a filter changes', () => {
    const query = parseOutboxQuery(new URLSearchParams('status=sent&kind=test&page=3'));
    expect(outboxHref(query, {})).toBe('/outbox?status=sent&kind=test');
    expect(outboxHref(query, { page: 4 })).toBe('/outbox?status=sent&kind=test&page=4');
    expect(outboxHref(query, { tab: 'pending', kind: null })).toBe('/outbox');
  });
});

describe("a test message's outcome", () => {
  const message = {
    status: 'sent',
    deliveredVia: 'outbox',
    lastError: null,
  } as OutboxMessage;

  it('says where a sent message went', () => {
    expect(outcomeWords(message)).toBe('Kept in the outbox (no SMTP server configured)');
    expect(outcomeWords({ ...message, deliveredVia: 'smtp' })).toBe('Sent');
    expect(outcomeWords({ ...message, status: 'failed', lastError: '550 no such user' })).toBe(
      'Failed: 550 no such user',
    );
  });
});
