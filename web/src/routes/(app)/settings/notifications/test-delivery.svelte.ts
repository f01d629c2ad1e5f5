import { api, problemOf } from '$lib/api';
import { change } from '$lib/changes';
import { outcomeWords, type OutboxMessage } from '../../outbox/outbox';

/** How often, and how long, a test message is followed after it is queued. */
const POLL_MS = 1_000;
const GIVE_UP_MS = 20_000;

/**
 * A test message: queued by the API like any other message, then followed through the outbox until it is sent
 * or failed, so the button says what happened to it (and not only that it was queued).
 */
export class TestDelivery {
  busy = $state(false);
  /** What to tell the user; null before the first test. */
  said = $state<string | null>(null);
  failed = $state(false);
  /** The queued message, to open in the outbox. */
  outboxId = $state<string | null>(null);

  async send(body: { channel: 'email'; to?: string } | { endpointId: string }): Promise<void> {
    this.busy = true;
    this.failed = false;
    this.outboxId = null;
    this.said = 'Queuing the test message…';
    try {
      const { outboxId } = await change<{ outboxId: string }>('POST', '/api/notifications/test', body);
      this.outboxId = outboxId;
      this.said = 'Queued; waiting for it to be sent…';
      const last = await follow(outboxId);
      if (last === null || (last.status !== 'failed' && last.status !== 'sent' && !last.lastError)) {
        this.said = `Not sent after ${GIVE_UP_MS / 1_000} s: it stays queued, and the outbox shows when it goes.`;
      } else {
        this.failed = last.status !== 'sent';
        this.said = `${outcomeWords(last)}.`;
      }
    } catch (error) {
      this.failed = true;
      this.said = problemOf(error);
    } finally {
      this.busy = false;
    }
  }
}

async function follow(outboxId: string): Promise<OutboxMessage | null> {
  const deadline = Date.now() + GIVE_UP_MS;
  let last: OutboxMessage | null = null;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    last = await api<OutboxMessage>(fetch, `/api/outbox/${outboxId}`);
    // A first attempt that failed is worth saying at once: the retries come minutes apart.
    if (last.status === 'sent' || last.status === 'failed' || last.lastError) return last;
  }
  return last;
}
