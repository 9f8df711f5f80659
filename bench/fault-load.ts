// The load every fault case runs through: each user reads its first page of mail every 50 ms, someone signs in
// every 250 ms, and new mail is delivered through the emulator round robin at a steady rate. Every answer and
// every delivered message is recorded with its time, so a case can count 5xx, the slowest request, losses
// (delivered, never in PostgreSQL) and how long after the fault its effects lasted.
import { setTimeout as sleep } from 'node:timers/promises';
import { callApi } from 'core-email-consumer/testing';
import type { FleetUser, World } from './fault-world';

export interface Answer {
  kind: 'read' | 'sign-in';
  status: number;
  /** When the request started and how long it took (performance.now() ms). */
  at: number;
  ms: number;
  retryAfter: boolean;
}

export interface Delivery {
  id: string;
  userId: string;
  at: number;
  /** When its row was first seen in `emails`. */
  storedAt?: number;
}

export interface LoadOptions {
  readEveryMs: number;
  signInEveryMs: number;
  mailPerSecond: number;
  /** Users whose mail is not counted (a case throttles them on purpose); they are not read either. */
  exclude?: Set<string>;
}

const REQUEST_TIMEOUT_MS = 10_000;

export class Load {
  readonly answers: Answer[] = [];
  readonly deliveries = new Map<string, Delivery>();
  deliveryErrors = 0;
  private running = true;
  private readonly loops: Promise<void>[] = [];
  /** Extra messages per second for a burst, on top of the steady rate. */
  burst = 0;

  constructor(
    private readonly world: World,
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    const users = this.world.users.filter((u) => !this.options.exclude?.has(u.id));
    for (const user of users) this.loops.push(this.readLoop(user));
    this.loops.push(this.signInLoop(users));
    this.loops.push(this.mailLoop(users));
    this.loops.push(this.storedPoller());
  }

  /** Stops the load, then waits up to `settleMs` for every delivered message to be stored. */
  async stop(settleMs: number): Promise<void> {
    this.running = false;
    await Promise.all(this.loops.slice(0, -1));
    const deadline = performance.now() + settleMs;
    while (this.missing().length > 0 && performance.now() < deadline) await sleep(200);
    this.settled = true;
    await this.loops[this.loops.length - 1];
  }

  missing(): Delivery[] {
    return [...this.deliveries.values()].filter((d) => d.storedAt === undefined);
  }

  private settled = false;

  private async readLoop(user: FleetUser): Promise<void> {
    while (this.running) {
      const started = performance.now();
      await this.timed('read', () =>
        fetch(`${this.world.producer.url}/api/mail/messages?limit=20`, {
          headers: { authorization: `Bearer ${user.token}` },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }),
      );
      await sleep(Math.max(0, this.options.readEveryMs - (performance.now() - started)));
    }
  }

  private async signInLoop(users: FleetUser[]): Promise<void> {
    for (let i = 0; this.running; i++) {
      const user = users[i % users.length];
      const started = performance.now();
      await this.timed('sign-in', async () => {
        const res = await callApi(this.world.producer.url, 'POST', '/api/auth/log-in', {
          email: user.email,
          password: user.password,
        });
        return { status: res.status, headers: res.headers };
      });
      await sleep(Math.max(0, this.options.signInEveryMs - (performance.now() - started)));
    }
  }

  private async timed(
    kind: Answer['kind'],
    call: () => Promise<{ status: number; headers: Headers; text?: () => Promise<string> }>,
  ): Promise<void> {
    const at = performance.now();
    let status = 0;
    let retryAfter = false;
    try {
      const res = await call();
      status = res.status;
      retryAfter = res.headers.get('retry-after') !== null;
      await res.text?.();
    } catch {
      // refused, reset or timed out: status 0, counted as a failure
    }
    this.answers.push({ kind, status, at, ms: performance.now() - at, retryAfter });
  }

  /** Every 100 ms the messages due leave in one batched delivery request, round robin over the users. */
  private async mailLoop(users: FleetUser[]): Promise<void> {
    let next = 0;
    let owed = 0;
    while (this.running) {
      owed += ((this.options.mailPerSecond + this.burst) * 100) / 1000;
      const count = Math.floor(owed);
      owed -= count;
      if (count > 0) {
        const batch = Array.from({ length: count }, () => users[next++ % users.length]);
        const at = performance.now();
        try {
          const { delivered } = (await this.world.emulator.control('POST', '/mailboxes/deliveries', {
            messages: batch.map((u, k) => ({
              mailbox: u.address,
              subject: `fault load ${next + k}`,
              bodyHtml: '<p>fault load</p>',
              from: { name: 'Load', address: 'load@example.test' },
            })),
          })) as { delivered: { id: string }[] };
          delivered.forEach(({ id }, k) => this.deliveries.set(id, { id, userId: batch[k].id, at }));
        } catch {
          this.deliveryErrors += count;
        }
      }
      await sleep(100);
    }
  }

  private async storedPoller(): Promise<void> {
    while (this.running || !this.settled) {
      const missing = this.missing();
      if (missing.length > 0) {
        try {
          const rows = (await this.world.db.query(
            `SELECT graph_id FROM emails WHERE user_id = ANY($1::uuid[]) AND graph_id = ANY($2::text[])`,
            [[...new Set(missing.map((d) => d.userId))], missing.map((d) => d.id)],
          )) as { graph_id: string }[];
          const now = performance.now();
          for (const r of rows) this.deliveries.get(r.graph_id)!.storedAt = now;
        } catch {
          // the primary is restarting (a case does that): the next poll sees the rows
        }
      }
      await sleep(200);
    }
  }
}
