// Graph-looking ids. They are URL-safe (base64url, no padding) so they never need escaping in paths or in
// the `('id')` key syntax, and immutable: a record's id is its Prefer: IdType="ImmutableId" id, kept across
// moves. The default (mutable) REST ids Graph serves without that header are derived in message-ids.ts.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

/** Deterministic id from a stable key (seeding), so the same seed gives the same mailbox. */
export function stableId(prefix: string, key: string, bytes = 24): string {
  return prefix + b64url(createHash('sha256').update(key).digest().subarray(0, bytes));
}

export function randomId(prefix: string, bytes = 24): string {
  return prefix + b64url(randomBytes(bytes));
}

export function messageId(): string {
  return randomId('AAMkAGI2TG93AAA');
}

/** Unique per mailbox change (seq never repeats within a mailbox), cheap enough for bulk seeding. */
export function changeKey(seq: number): string {
  return 'CQAAABYAAAA' + b64url(Buffer.from(`ck${seq.toString(36).padStart(6, '0')}`));
}

export function guid(): string {
  return randomUUID();
}

export function opaqueToken(bytes = 48): string {
  return b64url(randomBytes(bytes));
}
