// Deterministic mail generator: the same mailbox and count always give the same messages, so demos and
// benchmarks are repeatable. It builds plain records in one pass and sorts the indexes once at the end,
// which is what makes 100,000 messages take well under a few seconds.
import { createHash } from 'node:crypto';
import { stableId } from './ids';
import { buildMessage as buildNewMessage } from './mail-ops';
import type { Folder, Mailbox } from './mailbox';
import type { MeetingMessageType } from './meetings';
import type { EmailAddress, Importance, MessageRecord } from './types';

const CONTACTS: EmailAddress[] = [
  { name: 'Dana Swope', address: 'dana.swope@contoso.test' },
  { name: 'Lee Gu', address: 'lee.gu@contoso.test' },
  { name: 'Megan Bowen', address: 'megan.bowen@fabrikam.test' },
  { name: 'Alex Wilber', address: 'alex.wilber@fabrikam.test' },
  { name: 'Priya Raman', address: 'priya.raman@northwind.test' },
  { name: 'Tomás Ortega', address: 'tomas.ortega@northwind.test' },
  { name: 'Yuki Tanaka', address: 'yuki.tanaka@adatum.test' },
  { name: 'Chen Wei', address: 'chen.wei@adatum.test' },
  { name: 'Contoso Billing', address: 'billing@contoso.test' },
  { name: 'GitHub', address: 'noreply@github.test' },
  { name: 'Travel Desk', address: 'travel@woodgrove.test' },
  { name: 'Olga Petrova', address: 'olga.petrova@litware.test' },
];

const TOPICS = [
  'Q3 budget review',
  'Lunch on Thursday?',
  'Invoice #{n} is ready',
  'Design sync notes',
  'Your flight to Lisbon',
  'Re: contract draft v{n}',
  'Weekly status: platform team',
  'Action required: security training',
  'Pull request #{n} was merged',
  'Offsite agenda',
  'Customer escalation: ticket {n}',
  'Holiday hours update',
  'Welcome to the team!',
  'Receipt for your order {n}',
  'Reminder: 1:1 tomorrow',
  'Fwd: conference slides',
  'Build failed on main',
  'Quarterly newsletter',
  'Re: hiring plan',
  'Expense report approved',
];

const SENTENCES = [
  'Thanks for the quick turnaround on this.',
  'Please find the details below.',
  'Let me know if Thursday still works for you.',
  'The numbers look better than last quarter.',
  'I have attached the latest version for review.',
  'Can we move the meeting to the afternoon?',
  'The new cafeteria is open on the second floor.',
  'We need a decision by the end of the week.',
  'Your booking reference is listed in the itinerary.',
  'Nothing urgent, just keeping you in the loop.',
  'The team agreed to ship the change next sprint.',
  'Reply to this message if anything looks wrong.',
];

const CATEGORIES = ['Blue category', 'Green category', 'Red category', 'Yellow category'];

/** mulberry32: tiny, fast and good enough for fixture data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 2025-06-01T00:00:00Z: seeded mail goes backwards in time from here, about 6.5 minutes apart. */
const BASE_MS = Date.UTC(2025, 5, 1);

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

interface FolderPick {
  folder: Folder;
  weight: number;
  kind: 'received' | 'sent' | 'draft';
}

function ensureUserFolders(mailbox: Mailbox): void {
  const inbox = mailbox.wellKnownFolder('inbox');
  const wanted = [
    { key: 'projects', displayName: 'Projects', parent: mailbox.rootId },
    { key: 'receipts', displayName: 'Receipts', parent: inbox.record.id },
  ];
  for (const w of wanted) {
    const id = stableId('AAMkAGUser', `${mailbox.identity.id}/${w.key}`, 18);
    if (!mailbox.folders.has(id))
      mailbox.addFolder({ id, displayName: w.displayName, parentFolderId: w.parent, isHidden: false });
  }
}

function folderPlan(mailbox: Mailbox): FolderPick[] {
  const user = (key: string) =>
    mailbox.folders.get(stableId('AAMkAGUser', `${mailbox.identity.id}/${key}`, 18))!;
  return [
    { folder: mailbox.wellKnownFolder('inbox'), weight: 0.58, kind: 'received' },
    { folder: mailbox.wellKnownFolder('sentitems'), weight: 0.12, kind: 'sent' },
    { folder: mailbox.wellKnownFolder('archive'), weight: 0.1, kind: 'received' },
    { folder: user('projects'), weight: 0.06, kind: 'received' },
    { folder: user('receipts'), weight: 0.04, kind: 'received' },
    { folder: mailbox.wellKnownFolder('deleteditems'), weight: 0.05, kind: 'received' },
    { folder: mailbox.wellKnownFolder('junkemail'), weight: 0.03, kind: 'received' },
    { folder: mailbox.wellKnownFolder('drafts'), weight: 0.02, kind: 'draft' },
  ];
}

