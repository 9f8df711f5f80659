// The faults the suite injects into the local stack (scripts/stack), by signalling its real processes through
// their pid files under .data/, and `stack.sh up` to bring back whatever is not running.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseClusterNodes } from '@core-email/platform';

// bench/dist → repository root
const REPO = resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** The stack keeps one data directory per Redis node, named by its port. */
function redisPorts(): number[] {
  return readdirSync(resolve(REPO, '.data/redis'))
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function pidFile(path: string): number {
  // postmaster.pid holds more lines; the pid is the first.
  return Number(
    readFileSync(resolve(REPO, '.data', path), 'utf8')
      .split('\n')[0]
      .trim(),
  );
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    // Already gone (ESRCH) is what a kill wants; anything else is a broken harness.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export const redisPid = (port: number): number => pidFile(`redis/${port}/redis.pid`);
export const kafkaPid = (): number => pidFile('run/kafka.pid');
export const pgPid = (node: 'primary' | 'replica'): number => pidFile(`pg/${node}/postmaster.pid`);

/** The ports of the nodes that are masters now, from a node that answers. */
export async function redisMasters(): Promise<number[]> {
  for (const port of redisPorts()) {
    try {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'nodes'], { timeout: 2_000 });
      return parseClusterNodes(stdout)
        .filter((n) => n.role === 'master' && !n.failed)
        .map((n) => Number(n.address.split(':')[1]));
    } catch {
      // this node is down: ask the next
    }
  }
  throw new Error('no Redis node answers CLUSTER NODES');
}

export const killRedis = (port: number): void => signal(redisPid(port), 'SIGKILL');
export const killAllRedis = (): void => redisPorts().forEach((p) => signal(redisPid(p), 'SIGKILL'));
export const signalKafka = (sig: NodeJS.Signals): void => signal(kafkaPid(), sig);
export const signalPg = (node: 'primary' | 'replica', sig: NodeJS.Signals): void => signal(pgPid(node), sig);

/** `stack.sh up`: restarts every part that is not running and waits until the whole stack is healthy. */
export async function stackUp(): Promise<void> {
  await run('bash', [resolve(REPO, 'scripts/stack/stack.sh'), 'up'], { timeout: 300_000 });
}
