// Fault injection for Graph requests: added latency, random errors, and N consecutive 429s (more than the
// graph-client's 3 automatic retries, so a test can make throttling reach the service). The token endpoint's
// own faults hang off it (src/throttle/token-faults.ts).
import { z } from 'zod';
import { TokenFaults } from './token-faults';

export const faultSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(60_000).default(0),
    jitterMs: z.number().int().min(0).max(60_000).default(0),
    errorRate: z.number().min(0).max(1).default(0),
    errorStatus: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
    throttleNext: z.number().int().min(0).max(1_000_000).default(0),
    retryAfterSeconds: z.number().min(0).max(3600).default(1),
    /** Only requests whose path matches this regular expression are affected. */
    pathPattern: z.string().max(500).optional(),
    /** Only requests on this mailbox (its address, case-insensitive) are affected: one mailbox throttled. */
    mailbox: z.string().min(1).max(320).optional(),
  })
  .strict();

export type FaultSettings = z.infer<typeof faultSchema>;

export type FaultDecision =
  { kind: 'none' } | { kind: 'throttle'; retryAfterSeconds: number } | { kind: 'error'; status: number };

export class Faults {
  settings: FaultSettings = faultSchema.parse({});
  /** Faults of the identity platform's token endpoint. */
  readonly token = new TokenFaults();
  private pattern?: RegExp;

  set(settings: FaultSettings): void {
    this.pattern = settings.pathPattern ? new RegExp(settings.pathPattern, 'i') : undefined;
    this.settings = settings;
  }

  /** Clears the Graph faults and the token endpoint's. */
  clear(): void {
    this.set(faultSchema.parse({}));
    this.token.clear();
  }

  latencyFor(path: string, mailbox: string): number {
    const s = this.settings;
    if (!this.matches(path, mailbox) || (s.latencyMs === 0 && s.jitterMs === 0)) return 0;
    return s.latencyMs + Math.floor(Math.random() * s.jitterMs);
  }

  decide(path: string, mailbox: string): FaultDecision {
    if (!this.matches(path, mailbox)) return { kind: 'none' };
    const s = this.settings;
    if (s.throttleNext > 0) {
      s.throttleNext--;
      return { kind: 'throttle', retryAfterSeconds: s.retryAfterSeconds };
    }
    if (s.errorRate > 0 && Math.random() < s.errorRate) return { kind: 'error', status: s.errorStatus };
    return { kind: 'none' };
  }

  private matches(path: string, mailbox: string): boolean {
    const { mailbox: only } = this.settings;
    if (only !== undefined && only.toLowerCase() !== mailbox.toLowerCase()) return false;
    return !this.pattern || this.pattern.test(path);
  }
}
