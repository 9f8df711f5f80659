// The two id formats Graph serves for a message. The immutable id (Prefer: IdType="ImmutableId") is the
// record's id and never changes. The default REST id changes every time the message moves to another folder,
// so it is derived from (immutable id, move generation): reversible, so no id map has to be kept, and a
// default id from before a move resolves to a generation that no longer matches, which Graph answers with 404.
import type { MessageRecord } from './types';

export type IdType = 'immutable' | 'default';

/** Not a prefix of any immutable id (those start AAMkAG), so the two formats never collide. */
const DEFAULT_PREFIX = 'AAMkAD';
const GENERATION_BYTES = 4;

/** Real REST ids are URL-safe base64 with `=` padding; keeping the padding makes clients that mangle it fail here too. */
function urlSafeBase64(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function defaultIdOf(immutableId: string, moveGeneration: number): string {
  const payload = Buffer.alloc(GENERATION_BYTES + Buffer.byteLength(immutableId));
  payload.writeUInt32BE(moveGeneration >>> 0, 0);
  payload.write(immutableId, GENERATION_BYTES, 'utf8');
  return DEFAULT_PREFIX + urlSafeBase64(payload);
}

/** The id a response shows for `message` in the format the request asked for. */
export function messageIdFor(message: MessageRecord, idType: IdType): string {
  return idType === 'immutable' ? message.id : defaultIdOf(message.id, message.moveGeneration ?? 0);
}

export interface DecodedDefaultId {
  immutableId: string;
  moveGeneration: number;
}

/** Reads a default id back; undefined for anything that is not exactly what defaultIdOf produces. */
export function decodeDefaultId(id: string): DecodedDefaultId | undefined {
  if (!id.startsWith(DEFAULT_PREFIX) || id.length > 400) return undefined;
  const body = id.slice(DEFAULT_PREFIX.length);
  if (body.length % 4 !== 0 || !/^[A-Za-z0-9_-]+={0,2}$/.test(body)) return undefined;
  const payload = Buffer.from(body, 'base64url');
  if (payload.length <= GENERATION_BYTES) return undefined;
  const decoded = {
    moveGeneration: payload.readUInt32BE(0),
    immutableId: payload.subarray(GENERATION_BYTES).toString('utf8'),
  };
  // Only the canonical spelling is an id (Graph ids are case- and byte-exact).
  return defaultIdOf(decoded.immutableId, decoded.moveGeneration) === id ? decoded : undefined;
}

/** Finds a message by either id format; a default id minted before the message's latest move finds nothing. */
export function findByAnyId(
  messages: ReadonlyMap<string, MessageRecord>,
  id: string,
): MessageRecord | undefined {
  const direct = messages.get(id);
  if (direct) return direct;
  const decoded = decodeDefaultId(id);
  if (!decoded) return undefined;
  const message = messages.get(decoded.immutableId);
  return message && (message.moveGeneration ?? 0) === decoded.moveGeneration ? message : undefined;
}
