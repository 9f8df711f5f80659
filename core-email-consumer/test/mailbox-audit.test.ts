// The completeness audit against the real PostgreSQL and Redis cluster and a graph emulator of the test's own:
// the copy is changed behind the product's back (rows deleted, a fake row added, change keys and folders
// altered with SQL; messages changed at Graph with no notification), the audit runs, and the copy equals the
// emulator's ground truth with the counts recorded per folder. Handlers are driven directly (no consumer
// group); everything the audit publishes is captured, so no other consumer sees this test's mailbox.
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { register } from 'prom-client';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditMailboxMessage, TOPICS } from '@core-email/contracts';
import { MailboxLease, MicrosoftSettings, microsoftSettingsFrom } from '@core-email/platform';
import {
  EmulatorProcess,
  startEmulatorProcess,
  connectMailbox,
  ConnectedMailbox,
} from '@core-email/platform/testing';
import { AuditMailboxHandler } from '../src/audit/audit-mailbox.handler';
import { AuditScheduler } from '../src/audit/audit-scheduler';
import { AuditModule } from '../src/audit/audit.module';
import { MailAuditsRepository } from '../src/audit/mail-audits.repository';
import { MailboxSyncService } from '../src/sync/mailbox-sync.service';
import { assertMailboxExact, foldersOf } from './support/ground-truth';
import { Published, startFeatureContext, emulatorConsumerConfig } from './support/feature-context';
import { handlerContext, syncJob } from './support/sync-app';

let emulator: EmulatorProcess;
let app: INestApplicationContext;
let db: DataSource;
let handler: AuditMailboxHandler;
let box: ConnectedMailbox;
let settings: MicrosoftSettings;
let published: Published[];

before(async () => {
  emulator = await startEmulatorProcess({});
  const config = await emulatorConsumerConfig(emulator.url, {
    SUBSCRIPTION_SCHEDULER_ENABLED: 'false',
    AUDIT_SCHEDULER_ENABLED: 'false',
    AUDIT_PAGE_SIZE: '7', // several pages per folder: the nextLinks are followed
    AUDIT_MAX_PER_TICK: '1',
  });
  // Nothing reaches the broker: this mailbox lives in this test's emulator, which other consumers do not know.
  ({ app, published } = await startFeatureContext(AuditModule, config));
  db = app.get<DataSource>(getDataSourceToken());
  handler = app.get(AuditMailboxHandler);
  settings = microsoftSettingsFrom(config.env);
  box = await connectMailbox(db, settings, emulator.control);
  await emulator.control('POST', `/mailboxes/${box.address}/seed`, { messages: 60 });
  await app.get(MailboxSyncService).run(syncJob(box.userId, 'full'), handlerContext());
});

after(async () => {
  await app?.close();
  await emulator?.stop();
});

const control = (method: string, path: string, body?: unknown) =>
  emulator.control(method, `/mailboxes/${box.address}${path}`, body);

function job(reason: AuditMailboxMessage['reason'] = 'requested'): AuditMailboxMessage {
  return { userId: box.userId, reason, requestedAt: new Date().toISOString() };
}

interface AuditRow {
  folder_graph_id: string;
  stored: number;
  at_graph: number;
  missing: number;
  extra: number;
  stale: number;
  repaired: number;
  status: string;
  error: string | null;
}

/** The folders of the user's latest audit, by folder id. */
async function latestAudit(): Promise<Map<string, AuditRow>> {
  const rows = (await db.query(
    `SELECT folder_graph_id, stored, at_graph, missing, extra, stale, repaired, status, error
       FROM mail_audits WHERE user_id = $1
        AND audit_id = (SELECT audit_id FROM mail_audits WHERE user_id = $1 ORDER BY checked_at DESC, id DESC LIMIT 1)`,
    [box.userId],
  )) as AuditRow[];
  return new Map(rows.map((r) => [r.folder_graph_id, r]));
}

/** The value of a counter or gauge of this process's registry (what /metrics serves), for one label set. */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = register.getSingleMetric(name);
  if (!found) return 0;
  const { values } = await found.get();
  const match = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return match?.value ?? 0;
}

