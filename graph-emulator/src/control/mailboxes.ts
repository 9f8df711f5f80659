// Control API for mailboxes and their mail: create, seed, deliver, update, move, delete, lifecycle events,
// delta-token expiry, grant revocation and counters. Mail changes go through the same mailbox methods as
// Graph, so they produce the same delta entries and notifications.
import { Router, type Request } from 'express';
import { folderExists } from '../graph/folders';
import { GraphError } from '../http/errors';
import { buildMessage } from '../store/mail-ops';
import { newEpoch, type Mailbox, type MessagePatch } from '../store/mailbox';
import { findByAnyId, messageIdFor } from '../store/message-ids';
import { seedMailbox } from '../store/seed';
import { previewOf } from '../store/text';
import type { ControlDeps } from './deps';
import {
  bulkMoveSchema,
  deliverSchema,
  deliveriesSchema,
  folderSchema,
  lifecycleSchema,
  mailboxSchema,
  meetingOf,
  moveSchema,
  parse,
  revokeSchema,
  seedSchema,
  updateSchema,
  type DeliverInput,
} from './mailbox-input';

export function mailboxSummary(mb: Mailbox): Record<string, unknown> {
  return {
    id: mb.identity.id,
    address: mb.identity.address,
    displayName: mb.identity.displayName,
    messages: mb.messages.size,
  };
}

