import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

// Guards every API route shares, registered once on the /api scope.

/**
 * A web page elsewhere can make a browser POST a form (url-encoded, multipart or text/plain) to this API without
 * asking first; it cannot send `application/json`, or use PUT, PATCH or DELETE, cross-site without a CORS
 * preflight, which this API never grants. So a POST is JSON or nothing: a cross-site form cannot spend a seller's
 * quota.
 */
function requireJson(request: FastifyRequest): void {
  if (request.method !== 'POST') return;
  const type = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send a JSON body with content-type: application/json (an empty object {} when there is nothing to say)',
    );
  }
}

/** Where the first NUL character sits in a parsed value, if anywhere. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = nulPath(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/** Postgres refuses text with a NUL character; the client hears why instead of a 500. */
function refuseNul(request: FastifyRequest): void {
  const found =
    nulPath(request.params, 'params') ??
    nulPath(request.query, 'querystring') ??
    nulPath(request.body, 'body');
  if (found) {
    throw new AppError(
      'VALIDATION_FAILED',
      `invalid ${found.split(/[.[]/, 1)[0]}: ${found} contains a NUL character`,
      [{ path: found, message: 'contains a NUL character' }],
    );
  }
}

export function registerApiGuards(api: FastifyInstance): void {
  api.addHook('onRequest', async (request) => requireJson(request));
  api.addHook('preValidation', async (request) => refuseNul(request));
}
