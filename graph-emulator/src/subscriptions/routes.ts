// /v1.0/subscriptions: create (201 after the validation handshake), list, get, renew (PATCH), delete and
// reauthorize. An app sees only its own subscriptions on the signed-in mailbox.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requestOrigin, type AppContext } from '../context';
import { GraphError } from '../http/errors';
import { requireScope } from '../graph/auth';
import { parseBody } from '../graph/body';
import { parsePrefer } from '../graph/odata';
import { callerOf } from '../graph/caller';
import { findFolder } from '../graph/lookup';
import { sendGraph } from '../graph/respond';
import type { SubscriptionRecord } from '../store/types';
import { accessTokenExpiry } from './caller-token';
import { parseResource } from './resource';
import type { SubscriptionService } from './service';

const createSchema = z
  .object({
    changeType: z.string().min(1).max(100),
    notificationUrl: z.string().min(1).max(2048),
    resource: z.string().min(1).max(1000),
    expirationDateTime: z.string().min(1).max(64),
    clientState: z.string().max(128, 'clientState must be at most 128 characters').nullable().optional(),
    lifecycleNotificationUrl: z.string().min(1).max(2048).nullable().optional(),
    latestSupportedTlsVersion: z.enum(['v1_0', 'v1_1', 'v1_2', 'v1_3']).optional(),
    includeResourceData: z.boolean().nullable().optional(),
    encryptionCertificate: z.string().nullable().optional(),
    encryptionCertificateId: z.string().nullable().optional(),
    notificationQueryOptions: z.string().nullable().optional(),
    notificationUrlAppId: z.string().nullable().optional(),
    '@odata.type': z.literal('#microsoft.graph.subscription').optional(),
  })
  .strict();

const patchSchema = z
  .object({
    expirationDateTime: z.string().min(1).max(64).optional(),
    notificationUrl: z.string().min(1).max(2048).optional(),
  })
  .strict();

const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);

function parseChangeType(raw: string): string {
  const parts = raw.split(',').map((s) => s.trim());
  for (const p of parts)
    if (!CHANGE_TYPES.has(p))
      throw new GraphError(400, 'InvalidRequest', `Invalid 'changeType' attribute: '${p}'.`);
  if (new Set(parts).size !== parts.length)
    throw new GraphError(400, 'InvalidRequest', `Invalid 'changeType' attribute: '${raw}'.`);
  return parts.join(',');
}

