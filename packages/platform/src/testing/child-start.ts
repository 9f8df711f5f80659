// Waiting for a service started as a child process: until its health URL answers, it exits, or the time is up.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';

export async function waitUntilUp(
  child: ChildProcess,
  name: string,
  healthUrl: string,
  isUp: (status: number) => boolean,
  seconds: number,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${name} exited with ${child.exitCode}`);
    const up = await fetch(healthUrl).then(
      (r) => isUp(r.status),
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // never leave an orphan behind a failed start
      throw new Error(`the ${name} did not start within ${seconds} s`);
    }
    await sleep(200);
  }
}