function total(audit: Map<string, AuditRow>, kind: 'missing' | 'extra' | 'stale' | 'repaired'): number {
  return [...audit.values()].reduce((sum, r) => sum + r[kind], 0);
}

async function storedIds(folderId: string): Promise<string[]> {
  const rows = (await db.query(
    `SELECT graph_id FROM emails WHERE user_id = $1 AND folder_graph_id = $2 ORDER BY graph_id`,
    [box.userId, folderId],
  )) as { graph_id: string }[];
  return rows.map((r) => r.graph_id);
}

/** The two folders of the mailbox holding the most messages. */
async function busiestFolders(): Promise<[string, string]> {
  const folders = await foldersOf(emulator.control, box.address);
  const [a, b] = [...folders].sort((x, y) => y.totalItemCount - x.totalItemCount);
  assert.ok(b.totalItemCount >= 3, 'the seed fills at least two folders');
  return [a.id, b.id];
}

test('an intact copy: every folder complete with its counts, and the mailbox proven complete', async () => {
  await handler.handle(job(), handlerContext());
  const audit = await latestAudit();
  const folders = await foldersOf(emulator.control, box.address);
  assert.equal(audit.size, folders.length, 'one row per folder of the mailbox');
  for (const f of folders) {
    const row = audit.get(f.id);
    assert.ok(row, `folder ${f.id} audited`);
    assert.equal(row.status, 'complete', `${f.id}: ${row.error}`);
    assert.equal(row.at_graph, f.totalItemCount);
    assert.equal(row.stored, f.totalItemCount);
    assert.deepEqual([row.missing, row.extra, row.stale, row.repaired], [0, 0, 0, 0]);
  }
  assert.equal(published.filter((p) => p.topic === TOPICS.syncEmail).length, 0, 'no sync needed');
});

test('rows deleted, added and altered behind the product’s back are found and repaired', async () => {
  const [inbox, other] = await busiestFolders();
  const inboxIds = await storedIds(inbox);
  const otherIds = await storedIds(other);
  const deleted = [...inboxIds.slice(0, 3), ...otherIds.slice(0, 2)];
  await db.query(`DELETE FROM emails WHERE user_id = $1 AND graph_id = ANY($2::text[])`, [
    box.userId,
    deleted,
  ]);
  const fake = `AAMkFake${randomUUID().replace(/-/g, '')}`;
  await db.query(
    `INSERT INTO emails (user_id, graph_id, folder_graph_id, subject, change_key) VALUES ($1, $2, $3, 'ghost', 'ck')`,
    [box.userId, fake, inbox],
  );
  const orphan = `AAMkOrphan${randomUUID().replace(/-/g, '')}`;
  await db.query(
    `INSERT INTO emails (user_id, graph_id, folder_graph_id, subject) VALUES ($1, $2, 'AAMkNoSuchFolder', 'lost')`,
    [box.userId, orphan],
  );
  const rekeyed = inboxIds.slice(3, 5);
  await db.query(
    `UPDATE emails SET change_key = 'stale-key', subject = 'stale' WHERE user_id = $1 AND graph_id = ANY($2::text[])`,
    [box.userId, rekeyed],
  );
  const misfiled = otherIds[2];
  await db.query(`UPDATE emails SET folder_graph_id = $3 WHERE user_id = $1 AND graph_id = $2`, [
    box.userId,
    misfiled,
    inbox,
  ]);
  published.length = 0;
  const kinds = ['missing', 'extra', 'stale', 'repaired'];
  const rowsBefore = await Promise.all(kinds.map((kind) => metric('core_email_audit_rows_total', { kind })));
  const repairedBefore = await metric('core_email_audits_total', { outcome: 'repaired' });

  await handler.handle(job(), handlerContext());

  await assertMailboxExact(db, emulator.control, box.address, box.userId);
  const audit = await latestAudit();
  assert.deepEqual(
    [total(audit, 'missing'), total(audit, 'extra'), total(audit, 'stale'), total(audit, 'repaired')],
    [5, 2, 3, 10],
  );
  const unknown = audit.get('AAMkNoSuchFolder');
  assert.deepEqual(
    [unknown?.extra, unknown?.repaired, unknown?.status],
    [1, 1, 'repaired'],
    'a row filed under a folder nobody has is audited too',
  );
  const rowsAfter = await Promise.all(kinds.map((kind) => metric('core_email_audit_rows_total', { kind })));
  assert.deepEqual(
    rowsAfter.map((n, i) => n - rowsBefore[i]),
    [5, 2, 3, 10],
    'counted in /metrics',
  );
  assert.equal(await metric('core_email_audits_total', { outcome: 'repaired' }), repairedBefore + 1);
  const provenAt = await metric('core_email_audit_last_complete_timestamp_seconds');
  assert.ok(Math.abs(provenAt - Date.now() / 1000) < 60, 'the last proof is now');
  const inboxRow = audit.get(inbox)!;
  assert.deepEqual(
    [inboxRow.missing, inboxRow.extra, inboxRow.stale, inboxRow.status],
    [3, 1, 2, 'repaired'],
  );
  const otherRow = audit.get(other)!;
  // The misfiled row counts where Graph lists it; it was stored in the inbox.
  assert.deepEqual([otherRow.missing, otherRow.stale, otherRow.status], [2, 1, 'repaired']);
  assert.equal(inboxRow.stored, inboxIds.length - 3 + 1 + 1, 'counted before the repair');
  for (const row of audit.values())
    if (![inbox, other, 'AAMkNoSuchFolder'].includes(row.folder_graph_id)) {
      assert.equal(row.status, 'complete');
    }
  const [restored] = (await db.query(`SELECT subject FROM emails WHERE user_id = $1 AND graph_id = $2`, [
    box.userId,
    rekeyed[0],
  ])) as { subject: string }[];
  assert.notEqual(restored.subject, 'stale', 'the stale row was rewritten from Graph');

  const notes = published.filter((p) => p.topic === TOPICS.notifyUserMutateEmail).map((p) => p.message);
  assert.equal(notes.length, 1, 'the owner’s dashboards hear of the repairs once');
  assert.deepEqual([...(notes[0].created as string[])].sort(), [...deleted].sort());
  assert.deepEqual([...(notes[0].deleted as string[])].sort(), [fake, orphan].sort());
  assert.deepEqual([...(notes[0].updated as string[])].sort(), [...rekeyed, misfiled].sort());

  await handler.handle(job(), handlerContext());
  assert.ok(
    [...(await latestAudit()).values()].every((r) => r.status === 'complete'),
    'the next one proves it',
  );
});