function subscriptionJson(
  ctx: AppContext,
  req: Request,
  s: SubscriptionRecord,
  withContext = true,
): Record<string, unknown> {
  return {
    ...(withContext
      ? { '@odata.context': `${requestOrigin(ctx, req)}/v1.0/$metadata#subscriptions/$entity` }
      : {}),
    id: s.id,
    resource: s.resource,
    applicationId: s.applicationId,
    changeType: s.changeType,
    clientState: s.clientState,
    notificationUrl: s.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl,
    expirationDateTime: s.expirationDateTime,
    creatorId: s.creatorId,
    includeResourceData: null,
    latestSupportedTlsVersion: s.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

export function subscriptionRoutes(ctx: AppContext, service: SubscriptionService): Router {
  const router = Router();
  const tokenExpiry = (req: Request): number =>
    accessTokenExpiry(req, Date.now() + ctx.config.accessTokenLifetimeSeconds * 1000);

  function visible(req: Request, res: Response): SubscriptionRecord {
    const caller = callerOf(res);
    const sub = ctx.state.subscriptions.get(String(req.params.id));
    if (!sub || sub.applicationId !== caller.clientId || sub.mailboxId !== caller.mailbox.identity.id) {
      throw new GraphError(404, 'ResourceNotFound', 'The object was not found.');
    }
    return sub;
  }

  router.post('/', async (req, res) => {
    const caller = callerOf(res);
    const input = parseBody(req, createSchema, 'microsoft.graph.subscription');
    requireScope(caller, 'read');
    if (input.includeResourceData) {
      throw new GraphError(
        400,
        'InvalidRequest',
        'includeResourceData requires encryptionCertificate and encryptionCertificateId; the emulator supports basic notifications only.',
      );
    }
    const changeType = parseChangeType(input.changeType);
    const ref = parseResource(input.resource);
    const mailbox = caller.mailbox;
    if (
      ref.user !== 'me' &&
      ref.user !== mailbox.identity.id &&
      ref.user.toLowerCase() !== mailbox.identity.address.toLowerCase()
    ) {
      throw new GraphError(
        403,
        'ExtensionError',
        'Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied to the requested resource.]',
      );
    }
    const folderId = ref.folder === undefined ? undefined : findFolder(mailbox, ref.folder).record.id;
    service.checkUrl(input.notificationUrl, 'notificationUrl');
    if (input.lifecycleNotificationUrl)
      service.checkUrl(input.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const expirationDateTime = service.expiryFor(input.expirationDateTime);
    service.checkCapacity(mailbox);
    await service.validate([
      input.notificationUrl,
      ...(input.lifecycleNotificationUrl ? [input.lifecycleNotificationUrl] : []),
    ]);
    // Only a subscription created with Prefer: IdType="ImmutableId" gets immutable ids in its notifications.
    const { idType } = parsePrefer(req);
    const sub = service.add({
      mailboxId: mailbox.identity.id,
      applicationId: caller.clientId,
      resource: input.resource,
      folderId,
      changeType,
      clientState: input.clientState ?? null,
      notificationUrl: input.notificationUrl,
      lifecycleNotificationUrl: input.lifecycleNotificationUrl ?? null,
      expirationDateTime,
      latestSupportedTlsVersion: input.latestSupportedTlsVersion ?? 'v1_2',
      creatorId: mailbox.identity.id,
      idType,
      accessTokenExpiresAt: tokenExpiry(req),
    });
    sendGraph(
      res,
      201,
      subscriptionJson(ctx, req, sub),
      idType === 'immutable' ? ['IdType="ImmutableId"'] : [],
    );
  });

  router.get('/', (req, res) => {
    const caller = callerOf(res);
    const mine = ctx.state
      .subscriptionsOf(caller.mailbox.identity.id)
      .filter((s) => s.applicationId === caller.clientId);
    sendGraph(res, 200, {
      '@odata.context': `${requestOrigin(ctx, req)}/v1.0/$metadata#subscriptions`,
      value: mine.map((s) => subscriptionJson(ctx, req, s, false)),
    });
  });

  router.get('/:id', (req, res) => sendGraph(res, 200, subscriptionJson(ctx, req, visible(req, res))));

  router.patch('/:id', async (req, res) => {
    const sub = visible(req, res);
    const input = parseBody(req, patchSchema, 'microsoft.graph.subscription');
    const expiry = input.expirationDateTime ? service.expiryFor(input.expirationDateTime) : undefined;
    if (input.notificationUrl && input.notificationUrl !== sub.notificationUrl) {
      service.checkUrl(input.notificationUrl, 'notificationUrl');
      await service.validate([input.notificationUrl]);
      sub.notificationUrl = input.notificationUrl;
    }
    if (expiry) service.renewed(sub, expiry);
    // Renewing with a token from a live grant also counts as reauthorization.
    const caller = callerOf(res);
    if (ctx.state.findGrant(caller.clientId, caller.mailbox.identity.id))
      service.reauthorized(sub, tokenExpiry(req));
    ctx.state.dirty = true;
    sendGraph(res, 200, subscriptionJson(ctx, req, sub));
  });

  router.delete('/:id', (req, res) => {
    service.remove(visible(req, res).id);
    res.status(204).end();
  });

  router.post('/:id/reauthorize', (req, res) => {
    const sub = visible(req, res);
    const caller = callerOf(res);
    if (!ctx.state.findGrant(caller.clientId, caller.mailbox.identity.id)) {
      throw new GraphError(
        403,
        'ErrorAccessDenied',
        'Access is denied. The grant for this application was revoked.',
      );
    }
    service.reauthorized(sub, tokenExpiry(req));
    res.status(204).end();
  });

  return router;
}