export function mailboxControlRoutes(deps: ControlDeps): Router {
  const { state } = deps.ctx;
  const router = Router();

  function mailboxOf(req: Request): Mailbox {
    const mb = state.findMailbox(String(req.params.mailbox));
    if (!mb) throw new GraphError(404, 'ErrorInvalidUser', `No emulator mailbox '${req.params.mailbox}'.`);
    return mb;
  }

  function messageOf(mb: Mailbox, req: Request) {
    const msg = findByAnyId(mb.messages, String(req.params.id));
    if (!msg)
      throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    return msg;
  }

  function folderOf(mb: Mailbox, idOrName: string) {
    const folder = mb.resolveFolder(idOrName);
    if (!folder)
      throw new GraphError(404, 'ErrorItemNotFound', `No folder '${idOrName}' in ${mb.identity.address}.`);
    return folder;
  }

  router.get('/', (_req, res) => {
    res.json({ value: [...state.mailboxes.values()].map(mailboxSummary) });
  });

  router.post('/', (req, res) => {
    const input = parse(mailboxSchema, req.body);
    if (state.mailboxByAddress(input.address))
      throw new GraphError(409, 'Conflict', `Mailbox ${input.address} already exists.`);
    res.status(201).json(mailboxSummary(state.createMailbox(input)));
  });

  router.get('/:mailbox', (req, res) => {
    const mb = mailboxOf(req);
    const folders = [...mb.folders.values()].map((f) => ({
      id: f.record.id,
      displayName: f.record.displayName,
      wellKnownName: f.record.wellKnownName ?? null,
      parentFolderId: f.record.parentFolderId,
      totalItemCount: f.index.size,
      unreadItemCount: f.unread,
    }));
    res.json({ ...mailboxSummary(mb), folders });
  });

  router.post('/:mailbox/seed', (req, res) => {
    const mb = mailboxOf(req);
    const { messages } = parse(seedSchema, req.body);
    const started = process.hrtime.bigint();
    mb.seededCount = seedMailbox(mb, messages, mb.seededCount);
    state.dirty = true;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    res.json({ added: messages, total: mb.messages.size, ms: Math.round(ms) });
  });

  // A folder made after a client's first folder listing, as a user would in Outlook.
  router.post('/:mailbox/folders', (req, res) => {
    const mb = mailboxOf(req);
    const input = parse(folderSchema, req.body);
    const parentId = input.parent === undefined ? mb.rootId : folderOf(mb, input.parent).record.id;
    if (mb.hasChildNamed(parentId, input.displayName)) throw folderExists();
    const folder = mb.createUserFolder(parentId, input.displayName, input.isHidden);
    state.dirty = true;
    res.status(201).json({ id: folder.record.id, displayName: input.displayName, parentFolderId: parentId });
  });

  router.get('/:mailbox/folders/:folder/messages', (req, res) => {
    const mb = mailboxOf(req);
    const folder = folderOf(mb, String(req.params.folder));
    res.json({
      value: folder.index.page(0, folder.index.size, true).map((m) => ({
        id: m.id,
        defaultId: messageIdFor(m, 'default'),
        changeKey: m.changeKey,
        subject: m.subject,
        isRead: m.isRead,
        receivedDateTime: m.receivedDateTime,
        categories: m.categories,
        flagStatus: m.flagStatus,
        importance: m.importance,
        parentFolderId: m.folderId,
      })),
    });
  });

  function deliver(mb: Mailbox, input: DeliverInput) {
    const folder = folderOf(mb, input.folder);
    const owner = { name: mb.identity.displayName, address: mb.identity.address };
    const msg = buildMessage(folder, {
      ...input,
      from: { name: input.from.name || input.from.address, address: input.from.address },
      to: [owner],
      meeting: meetingOf(input),
    });
    mb.addMessage(msg);
    return { id: msg.id, folderId: msg.folderId, changeKey: msg.changeKey };
  }

  // Before '/:mailbox/…' routes can see it. Every mailbox is checked before any message is delivered.
  router.post('/deliveries', (req, res) => {
    const { messages } = parse(deliveriesSchema, req.body);
    const targets = messages.map(({ mailbox, ...input }) => {
      const mb = state.findMailbox(mailbox);
      if (!mb) throw new GraphError(404, 'ErrorInvalidUser', `No emulator mailbox '${mailbox}'.`);
      folderOf(mb, input.folder);
      return { mb, input };
    });
    res.status(201).json({ delivered: targets.map(({ mb, input }) => deliver(mb, input)) });
  });

  router.post('/:mailbox/messages', (req, res) => {
    res.status(201).json(deliver(mailboxOf(req), parse(deliverSchema, req.body)));
  });

  router.patch('/:mailbox/messages/:id', (req, res) => {
    const mb = mailboxOf(req);
    const msg = messageOf(mb, req);
    const patch: MessagePatch = parse(updateSchema, req.body);
    if (patch.bodyHtml !== undefined) patch.bodyPreview = previewOf(patch.bodyHtml);
    mb.update(msg, patch);
    res.json({ id: msg.id, changeKey: msg.changeKey });
  });

  // Every id is resolved before anything moves, so a bad id moves nothing.
  router.post('/:mailbox/messages/move', (req, res) => {
    const mb = mailboxOf(req);
    const { ids, destination } = parse(bulkMoveSchema, req.body);
    const folder = folderOf(mb, destination);
    const messages = [...new Set(ids)].map((id) => {
      const msg = findByAnyId(mb.messages, id);
      if (!msg)
        throw new GraphError(404, 'ErrorItemNotFound', `No message '${id}' in ${mb.identity.address}.`);
      return msg;
    });
    const moved = [...new Set(messages)].map((msg) => {
      mb.move(msg, folder);
      return { id: msg.id, folderId: msg.folderId, changeKey: msg.changeKey };
    });
    state.dirty = true;
    res.json({ moved });
  });

  router.post('/:mailbox/messages/:id/move', (req, res) => {
    const mb = mailboxOf(req);
    const msg = messageOf(mb, req);
    const { destination } = parse(moveSchema, req.body);
    mb.move(msg, folderOf(mb, destination));
    res.json({ id: msg.id, folderId: msg.folderId, changeKey: msg.changeKey });
  });

  router.delete('/:mailbox/messages/:id', (req, res) => {
    const mb = mailboxOf(req);
    const msg = messageOf(mb, req);
    if (req.query.soft === 'true') mb.move(msg, mb.wellKnownFolder('deleteditems'));
    else mb.hardDelete(msg);
    res.status(204).end();
  });

  router.post('/:mailbox/lifecycle', (req, res) => {
    const mb = mailboxOf(req);
    const { event, subscriptionId } = parse(lifecycleSchema, req.body);
    const targets = state
      .subscriptionsOf(mb.identity.id)
      .filter((s) => !subscriptionId || s.id === subscriptionId);
    if (subscriptionId && targets.length === 0)
      throw new GraphError(404, 'ResourceNotFound', 'The object was not found.');
    const sent = targets.filter((s) => deps.subscriptions.lifecycle(s.id, event)).length;
    res.json({ subscriptions: targets.length, sent });
  });

  router.post('/:mailbox/expire-delta-tokens', (req, res) => {
    const mb = mailboxOf(req);
    mb.deltaEpoch = newEpoch();
    state.dirty = true;
    res.json({ expired: true });
  });

  router.post('/:mailbox/revoke-grants', (req, res) => {
    const mb = mailboxOf(req);
    const { clientId } = parse(revokeSchema, req.body);
    let revoked = 0;
    for (const grant of state.grants.values()) {
      if (grant.mailboxId !== mb.identity.id || grant.revoked || (clientId && grant.clientId !== clientId))
        continue;
      grant.revoked = true;
      revoked++;
      deps.subscriptions.grantRevoked(grant.clientId, mb.identity.id);
    }
    state.dirty = true;
    res.json({ revoked });
  });

  router.get('/:mailbox/counters', (req, res) => {
    res.json(state.countersFor(mailboxOf(req).identity.id));
  });

  return router;
}
