// /__emulator: health (open), then the guarded control API: apps, mailboxes, faults (Graph and token
// endpoint), throttling, counters, subscriptions, snapshot and reset.
import express, { Router } from 'express';
import { z } from 'zod';
import { GraphError } from '../http/errors';
import { DEFAULT_APP } from '../store/state';
import { faultSchema } from '../throttle/faults';
import { tokenFaultSchema } from '../throttle/token-faults';
import type { ControlDeps } from './deps';
import { controlGuard } from './guard';
import { parse } from './mailbox-input';
import { mailboxControlRoutes } from './mailboxes';

const appSchema = z
  .object({
    clientId: z.string().trim().min(1).max(100),
    clientSecret: z.string().min(1).max(500),
    redirectUris: z.array(z.string().url()).min(1).max(100),
    displayName: z.string().trim().min(1).max(200).default('Registered app'),
  })
  .strict();

const throttleSchema = z
  .object({
    concurrency: z.number().int().min(1).max(1000),
    windowRequests: z.number().int().min(1).max(10_000_000),
    windowSeconds: z.number().int().min(1).max(86400),
    retryAfterSeconds: z.number().min(0).max(3600),
  })
  .partial()
  .strict();

export function controlRoutes(deps: ControlDeps): Router {
  const { ctx } = deps;
  const { state } = ctx;
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  router.use(controlGuard(ctx.config.controlToken));
  router.use(express.json({ limit: '1mb', strict: true }));

  router.get('/info', (_req, res) => {
    res.json({
      publicUrl: ctx.publicUrl,
      tenantId: state.tenantId,
      authority: `${ctx.publicUrl}/${state.tenantId}`,
      knownAuthorities: [new URL(ctx.publicUrl).host],
      graphBaseUrl: `${ctx.publicUrl}/v1.0`,
      caPath: deps.caPath,
      defaultClientId: DEFAULT_APP.clientId,
      mailboxes: state.mailboxes.size,
      messages: [...state.mailboxes.values()].reduce((n, mb) => n + mb.messages.size, 0),
      subscriptions: state.subscriptions.size,
      rssBytes: process.memoryUsage().rss,
      heapUsedBytes: process.memoryUsage().heapUsed,
    });
  });

  router.get('/apps', (_req, res) => {
    res.json({
      value: [...state.apps.values()].map((a) => ({
        clientId: a.clientId,
        displayName: a.displayName,
        redirectUris: a.redirectUris,
      })),
    });
  });

  router.post('/apps', (req, res) => {
    const app = state.registerApp(parse(appSchema, req.body));
    res
      .status(201)
      .json({ clientId: app.clientId, displayName: app.displayName, redirectUris: app.redirectUris });
  });

  router.use('/mailboxes', mailboxControlRoutes(deps));

  router.get('/counters', (_req, res) => {
    const out: Record<string, unknown> = {};
    for (const mb of state.mailboxes.values()) out[mb.identity.address] = state.countersFor(mb.identity.id);
    res.json(out);
  });

  router.get('/subscriptions', (_req, res) => {
    res.json({ value: [...state.subscriptions.values()] });
  });

  // Graph's clock cannot be wound forward, so a test ends a subscription's life on demand.
  router.post('/subscriptions/:id/expire', (req, res) => {
    const sub = state.subscriptions.get(String(req.params.id));
    if (!sub) throw new GraphError(404, 'NotFound', 'No such subscription.');
    deps.subscriptions.renewed(sub, new Date().toISOString());
    res.json({ id: sub.id, expirationDateTime: sub.expirationDateTime });
  });

  router.get('/faults', (_req, res) => {
    res.json(deps.faults.settings);
  });

  router.put('/faults', (req, res) => {
    const settings = parse(faultSchema, req.body);
    try {
      if (settings.pathPattern) new RegExp(settings.pathPattern);
    } catch {
      throw new GraphError(400, 'BadRequest', 'pathPattern: not a valid regular expression');
    }
    deps.faults.set(settings);
    res.json(deps.faults.settings);
  });

  router.delete('/faults', (_req, res) => {
    deps.faults.set(faultSchema.parse({}));
    res.status(204).end();
  });

  router.get('/token-faults', (_req, res) => {
    res.json({ settings: deps.faults.token.settings ?? null, injected: deps.faults.token.injected });
  });

  router.put('/token-faults', (req, res) => {
    deps.faults.token.set(parse(tokenFaultSchema, req.body));
    res.json({ settings: deps.faults.token.settings, injected: deps.faults.token.injected });
  });

  router.delete('/token-faults', (_req, res) => {
    deps.faults.token.clear();
    res.status(204).end();
  });

  router.get('/throttle', (_req, res) => {
    res.json(deps.limiter.settings);
  });

  router.put('/throttle', (req, res) => {
    deps.limiter.settings = { ...deps.limiter.settings, ...parse(throttleSchema, req.body) };
    deps.limiter.reset();
    res.json(deps.limiter.settings);
  });

  router.post('/snapshot', async (_req, res) => {
    await deps.snapshot();
    res.json({ saved: true });
  });

  router.post('/reset', (_req, res) => {
    deps.reset();
    res.json({ reset: true, mailboxes: state.mailboxes.size });
  });

  router.use((req) => {
    throw new GraphError(404, 'NotFound', `No control endpoint ${req.method} /__emulator${req.path}.`);
  });

  return router;
}
