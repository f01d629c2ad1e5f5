// Small HTTP helpers shared by the simulator's routes: one reply shape, Amazon's error bodies, body parsing.

import type { IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  /** Serialized as JSON unless it is a Buffer or a string (sent as is) or a Readable (streamed, chunked). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** The request as routes see it: already read, with the host (port stripped) and the parsed URL. */
export interface SimRequest {
  method: string;
  url: URL;
  host: string | undefined;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers: { 'content-type': 'application/json', ...headers } };
}

/** SP-API's error body: `{"errors":[{code,message,details}]}`. */
export function amazonError(status: number, code: string, message: string, details = ''): Reply {
  return json(status, { errors: [{ code, message, details }] });
}

export const QUOTA_EXCEEDED = (): Reply =>
  amazonError(429, 'QuotaExceeded', 'You exceeded your quota for the requested resource.');

export function invalidInput(message: string, details = ''): Reply {
  return amazonError(400, 'InvalidInput', message, details);
}

export function notFound(message: string): Reply {
  return amazonError(404, 'NotFound', message);
}

/** S3's XML error body, as the document host answers. */
export function s3Error(
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): Reply {
  const fields = Object.entries({ Code: code, Message: message, ...extra })
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  return {
    status,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields}</Error>`,
    headers: { 'content-type': 'application/xml' },
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const MAX_BODY_BYTES = 1_000_000;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON body, or undefined when it is empty or not JSON. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
