import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';
import { maskIdNumber, maskPhone } from './mask';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line in clear. */
const SECRET_KEYS = ['code', 'password', 'token', 'captchaAnswer', 'authorization', 'apiKey', 'secret'];
const PERSONAL_KEYS = ['idNumber', 'mobile', 'phone'];

function pathsFor(keys: string[]): string[] {
  // pino's redaction needs explicit paths: cover the key at the top and two levels down,
  // plus GraphQL variables and HTTP headers.
  return keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);
}

/**
 * JSON logger with redaction: secrets become `[REDACTED]`, ID numbers and phone numbers are
 * masked the way customers see them (`110105********3411`, `138****8000`).
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'kaihu-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          ...pathsFor(SECRET_KEYS),
          ...pathsFor(PERSONAL_KEYS),
          'req.headers.authorization',
          'req.headers.cookie',
        ],
        censor: (value: unknown, path: string[]) => {
          const key = path[path.length - 1] ?? '';
          if (typeof value !== 'string') return value === undefined ? undefined : '[REDACTED]';
          if (key === 'idNumber') return maskIdNumber(value);
          if (key === 'mobile' || key === 'phone') return maskPhone(value);
          return '[REDACTED]';
        },
      },
    },
    destination,
  );
}