test('changes made at Graph with no notification: delivered, changed and deleted messages are repaired', async () => {
  const [inbox, other] = await busiestFolders();
  const delivered = (await control('POST', '/messages', {
    subject: 'no notification for me',
    bodyHtml: '<p>x</p>',
    from: { name: 'N', address: 'n@x.test' },
  })) as { id: string };
  const [changed, gone, moved] = await storedIds(inbox);
  await control('PATCH', `/messages/${encodeURIComponent(changed)}`, { isRead: true, flagStatus: 'flagged' });
  await control('DELETE', `/messages/${encodeURIComponent(gone)}`);
  await control('POST', `/messages/${encodeURIComponent(moved)}/move`, { destination: other });

  await handler.handle(job(), handlerContext());

  await assertMailboxExact(db, emulator.control, box.address, box.userId);
  const audit = await latestAudit();
  assert.deepEqual(
    [total(audit, 'missing'), total(audit, 'extra'), total(audit, 'stale'), total(audit, 'repaired')],
    [1, 1, 2, 4],
  );
  const rows = (await db.query(
    `SELECT graph_id, is_read, flag_status, subject FROM emails WHERE user_id = $1 AND graph_id = ANY($2::text[])`,
    [box.userId, [changed, delivered.id]],
  )) as { graph_id: string; is_read: boolean; flag_status: string; subject: string }[];
  const byId = new Map(rows.map((r) => [r.graph_id, r]));
  assert.deepEqual([byId.get(changed)?.is_read, byId.get(changed)?.flag_status], [true, 'flagged']);
  assert.equal(byId.get(delivered.id)?.subject, 'no notification for me');
});

