import { GzipError, gunzipLayers } from '../lib/gzip.ts';
import { MalformedDocumentError } from './errors.ts';

interface DecodedDocument {
  bytes: Buffer;
  compressed: boolean;
}

/**
 * Turns downloaded bytes into the document bytes. Amazon's `compressionAlgorithm` and Content-Type are both
 * unreliable for this report (docs/report-formats.md §(b)10, §(c) "Compression quirks"), so lib/gzip.ts goes
 * by the magic bytes. The content itself is not judged here: see errors.ts for where the parser takes over.
 */
export function decodeReportDocument(raw: Buffer): DecodedDocument {
  let decoded: { bytes: Buffer; layers: number };
  try {
    decoded = gunzipLayers(raw);
  } catch (err) {
    if (!(err instanceof GzipError)) throw err;
    throw new MalformedDocumentError(`download: ${err.message}`, { operation: 'download', raw });
  }
  if (decoded.bytes.length === 0) {
    throw new MalformedDocumentError('download: document is empty', { operation: 'download', raw });
  }
  return { bytes: decoded.bytes, compressed: decoded.layers > 0 };
}
