// CPU time each part of the stack used over a window, read from /proc (Linux). On a shared 2-core machine a
// run's speed moves by ±20 % from run to run; what the run cost (core-seconds, and how many of the cores it
// kept busy) tells whether a change did less work or only met a quieter machine.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** /proc reports times in USER_HZ ticks, 100 a second on every Linux Node runs on. */
const TICKS_PER_SECOND = 100;

interface ProcessTicks {
  ppid: number;
  ticks: number;
  cmd: string;
}

/** The processes the bench knows by pid or port; everything else is told apart by its command line. */
export interface StackPids {
  consumer: number;
  emulator: number;
  producer?: number;
  pgPrimaryPort: number;
  pgReplicaPort: number;
}

export interface CpuUsage {
  wallSeconds: number;
  coreSeconds: number;
  /** Core-seconds by part, largest first. */
  parts: Record<string, number>;
}

function readProcesses(): Map<number, ProcessTicks> {
  const found = new Map<number, ProcessTicks>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name in parentheses may hold spaces: the fields start after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      found.set(Number(name), {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
        cmd,
      });
    } catch {
      // the process ended while the table was read
    }
  }
  return found;
}

function partOf(pid: number, p: ProcessTicks, pids: StackPids, postmasters: Map<number, string>): string {
  if (pid === pids.consumer) return 'consumer';
  if (pid === pids.emulator) return 'emulator';
  if (pid === pids.producer) return 'producer';
  if (pid === process.pid) return 'bench';
  const cluster = postmasters.get(pid) ?? postmasters.get(p.ppid);
  if (cluster) return cluster;
  if (p.cmd.includes('kafka')) return 'kafka';
  if (p.cmd.startsWith('redis-server')) return 'redis';
  return 'other';
}

/** The stack's two PostgreSQL servers, by the port on their postmaster's command line. */
function postmastersOf(all: Map<number, ProcessTicks>, pids: StackPids): Map<number, string> {
  const found = new Map<number, string>();
  for (const [pid, p] of all) {
    if (!/\/postgres\s/.test(`${p.cmd} `)) continue;
    const port = Number(/-p\s+(\d+)/.exec(p.cmd)?.[1]);
    if (port === pids.pgPrimaryPort) found.set(pid, 'postgres primary');
    if (port === pids.pgReplicaPort) found.set(pid, 'postgres replica');
  }
  return found;
}

/** Starts counting now; `end` gives what every process used since (processes that ended are not seen). */
export function startCpuWindow(): { end(pids: StackPids): CpuUsage } {
  const before = readProcesses();
  const t0 = performance.now();
  return {
    end(pids) {
      const wallSeconds = (performance.now() - t0) / 1000;
      const after = readProcesses();
      const postmasters = postmastersOf(after, pids);
      const parts: Record<string, number> = {};
      for (const [pid, p] of after) {
        const used = p.ticks - (before.get(pid)?.ticks ?? 0);
        if (used <= 0) continue;
        const part = partOf(pid, p, pids, postmasters);
        parts[part] = (parts[part] ?? 0) + used / TICKS_PER_SECOND;
      }
      const sorted = Object.entries(parts).sort(([, a], [, b]) => b - a);
      const coreSeconds = sorted.reduce((n, [, s]) => n + s, 0);
      return { wallSeconds, coreSeconds, parts: Object.fromEntries(sorted) };
    },
  };
}

/** One line: "16.6 core-s in 10.8 s (1.54 of 2 cores): consumer 6.4, emulator 3.2, …". */
export function describeCpu(usage: CpuUsage): string {
  const busy = usage.coreSeconds / usage.wallSeconds;
  const parts = Object.entries(usage.parts)
    .map(([name, s]) => `${name} ${s.toFixed(1)}`)
    .join(', ');
  return (
    `${usage.coreSeconds.toFixed(1)} core-s in ${usage.wallSeconds.toFixed(1)} s ` +
    `(${busy.toFixed(2)} of ${availableParallelism()} cores): ${parts}`
  );
}
