import { QueryFailedError } from 'typeorm';

/** What a 503 caused by PostgreSQL tells the client: a restart or failover is over within seconds. */
export const POSTGRES_RETRY_AFTER_SECONDS = 2;

// Socket errors of a server that is down, restarting or unreachable.
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * The server, not the query, failed: no connection (refused, unreachable, timed out), or a connection lost,
 * whose server errors PostgreSQL files under classes 08 (connection exception) and 57 (operator intervention:
 * shutting down, starting up). Anything else is the statement's own error and stands.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const cause = error instanceof QueryFailedError ? error.driverError : error;
  const code = String((cause as { code?: unknown })?.code ?? '');
  if (code.startsWith('08') || code.startsWith('57') || SOCKET_ERRORS.has(code)) return true;
  const message = cause instanceof Error ? cause.message : '';
  // "…is not queryable": pg's answer for a query on a client whose connection died after it was checked out.
  return /timeout exceeded when trying to connect|Connection terminated|is not queryable|the database system is (starting up|shutting down)/i.test(
    message,
  );
}
