import type { LoggerOptions } from 'pino';
import type { LogLevel } from './config.ts';

// Secrets never reach a log line: these paths are censored wherever they appear in a logged object.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-access-token"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.refreshToken',
  '*.refresh_token',
  '*.refresh_token_encrypted',
  '*.accessToken',
  '*.access_token',
  '*.clientSecret',
  '*.client_secret',
  '*.password',
  '*.appSecret',
  'config.appSecret',
  'config.spapi.clientSecret',
];

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}
