// pino options shared by the server and the CLI. Secrets and personal fields are
// redacted wherever they appear in a log object; request URLs are logged without
// their query string, which may carry tokens.
import pino, { type LoggerOptions } from 'pino';

// Database errors carry the offending values in detail/where (e.g. "Key (email)=(…)"): drop them.
const ERROR_FIELDS_WITH_DATA = ['detail', 'where', 'internalQuery', 'parameters', 'params'];
import type { LogLevel } from '../config.js';

export const REDACTED_KEYS = [
  'password',
  'new_password',
  'hashed_password',
  'token',
  'access_token',
  'refresh_token',
  'invite_token',
  'setup_token',
  'totp_code',
  'recovery_code',
  'secret',
  'totp_secret',
  'api_key',
  'key',
  'email',
  'first_name',
  'last_name',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
];

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        ...REDACTED_KEYS.map((k) => `["${k}"]`),
        ...REDACTED_KEYS.map((k) => `*["${k}"]`),
        ...REDACTED_KEYS.map((k) => `*.*["${k}"]`),
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { id: string; method: string; url: string; ip?: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error) => {
        const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
        for (const field of ERROR_FIELDS_WITH_DATA) delete out[field];
        return out;
      },
    },
  };
}
