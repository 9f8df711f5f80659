import { z } from 'zod';

/**
 * The keyset of the last row of a page: its received time (microseconds, UTC; null sorts first under
 * DESC) and its row id. Opaque to clients (base64url JSON) but not secret: every query also filters by the
 * caller's user id, so a cursor copied from another user's rows only positions the caller in their own mail.
 */
export interface MailCursor {
  receivedAt: string | null;
  id: string;
}

// PostgreSQL timestamptz text as the list query renders it: 2025-01-02T03:04:05.123456Z
const receivedAt = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
// A bigint identity id: 1 to 19 digits, no sign, no leading zero.
const rowId = z.string().regex(/^[1-9]\d{0,18}$/);
const cursorJson = z.object({ r: receivedAt.nullable(), i: rowId }).strict();

/**
 * A date that exists: V8 rolls 2024-02-30 over to March 1st where PostgreSQL refuses it, so the fields are
 * checked against the instant they make.
 */
function isRealInstant(text: string): boolean {
  const [y, mo, d, h, mi, s] = text.match(/\d+/g)!.map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s
  );
}

export function encodeCursor(cursor: MailCursor): string {
  return Buffer.from(JSON.stringify({ r: cursor.receivedAt, i: cursor.id })).toString('base64url');
}

/** Strict: anything that encodeCursor could not have produced is rejected (null), never passed to SQL. */
export function decodeCursor(text: string): MailCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = cursorJson.safeParse(json);
  if (!parsed.success || (parsed.data.r !== null && !isRealInstant(parsed.data.r))) return null;
  if (BigInt(parsed.data.i) > 9223372036854775807n) return null;
  return { receivedAt: parsed.data.r, id: parsed.data.i };
}
