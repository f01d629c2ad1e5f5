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

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}
