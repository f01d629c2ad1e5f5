import { gunzipSync } from 'node:zlib';
import { isObject, describeValue } from './lenient-values.ts';
import { ReportFormatError } from './report-format-error.ts';

// A client that ignored `Content-Encoding: gzip` (docs#3200) hands over gzip inside gzip; JSON text never starts
// with 0x1f, so peeling a few layers is safe.
const MAX_GZIP_LAYERS = 3;

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    // zlib reports a cut-off stream as Z_BUF_ERROR ("unexpected end of file").
    if ((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR')
      throw new ReportFormatError('gzip data is truncated');
    throw new ReportFormatError(`gzip data is corrupt: ${(error as Error).message}`);
  }
}

/** Report document bytes -> the JSON object inside. Gzip is sniffed from the magic bytes rather than trusted from
 * `compressionAlgorithm`, because Amazon has sent gzip without the flag and the flag without gzip. */
export function decodeReportDocument(bytes: Buffer | Uint8Array | string): unknown {
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    let raw = bytes;
    for (let layer = 0; layer < MAX_GZIP_LAYERS && isGzip(raw); layer++) raw = gunzip(raw);
    // The Content-Type charset is unreliable; Amazon's documents are UTF-8. An invalid byte becomes U+FFFD inside
    // a string value instead of failing the whole report.
    text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(raw);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new ReportFormatError('report document is empty');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ReportFormatError(`report document is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(doc))
    throw new ReportFormatError(`report document is not a JSON object (got ${describeValue(doc)})`);
  return doc;
}
