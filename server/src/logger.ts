import type { LoggerOptions } from 'pino';
import type { LogLevel } from './config.ts';

/** Keys whose values are secrets, under whatever object they are logged. */
const SECRET_KEYS = [
  'refreshToken',
  'refresh_token',
  'refresh_token_encrypted',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  'appSecret',
  'password',
  'password_hash',
  'csrf_token',
  'smtpUrl',
  'url_sealed',
  'signing_secret_sealed',
  'signingSecret',
];

/**
 * pino's `*` stands for exactly one level, so each depth needs its own path. Two levels covers what we log:
 * `{ account }`, `{ input: { app } }`, `{ config: { spapi } }`; deeper secrets have to be logged differently.
 */
const DEPTHS = ['', '*.', '*.*.'];

// Secrets never reach a log line: these paths are censored wherever they appear in a logged object.
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-access-token"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  ...DEPTHS.flatMap((prefix) => SECRET_KEYS.map((key) => `${prefix}${key}`)),
];

/** Secrets that travel in URLs: invite links, and the OAuth callback's one-time code and state. */
const SECRET_QUERY_PARAMS = new Set(['spapi_oauth_code', 'code', 'state', 'token']);

export function scrubUrl(url: string): string {
  const [pathname = '', query] = url.split('?', 2);
  const path = pathname.replace(/^(\/(?:api\/)?invites?\/)[^/?#]+/, '$1[redacted]');
  if (query === undefined) return path;
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (SECRET_QUERY_PARAMS.has(key)) params.set(key, '[redacted]');
  return `${path}?${params.toString()}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
  headers?: Record<string, unknown>;
}

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Fastify's fields, with the URL scrubbed; headers only when something logs them on purpose (redacted above).
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: typeof req.url === 'string' ? scrubUrl(req.url) : req.url,
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
        ...(req.headers && !('socket' in req) ? { headers: req.headers } : {}),
      }),
    },
  };
}
