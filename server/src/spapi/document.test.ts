import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeReportDocument } from './document.ts';
import { MalformedDocumentError } from './errors.ts';

const json = Buffer.from('{"performanceMetrics":[{"marketplaceId":"ATVPDKIKX0DER"}]}');

describe('decodeReportDocument', () => {
  it('gunzips gzip bytes whatever the metadata said', () => {
    expect(decodeReportDocument(gzipSync(json))).toEqual({ bytes: json, compressed: true });
  });

  it('passes plain bytes through', () => {
    expect(decodeReportDocument(json)).toEqual({ bytes: json, compressed: false });
  });

  it('unwraps a gzip layer added on top of a gzip document', () => {
    expect(decodeReportDocument(gzipSync(gzipSync(json)))).toEqual({ bytes: json, compressed: true });
  });

  it('rejects truncated gzip with MalformedDocumentError carrying the raw bytes', () => {
    const gz = gzipSync(json);
    const truncated = gz.subarray(0, Math.floor(gz.length / 2));
    let caught: unknown;
    try {
      decodeReportDocument(truncated);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MalformedDocumentError);
    expect((caught as MalformedDocumentError).raw.equals(truncated)).toBe(true);
    expect((caught as MalformedDocumentError).retryable).toBe(false);
  });

  it('rejects an empty document', () => {
    expect(() => decodeReportDocument(Buffer.alloc(0))).toThrow(MalformedDocumentError);
    expect(() => decodeReportDocument(gzipSync(Buffer.alloc(0)))).toThrow(MalformedDocumentError);
  });

  it('returns valid gzip of invalid JSON as bytes: judging content is the parser job', () => {
    const notJson = Buffer.from('{"performanceMetrics": [');
    expect(decodeReportDocument(gzipSync(notJson)).bytes.equals(notJson)).toBe(true);
  });
});
