import { setTimeout as sleep } from 'node:timers/promises';
// Applies the per app + mailbox limits and the injected faults to every authenticated Graph request, and
// keeps the per-mailbox counters (requests, highest concurrency, 429s).
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../context';
import { GraphError } from '../http/errors';
import { callerOf } from '../graph/caller';
import type { Faults } from './faults';
import type { Limiter } from './limiter';

function throttled(code: string, message: string, retryAfterSeconds: number): GraphError {
  return new GraphError(429, code, message, { 'Retry-After': String(retryAfterSeconds) });
}

export function throttleMiddleware(ctx: AppContext, limiter: Limiter, faults: Faults) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const caller = callerOf(res);
    const counters = ctx.state.countersFor(caller.mailbox.identity.id);
    counters.requests++;
    const address = caller.mailbox.identity.address;
    const fault = faults.decide(req.path, address);
    if (fault.kind === 'throttle') {
      counters.throttled++;
      throw throttled('TooManyRequests', 'Please retry again later.', fault.retryAfterSeconds);
    }
    const admission = limiter.admit(`${caller.clientId}|${caller.mailbox.identity.id}`);
    if (!admission.ok) {
      counters.throttled++;
      if (admission.reason === 'concurrency') {
        throw throttled(
          'ApplicationThrottled',
          'Application is over its MailboxConcurrency limit.',
          admission.retryAfterSeconds,
        );
      }
      throw throttled(
        'ApplicationThrottled',
        'Application is over its request budget for this mailbox.',
        admission.retryAfterSeconds,
      );
    }
    counters.highestConcurrency = Math.max(counters.highestConcurrency, admission.active);
    res.once('finish', admission.release);
    res.once('close', admission.release);
    const latency = faults.latencyFor(req.path, address);
    if (latency > 0) await sleep(latency);
    if (fault.kind === 'error') {
      throw new GraphError(
        fault.status,
        fault.status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
        'The emulator injected this error.',
        { 'Retry-After': '1' },
      );
    }
    next();
  };
}
