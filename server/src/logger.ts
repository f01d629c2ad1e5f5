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

/**
 * Query parameters that carry a secret in a URL Good Standing is sent to: Amazon's consent redirect brings the
 * authorization code and the flow's state (docs/oauth.md §2), and OAuth errors use the same names.
 */
const SECRET_QUERY_PARAMETERS = new Set([
  'spapi_oauth_code',
  'code',
  'state',
  'mws_auth_token',
  'access_token',
  'refresh_token',
]);

/** The URL as logged: every secret query value replaced, the rest untouched. */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined || !url.includes('?')) return url;
  const [path, query = ''] = url.split(/\?(.*)/s, 2);
  const parts = query.split('&').map((part) => {
    const name = part.split('=', 1)[0] ?? '';
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // a name that does not decode is logged as it came
    }
    return SECRET_QUERY_PARAMETERS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : part;
  });
  return `${path}?${parts.join('&')}`;
}

/** What Fastify hands the request serializer (its own default's fields). */
interface LoggedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}

/**
 * The server's logger: the same, with Fastify's own request serializer but the URL's secrets taken out, since
 * every request is logged with its URL.
 */
export function serverLoggerOptions(level: LogLevel): LoggerOptions {
  return {
    ...loggerOptions(level),
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        version: req.headers?.['accept-version'],
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
}