/** Keyed on the address, so the same address and count give the same mail in every emulator instance. */
function seedKey(mailbox: Mailbox): string {
  return mailbox.identity.address.toLowerCase();
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function choosePlan(rand: () => number, plan: FolderPick[]): FolderPick {
  let r = rand();
  for (const p of plan) {
    r -= p.weight;
    if (r < 0) return p;
  }
  return plan[0];
}

interface SeedContext {
  mailbox: Mailbox;
  plan: FolderPick[];
  owner: EmailAddress;
  /** Conversation ids repeat; hashing each once saves most of the seeding time. */
  conversations: Map<number, string>;
}

function buildMessage(ctx: SeedContext, index: number): MessageRecord {
  const { mailbox, plan, owner } = ctx;
  const digest = createHash('sha256')
    .update(`${seedKey(mailbox)}/seed/${index}`)
    .digest();
  const rand = prng(digest.readUInt32LE(0));
  const where = choosePlan(rand, plan);
  const contact = pick(rand, CONTACTS);
  const from = where.kind === 'received' ? contact : owner;
  const to = where.kind === 'received' ? [owner] : [contact];
  const cc = rand() < 0.2 ? [pick(rand, CONTACTS)] : [];
  const subject = pick(rand, TOPICS).replace('{n}', String(1000 + (index % 9000)));
  const s1 = pick(rand, SENTENCES);
  const s2 = pick(rand, SENTENCES);
  const s3 = pick(rand, SENTENCES);
  const greeting = `Hi ${to[0].name.split(' ')[0]},`;
  const bodyHtml = `<html><body><p>${greeting}</p><p>${s1}</p><p>${s2}</p><p>${s3}</p><p>Best,<br>${from.name}</p></body></html>`;
  // Same text as previewOf(bodyHtml), built directly because stripping 100,000 bodies is slow.
  const preview = `${greeting} ${s1} ${s2} ${s3} Best, ${from.name}`.slice(0, 255);
  const receivedMs = BASE_MS - index * 390_000 - Math.floor(rand() * 60_000);
  const received = iso(receivedMs);
  const convIndex = index % Math.max(1, Math.floor(index / 3) + 1);
  let conversationId = ctx.conversations.get(convIndex);
  if (!conversationId) {
    conversationId = stableId('AAQkAGI2', `${seedKey(mailbox)}/conv/${convIndex}`, 18);
    ctx.conversations.set(convIndex, conversationId);
  }
  const importanceRoll = rand();
  const importance: Importance = importanceRoll < 0.08 ? 'high' : importanceRoll < 0.13 ? 'low' : 'normal';
  const isDraft = where.kind === 'draft';
  return {
    id: 'AAMkAGI2TG93AAA' + digest.subarray(4, 28).toString('base64url'),
    folderId: where.folder.record.id,
    seq: 0,
    changeKey: '',
    createdDateTime: received,
    lastModifiedDateTime: received,
    receivedDateTime: received,
    sentDateTime: iso(receivedMs - 2000),
    receivedMs,
    subject,
    bodyHtml,
    bodyPreview: preview,
    importance,
    isRead: isDraft || where.kind === 'sent' || rand() < 0.7,
    isDraft,
    hasAttachments: rand() < 0.15,
    from,
    to,
    cc,
    bcc: [],
    categories: rand() < 0.1 ? [pick(rand, CATEGORIES)] : [],
    flagStatus: rand() < 0.05 ? 'flagged' : 'notFlagged',
    internetMessageId: `<${digest.subarray(20, 32).toString('hex')}.${index}@contoso.test>`,
    conversationId,
    inferenceClassification: rand() < 0.8 ? 'focused' : 'other',
  };
}

/** Adds `count` generated messages after the ones seeded before. No notifications: seeding is set-up. */
export function seedMailbox(mailbox: Mailbox, count: number, startIndex: number): number {
  mailbox.ensureDefaultFolders();
  ensureUserFolders(mailbox);
  const ctx: SeedContext = {
    mailbox,
    plan: folderPlan(mailbox),
    owner: { name: mailbox.identity.displayName, address: mailbox.identity.address },
    conversations: new Map(),
  };
  mailbox.beginBulk();
  try {
    for (let i = 0; i < count; i++) mailbox.addMessage(buildMessage(ctx, startIndex + i), false);
  } finally {
    mailbox.endBulk();
  }
  return startIndex + count;
}

const DEMO_MEETINGS: { subject: string; type: MeetingMessageType; from: EmailAddress; inHours: number }[] = [
  { subject: 'Quarterly planning', type: 'meetingRequest', from: CONTACTS[0], inHours: 26 },
  { subject: 'Canceled: Design review', type: 'meetingCancelled', from: CONTACTS[2], inHours: 50 },
  { subject: 'Accepted: Customer sync', type: 'meetingAccepted', from: CONTACTS[4], inHours: 74 },
];

/**
 * A few meeting messages among the demo mailbox's mail (received just after the newest seeded message), so a
 * demo shows what a real Inbox holds. Deterministic like the rest of the seed; no notifications.
 */
export function addDemoMeetings(mailbox: Mailbox): void {
  const inbox = mailbox.wellKnownFolder('inbox');
  const owner = { name: mailbox.identity.displayName, address: mailbox.identity.address };
  DEMO_MEETINGS.forEach((m, i) => {
    const receivedMs = BASE_MS + (i + 1) * 600_000;
    const startMs = BASE_MS + m.inHours * 3_600_000;
    const message = buildNewMessage(inbox, {
      subject: m.subject,
      bodyHtml: `<html><body><p>${m.subject}</p></body></html>`,
      from: m.from,
      to: [owner],
      receivedMs,
      meeting: {
        messageType: m.type,
        startMs,
        endMs: startMs + 1_800_000,
        location: 'Room 4.12',
        isAllDay: false,
      },
    });
    message.id = stableId('AAMkAGI2TG93AAA', `${seedKey(mailbox)}/meeting/${i}`);
    mailbox.addMessage(message, false);
  });
}
