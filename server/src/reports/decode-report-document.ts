import { GzipError, gunzipLayers } from '../lib/gzip.ts';
import { isObject, describeValue } from './lenient-values.ts';
import { ReportFormatError } from './report-format-error.ts';

/** Report document bytes -> the JSON object inside. Gzip is still peeled here although the download already did
 * it, because `report:parse` is handed `.json.gz` files (and mislabelled `.json` ones) straight from an operator. */
export function decodeReportDocument(bytes: Buffer | Uint8Array | string): unknown {
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    let raw: Uint8Array;
    try {
      raw = gunzipLayers(bytes).bytes;
    } catch (error) {
      if (error instanceof GzipError) throw new ReportFormatError(error.message);
      throw error;
    }
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
