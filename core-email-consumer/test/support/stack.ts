import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO = resolve(__dirname, '..', '..', '..', '..');
const run = promisify(execFile);

/** `npm run stack:up`: restarts whatever part of the local stack is not running. */
export async function stackUp(): Promise<void> {
  await run('bash', [resolve(REPO, 'scripts/stack/stack.sh'), 'up'], { timeout: 240_000 });
}

/** `npm run stack:down`: stops every part of the local stack, keeping its data. */
export async function stackDown(): Promise<void> {
  await run('bash', [resolve(REPO, 'scripts/stack/stack.sh'), 'down'], { timeout: 120_000 });
}

function pidFrom(file: string): number {
  return Number(readFileSync(resolve(REPO, '.data', file), 'utf8').trim());
}

export function stopRedisNode(port: number): void {
  process.kill(pidFrom(`redis/${port}/redis.pid`), 'SIGTERM');
}

export function stopKafka(): void {
  process.kill(pidFrom('run/kafka.pid'), 'SIGTERM');
}
