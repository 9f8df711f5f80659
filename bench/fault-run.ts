// One fault case from start to figures: the load runs 3 s, the fault is injected, the load goes on 10 s after the
// fault ended, then every delivered message gets up to 60 s to be stored. Figures are the table: requests,
// 5xx, slowest request, messages delivered and in PostgreSQL, and the recovery time (from the fault's end to the
// last failed or slow answer, or the last message delivered before the end being stored, whichever is later).
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultCase } from './fault-cases';
import { Answer, Load, LoadOptions } from './fault-load';
import type { World } from './fault-world';

export interface CaseRow {
  name: string;
  fault: string;
  load: string;
  requests: number;
  fiveXx: number;
  /** 503 answers that carried Retry-After: allowed only where the whole dependency is down. */
  unavailableWithRetryAfter: number;
  /** Requests that got no answer (refused, reset, 10 s timeout). */
  noAnswer: number;
  slowestMs: number;
  delivered: number;
  stored: number;
  lost: number;
  recoverySeconds: number;
  /** 5xx answers by kind of request. */
  fiveXxReads: number;
  fiveXxSignIns: number;
  /** Message ids announced as `created` twice on their owner's stream during the case. */
  duplicateCreated: number;
  checks: Record<string, unknown>;
  /** The consumers' warnings and errors during the case, by message (the most frequent first). */
  consumerWarnings: Array<{ msg: string; count: number }>;
  /** The producer's error lines during the case (what its 5xx were), at most 5. */
  producerErrors: string[];
  pass: boolean;
  error?: string;
}

const BEFORE_MS = 3_000;
const AFTER_MS = 10_000;
const SETTLE_MS = 60_000;
/** An answer slower than this counts as the fault still showing (the "no request over 2 s"). */
const SLOW_MS = 2_000;
export const RECOVERY_TARGET_S = 10;
/** Only where the whole dependency is down may an answer be a 503 (with Retry-After). */
const DEPENDENCY_DOWN = new Set(['redis-all-down', 'pg-primary-restart']);
/**
 * The suite runs one producer: while it restarts its port refuses connections (requests without an answer).
 * Behind a load balancer with two replicas those would go to the other; what this case asserts is that no
 * webhook notification is lost and nothing answers 5xx.
 */
const ONLY_PROCESS_RESTARTS = new Set(['producer-restart']);

const DEFAULT_LOAD: LoadOptions = { readEveryMs: 50, signInEveryMs: 250, mailPerSecond: 20 };

export async function runCase(world: World, c: FaultCase): Promise<CaseRow> {
  const exclude = (await c.prepare?.(world)) ?? new Set<string>();
  const load = new Load(world, { ...DEFAULT_LOAD, ...c.options, exclude });
  const createdBefore = world.users.map((u) => u.stream.events.length);
  const logsBefore = new Map(world.consumers.map((c) => [c, c.logs.length]));
  const producerErrorsBefore = world.producer.errors.length;
  const streamsBefore = world.users.map((u) => u.stream);
  load.start();
  let endedAt = performance.now();
  let checks: Record<string, unknown> = {};
  let error: string | undefined;
  try {
    await sleep(BEFORE_MS);
    ({ endedAt, checks = {} } = await c.inject(world, load));
    await sleep(AFTER_MS);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  await load.stop(SETTLE_MS);
  try {
    await c.restore?.(world);
  } catch (e) {
    error ??= `restore: ${e instanceof Error ? e.message : String(e)}`;
  }
  const duplicateCreated = duplicates(world, streamsBefore, createdBefore, exclude);
  return {
    ...figures(c, load, endedAt, checks, duplicateCreated, error),
    consumerWarnings: warnings(logsBefore),
    // A restarted producer is a new process: its lines start at 0.
    producerErrors: world.producer.errors
      .slice(world.producer.errors.length >= producerErrorsBefore ? producerErrorsBefore : 0)
      .slice(0, 5)
      .map((l) => JSON.stringify({ msg: l.msg, path: l.path, err: l.err }).slice(0, 600)),
  };
}

function warnings(logsBefore: Map<World['consumers'][number], number>): CaseRow['consumerWarnings'] {
  const counts = new Map<string, number>();
  for (const [consumer, from] of logsBefore) {
    for (const line of consumer.logs.slice(from)) {
      if (Number(line.level) < 40) continue;
      const msg = String(line.msg);
      counts.set(msg, (counts.get(msg) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([msg, count]) => ({ msg, count }));
}

function figures(
  c: FaultCase,
  load: Load,
  endedAt: number,
  checks: Record<string, unknown>,
  duplicateCreated: number,
  error: string | undefined,
): Omit<CaseRow, 'consumerWarnings' | 'producerErrors'> {
  const answers = load.answers;
  const bad = (a: Answer) => a.status < 200 || a.status >= 400 || a.ms > SLOW_MS;
  const lastBad = Math.max(endedAt, ...answers.filter(bad).map((a) => a.at + a.ms));
  const deliveries = [...load.deliveries.values()];
  const stored = deliveries.filter((d) => d.storedAt !== undefined);
  const lastStored = Math.max(endedAt, ...stored.filter((d) => d.at <= endedAt).map((d) => d.storedAt!));
  const fiveXx = answers.filter((a) => a.status >= 500).length;
  const unavailableWithRetryAfter = answers.filter((a) => a.status === 503 && a.retryAfter).length;
  const noAnswer = answers.filter((a) => a.status === 0).length;
  const recoverySeconds = (Math.max(lastBad, lastStored) - endedAt) / 1000;
  const lost = deliveries.length - stored.length;
  const allowed503 = DEPENDENCY_DOWN.has(c.name) ? unavailableWithRetryAfter : 0;
  const pass =
    !error &&
    lost === 0 &&
    fiveXx - allowed503 === 0 &&
    (noAnswer === 0 || ONLY_PROCESS_RESTARTS.has(c.name)) &&
    recoverySeconds <= RECOVERY_TARGET_S;
  return {
    name: c.name,
    fault: c.fault,
    load: c.load,
    requests: answers.length,
    fiveXx,
    fiveXxReads: answers.filter((a) => a.kind === 'read' && a.status >= 500).length,
    fiveXxSignIns: answers.filter((a) => a.kind === 'sign-in' && a.status >= 500).length,
    unavailableWithRetryAfter,
    noAnswer,
    slowestMs: Math.round(Math.max(0, ...answers.map((a) => a.ms))),
    delivered: deliveries.length,
    stored: stored.length,
    lost,
    recoverySeconds: Math.round(recoverySeconds * 10) / 10,
    duplicateCreated,
    checks,
    pass,
    error,
  };
}

function duplicates(
  world: World,
  streamsBefore: World['users'][number]['stream'][],
  createdBefore: number[],
  exclude: Set<string>,
): number {
  let count = 0;
  world.users.forEach((u, i) => {
    if (exclude.has(u.id)) return;
    // A stream reopened during the case (the producer restarted) is read from its start.
    const events = [
      ...streamsBefore[i].events.slice(createdBefore[i]),
      ...(u.stream === streamsBefore[i] ? [] : u.stream.events),
    ];
    const seen = new Set<string>();
    for (const e of events) {
      if (e.event !== 'mail') continue;
      for (const id of (e.data.created as string[] | undefined) ?? []) {
        if (seen.has(id)) count++;
        seen.add(id);
      }
    }
  });
  return count;
}
