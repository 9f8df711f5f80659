// Self-contained, HMAC-signed delta state: the skiptoken/deltatoken carry where a round stands, so links keep
// working across emulator restarts (the key is in the snapshot) and anything tampered with, from another
// mailbox or folder, from before "expire delta tokens" or from an evicted generation gets 410
// SyncStateNotFound. The page size is deliberately not in here: Graph applies each request's own Prefer.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { graphErrors } from '../http/errors';

export interface DeltaState {
  /** mailbox id, folder id, mailbox delta epoch */
  mb: string;
  f: string;
  ep: number;
  /** changes after `s` and up to `e` belong to this round; `c` is the cursor inside it */
  s: number;
  e: number;
  c: number;
  /** initial round (omits removals) */
  i: 0 | 1;
  /** the folder's delta generation this link belongs to (see Folder.deltaGeneration) */
  g?: number;
  sel?: string[];
  /** remaining items allowed by $top in this round, and the $top of every round */
  top?: number;
  tt?: number;
  /** receivedDateTime lower bound in ms, and whether it is inclusive */
  rf?: number;
  rfi?: 0 | 1;
  /** changeType filter */
  ct?: string;
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, 16).toString('base64url');
}

export function encodeDeltaToken(state: DeltaState, secret: string): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export function decodeDeltaToken(token: string, secret: string): DeltaState {
  const [payload, signature] = token.split('.');
  if (!payload || !signature || signature.length > 64)
    throw graphErrors.syncStateNotFound('generation=unknown;');
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw graphErrors.syncStateNotFound('generation=unknown;');
  }
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DeltaState;
  } catch {
    throw graphErrors.syncStateNotFound('generation=unknown;');
  }
}
