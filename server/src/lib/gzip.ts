import { gunzipSync, gzipSync } from 'node:zlib';

/** A gzip stream that cannot be decompressed. The message is one line, fit for a poll-run record or a CLI line. */
export class GzipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GzipError';
  }
}

// A gzip layer inside a gzip layer happens when a server adds Content-Encoding on top of an already gzipped
// object (docs#3200) and a client ignores the header; more than that is not a quirk any more but garbage.
const MAX_GZIP_LAYERS = 2;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gzip(bytes: Uint8Array | string): Buffer {
  return gzipSync(bytes);
}

/** Exactly one layer; throws GzipError when the stream is cut short or corrupt. */
export function gunzip(bytes: Uint8Array): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    // zlib reports a cut-off stream as Z_BUF_ERROR ("unexpected end of file").
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR')
      throw new GzipError('gzip data is truncated');
    throw new GzipError(`gzip data is corrupt: ${(error as Error).message}`);
  }
}

/**
 * Peels every gzip layer, found by the magic bytes rather than trusted from `compressionAlgorithm` or
 * Content-Type: Amazon has sent gzip without the flag and the flag without gzip. JSON text never starts with
 * 0x1f, so bytes that were never gzipped come back untouched with `layers: 0`.
 */
export function gunzipLayers(bytes: Uint8Array): { bytes: Buffer; layers: number } {
  let out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let layers = 0;
  while (isGzip(out)) {
    if (layers === MAX_GZIP_LAYERS)
      throw new GzipError(`gzip data is nested more than ${MAX_GZIP_LAYERS} layers deep`);
    out = gunzip(out);
    layers += 1;
  }
  return { bytes: out, layers };
}
