// Snapshots as JSON lines: one record per line, so 100,000 messages stream to disk in chunks instead of
// building one huge string, and a half-written file is never picked up (write to a temp file, then rename).
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { DeltaLog, type DeltaRow } from './delta-log';
import { Mailbox } from './mailbox';
import type { EmulatorState, SigningKey } from './state';
import type {
  AppRecord,
  FolderRecord,
  GrantRecord,
  MailboxIdentity,
  MessageRecord,
  RefreshTokenRecord,
  SubscriptionRecord,
} from './types';

const VERSION = 1;

type Line =
  | { t: 'meta'; v: number; tenantId: string; signingKey: SigningKey; deltaSecret: string }
  | { t: 'app'; app: AppRecord }
  | {
      t: 'mailbox';
      identity: MailboxIdentity;
      seq: number;
      seededCount: number;
      deltaEpoch: number;
      folders: FolderRecord[];
      /** folder id → its newest delta generation (absent for 0 and in older snapshots) */
      deltaGenerations?: Record<string, number>;
    }
  | { t: 'msg'; mb: string; m: MessageRecord }
  | { t: 'log'; mb: string; folder: string; rows: DeltaRow[] }
  | { t: 'grant'; grant: GrantRecord }
  | { t: 'rt'; rt: RefreshTokenRecord }
  | { t: 'sub'; sub: SubscriptionRecord };

function* lines(state: EmulatorState): Generator<Line> {
  yield {
    t: 'meta',
    v: VERSION,
    tenantId: state.tenantId,
    signingKey: state.signingKey,
    deltaSecret: state.deltaSecret,
  };
  for (const app of state.apps.values()) yield { t: 'app', app };
  for (const mb of state.mailboxes.values()) {
    const folders = [...mb.folders.values()].map((f) => f.record);
    const deltaGenerations: Record<string, number> = {};
    for (const f of mb.folders.values())
      if (f.deltaGeneration > 0) deltaGenerations[f.record.id] = f.deltaGeneration;
    yield {
      t: 'mailbox',
      identity: mb.identity,
      seq: mb.seq,
      seededCount: mb.seededCount,
      deltaEpoch: mb.deltaEpoch,
      folders,
      deltaGenerations,
    };
    for (const m of mb.messages.values()) yield { t: 'msg', mb: mb.identity.id, m };
    for (const f of mb.folders.values())
      yield { t: 'log', mb: mb.identity.id, folder: f.record.id, rows: f.log.toJSON() };
  }
  for (const grant of state.grants.values()) yield { t: 'grant', grant };
  const now = Date.now();
  for (const rt of state.refreshTokens.values()) if (rt.expiresAt > now) yield { t: 'rt', rt };
  for (const sub of state.subscriptions.values()) yield { t: 'sub', sub };
}

export async function saveSnapshot(state: EmulatorState, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  let chunk = '';
  for (const line of lines(state)) {
    chunk += JSON.stringify(line) + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  renameSync(tmp, path);
  state.dirty = false;
}

/** Loads a snapshot into an empty state. Returns false when there is no snapshot file. */
export async function loadSnapshot(state: EmulatorState, path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const mailboxes: Mailbox[] = [];
  const reader = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  for await (const text of reader) {
    if (!text) continue;
    const line = JSON.parse(text) as Line;
    applyLine(state, line, mailboxes);
  }
  for (const mb of mailboxes) mb.endBulk();
  state.dirty = false;
  return true;
}

function applyLine(state: EmulatorState, line: Line, opened: Mailbox[]): void {
  switch (line.t) {
    case 'meta':
      if (line.v !== VERSION) throw new Error(`snapshot version ${line.v} is not supported`);
      state.tenantId = line.tenantId;
      state.signingKey = line.signingKey;
      state.deltaSecret = line.deltaSecret;
      return;
    case 'app':
      state.apps.set(line.app.clientId, line.app);
      return;
    case 'mailbox': {
      const mb = new Mailbox(line.identity);
      for (const f of line.folders) mb.addFolder(f).deltaGeneration = line.deltaGenerations?.[f.id] ?? 0;
      mb.seq = line.seq;
      mb.seededCount = line.seededCount;
      mb.deltaEpoch = line.deltaEpoch;
      mb.beginBulk();
      state.addMailbox(mb);
      opened.push(mb);
      return;
    }
    case 'msg':
      state.mailboxes.get(line.mb)?.restoreMessage(line.m);
      return;
    case 'log': {
      const folder = state.mailboxes.get(line.mb)?.folders.get(line.folder);
      if (folder) folder.log = DeltaLog.fromJSON(line.rows);
      return;
    }
    case 'grant':
      state.grants.set(line.grant.id, line.grant);
      return;
    case 'rt':
      state.refreshTokens.set(line.rt.token, line.rt);
      return;
    case 'sub':
      state.subscriptions.set(line.sub.id, line.sub);
      return;
  }
}
