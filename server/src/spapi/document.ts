import { gunzipSync } from 'node:zlib';
import { MalformedDocumentError } from './errors.ts';

export interface DecodedDocument {
  bytes: Buffer;
  compressed: boolean;
}

// A gzip layer inside a gzip layer happens when a server adds Content-Encoding on top of an already gzipped
// object; more than that is not a quirk any more but garbage.
const MAX_GZIP_LAYERS = 2;

/**
 * Turns downloaded bytes into the document bytes. Amazon's `compressionAlgorithm` and Content-Type are both
 * unreliable for this report (report-formats.md (b)10, (c) "Compression quirks"), so the gzip magic bytes
 * decide. The content itself is not judged here: see errors.ts for where the parser takes over.
 */
export function decodeReportDocument(raw: Buffer): DecodedDocument {
  let bytes = raw;
  let layers = 0;
  while (isGzip(bytes) && layers < MAX_GZIP_LAYERS) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      const why = err instanceof Error ? err.message : 'invalid gzip data';
      throw new MalformedDocumentError(`download: gzip document cannot be decompressed (${why})`, {
        operation: 'download',
        raw,
      });
    }
    layers += 1;
  }
  if (bytes.length === 0) {
    throw new MalformedDocumentError('download: document is empty', { operation: 'download', raw });
  }
  return { bytes, compressed: layers > 0 };
}

export function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