test('the audit waits for the mailbox lease that a sync or real-time pass holds', async () => {
  const lease = app.get(MailboxLease);
  let released = 0;
  const holding = lease.hold(box.userId, async () => {
    await sleep(1_500);
    released = Date.now();
  });
  await sleep(100);
  await handler.handle(job(), handlerContext());
  await holding;
  const [{ checked }] = (await db.query(
    `SELECT max(checked_at) AS checked FROM mail_audits WHERE user_id = $1`,
    [box.userId],
  )) as { checked: Date }[];
  assert.ok(released > 0 && checked.getTime() >= released - 50, 'recorded only after the lease was freed');
});

test('the scheduler queues a mailbox once its interval has passed, and not again until the next', async () => {
  await db.query(
    `UPDATE outlook_accounts SET connected_at = now() - interval '20 years' WHERE user_id = $1`,
    [box.userId],
  );
  await db.query(`UPDATE mail_audits SET checked_at = now() - interval '20 years' WHERE user_id = $1`, [
    box.userId,
  ]);
  await db.query(`DELETE FROM mail_audit_mailboxes WHERE user_id = $1`, [box.userId]);
  const scheduler = app.get(AuditScheduler);
  published.length = 0;
  let queued: string[] = [];
  // Another consumer's scheduler may hold the lock for a moment.
  for (let i = 0; i < 50 && queued.length === 0; i++) {
    queued = await scheduler.tick();
    if (queued.length === 0) await sleep(100);
  }
  assert.deepEqual(queued, [box.userId], 'the longest-waiting mailbox, one per tick here');
  const jobs = published.filter((p) => p.topic === TOPICS.auditMailbox);
  assert.deepEqual(
    jobs.map((j) => [j.message.userId, j.message.reason]),
    [[box.userId, 'scheduled']],
  );
  const due = await app.get(MailAuditsRepository).dueMailboxes(24, 100_000);
  assert.ok(!due.includes(box.userId), 'queued once per interval');
});

test('a folder created after the sync: not proven (its message missing, left to the sync), and a sync requested', async () => {
  // The user makes a folder in Outlook (the product's token is read-only).
  const created = (await control('POST', '/folders', { displayName: 'Made later' })) as { id: string };
  await control('POST', '/messages', {
    subject: 'in the new folder',
    bodyHtml: '<p>x</p>',
    from: { name: 'N', address: 'n@x.test' },
    folder: created.id,
  });
  published.length = 0;
  await handler.handle(job(), handlerContext());
  const row = (await latestAudit()).get(created.id);
  assert.ok(row, 'the new folder is audited');
  assert.deepEqual([row.at_graph, row.missing, row.repaired, row.status], [1, 1, 0, 'failed']);
  assert.match(row.error ?? '', /not in the copy yet/);
  const syncs = published.filter((p) => p.topic === TOPICS.syncEmail).map((p) => p.message);
  assert.deepEqual(
    syncs.map((m) => [m.userId, m.mode, m.reason]),
    [[box.userId, 'incremental', 'audit']],
  );
});

test('a mailbox whose grant was revoked: the audit is recorded failed with the reason, not retried', async () => {
  await control('POST', '/revoke-grants', {});
  await db.query(
    `UPDATE outlook_accounts SET access_token_expires_at = now() - interval '1 minute' WHERE user_id = $1`,
    [box.userId],
  );
  await handler.handle(job(), handlerContext()); // resolves: nothing to retry
  const audit = await latestAudit();
  assert.ok(audit.size > 0);
  for (const row of audit.values()) {
    assert.equal(row.status, 'failed');
    assert.equal(row.error, 'reauth_required');
  }
});

test('a mailbox not synced yet: nothing recorded, and the request it answered is cleared', async () => {
  const fresh = await connectMailbox(db, settings, emulator.control);
  await db.query(`INSERT INTO mail_audit_mailboxes (user_id, requested_at) VALUES ($1, now())`, [
    fresh.userId,
  ]);
  await handler.handle({ ...job(), userId: fresh.userId }, handlerContext());
  const [state] = (await db.query(`SELECT requested_at FROM mail_audit_mailboxes WHERE user_id = $1`, [
    fresh.userId,
  ])) as { requested_at: Date | null }[];
  assert.equal(state.requested_at, null);
  const rows = (await db.query(`SELECT 1 FROM mail_audits WHERE user_id = $1`, [fresh.userId])) as unknown[];
  assert.equal(rows.length, 0);
});
