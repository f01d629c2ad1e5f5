import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeReportDocument, parseReportBytes, ReportFormatError } from './parse-seller-performance.ts';

const doc = { accountStatuses: [{ marketplaceId: 'ATVPDKIKX0DER', status: 'NORMAL' }], note: 'Müller ✓' };
const json = JSON.stringify(doc);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function failureOf(action: () => unknown): ReportFormatError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ReportFormatError);
    const failure = error as ReportFormatError;
    expect(failure.code).toBe('REPORT_MALFORMED');
    expect(failure.message).not.toMatch(/[\r\n]/);
    return failure;
  }
  throw new Error('expected a ReportFormatError');
}

describe('decodeReportDocument', () => {
  it('reads plain UTF-8 JSON from a Buffer, a Uint8Array and a string', () => {
    expect(decodeReportDocument(Buffer.from(json))).toEqual(doc);
    expect(decodeReportDocument(new Uint8Array(Buffer.from(json)))).toEqual(doc);
    expect(decodeReportDocument(json)).toEqual(doc);
  });

  it('gunzips by sniffing the magic bytes, whatever the compression flag said', () => {
    const gzipped = gzipSync(json);
    expect([gzipped[0], gzipped[1]]).toEqual([0x1f, 0x8b]);
    expect(decodeReportDocument(gzipped)).toEqual(doc);
    expect(decodeReportDocument(new Uint8Array(gzipped))).toEqual(doc);
  });

  it('gunzips a document gzipped twice', () => {
    expect(decodeReportDocument(gzipSync(gzipSync(json)))).toEqual(doc);
  });

  it('strips a byte order mark, plain or gzipped', () => {
    const withBom = Buffer.concat([BOM, Buffer.from(json)]);
    expect(decodeReportDocument(withBom)).toEqual(doc);
    expect(decodeReportDocument(gzipSync(withBom))).toEqual(doc);
    expect(decodeReportDocument(`\uFEFF${json}`)).toEqual(doc);
  });

  it('refuses truncated gzip', () => {
    const gzipped = gzipSync(json);
    expect(failureOf(() => decodeReportDocument(gzipped.subarray(0, gzipped.length - 6))).message).toBe(
      'gzip data is truncated',
    );
    expect(failureOf(() => decodeReportDocument(gzipped.subarray(0, 4))).message).toBe(
      'gzip data is truncated',
    );
  });

  it('refuses corrupt gzip', () => {
    const gzipped = gzipSync(json);
    const corrupt = Buffer.concat([gzipped.subarray(0, 10), Buffer.alloc(40, 0xff)]);
    expect(failureOf(() => decodeReportDocument(corrupt)).message).toMatch(/^gzip data is corrupt: /);
  });

  it('refuses invalid JSON with the parser reason on one line', () => {
    const failure = failureOf(() => decodeReportDocument(Buffer.from(json.slice(0, -1))));
    expect(failure.message).toMatch(/^report document is not valid JSON: /);
    expect(failureOf(() => decodeReportDocument('<?xml version="1.0"?>\n<report/>')).message).toMatch(
      /^report document is not valid JSON: /,
    );
  });

  it('refuses an empty document', () => {
    expect(failureOf(() => decodeReportDocument(Buffer.alloc(0))).message).toBe('report document is empty');
    expect(failureOf(() => decodeReportDocument(gzipSync(' \n'))).message).toBe('report document is empty');
  });

  it.each([
    ['[]', 'an array'],
    ['"x"', 'the string "x"'],
    ['42', 'number 42'],
    ['null', 'null'],
  ])('refuses non-object JSON %s', (text, got) => {
    expect(failureOf(() => decodeReportDocument(text)).message).toBe(
      `report document is not a JSON object (got ${got})`,
    );
    expect(failureOf(() => parseReportBytes(gzipSync(text))).message).toContain('not a JSON object');
  });
});

describe('parseReportBytes', () => {
  it('decodes and parses in one step', () => {
    const report = parseReportBytes(gzipSync(json));
    expect(report.marketplaces).toEqual([
      expect.objectContaining({ marketplaceId: 'ATVPDKIKX0DER', accountStatus: 'NORMAL' }),
    ]);
  });

  it('refuses JSON that is not a seller performance report', () => {
    expect(failureOf(() => parseReportBytes(Buffer.from('{"errors":[]}'))).message).toBe(
      'report document has neither performanceMetrics nor accountStatuses',
    );
  });
});
