import pino, { DestinationStream, Logger } from 'pino';

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

/** JSON lines to stdout, or to `destination` (tests capture what the app logs). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

export const LOGGER = Symbol('LOGGER');
