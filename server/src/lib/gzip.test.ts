import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GzipError, gunzip, gunzipLayers, gzip } from './gzip.ts';

const json = Buffer.from('{"a":1}');

describe('gzip', () => {
  it('round-trips through gzip and gunzip', () => {
    expect(gunzip(gzip(json)).equals(json)).toBe(true);
    expect(gunzip(gzip('{"a":1}')).equals(json)).toBe(true);
  });

  it('peels up to two layers and counts them', () => {
    expect(gunzipLayers(json)).toEqual({ bytes: json, layers: 0 });
    expect(gunzipLayers(gzipSync(json))).toEqual({ bytes: json, layers: 1 });
    expect(gunzipLayers(new Uint8Array(gzipSync(gzipSync(json))))).toEqual({ bytes: json, layers: 2 });
  });

  it('refuses a third layer', () => {
    expect(() => gunzipLayers(gzipSync(gzipSync(gzipSync(json))))).toThrow(
      new GzipError('gzip data is nested more than 2 layers deep'),
    );
  });

  it('says whether a stream is truncated or corrupt', () => {
    const gz = gzipSync(json);
    expect(() => gunzip(gz.subarray(0, gz.length - 4))).toThrow(new GzipError('gzip data is truncated'));
    const corrupt = Buffer.concat([gz.subarray(0, 10), Buffer.alloc(40, 0xff)]);
    expect(() => gunzipLayers(corrupt)).toThrow(/^gzip data is corrupt: /);
  });
});
