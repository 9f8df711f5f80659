import pino, { Logger } from 'pino';

/**
 * Paths that may carry secrets anywhere in a log line. Redacted rather than trusted to stay out: a
 * request body, a header or an error can carry a password or a token by accident.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'newPassword',
  'currentPassword',
  'accessToken',
  'refreshToken',
  'idToken',
  'clientSecret',
  'clientState',
  'token',
  'code',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.clientSecret',
  '*.client_secret',
  '*.clientState',
  '*.token',
];

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export const LOGGER = Symbol('LOGGER');
