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

/**
 * What a database error carries beside its message: the statement, its parameters (a whole page of mail,
 * bodies included, or a password hash), the driver's copy of both, and `detail`, which quotes the row's values
 * ("Key (email)=(a@b.test) already exists"). The code, constraint and table name what failed without them.
 */
const ERROR_FIELDS_NEVER_LOGGED = ['query', 'parameters', 'driverError', 'detail', 'where'];

/** pino's error serializer, minus the fields that copy user data into the log. */
export function serializeError(value: unknown): unknown {
  const serialized = pino.stdSerializers.err(value as Error) as unknown;
  if (serialized === null || typeof serialized !== 'object') return serialized;
  const kept: Record<string, unknown> = { ...(serialized as Record<string, unknown>) };
  for (const field of ERROR_FIELDS_NEVER_LOGGED) delete kept[field];
  if (kept.cause !== undefined) kept.cause = serializeError(kept.cause);
  return kept;
}

/**
 * An access log line names the path, never the query string: the OAuth redirect's carries the
 * authorization code and state, and a cursor or a search term is the user's business.
 */
export function serializeAccessRequest(req: Record<string, unknown>): Record<string, unknown> {
  const { query: _query, ...rest } = req;
  const url = typeof req.url === 'string' ? req.url.split('?')[0] : req.url;
  return { ...rest, url };
}

/** JSON lines to stdout, or to `destination` (tests capture what the app logs). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

export const LOGGER = Symbol('LOGGER');
