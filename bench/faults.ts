// npm run faults -- [--cases redis-master-kill,consumer-kill-burst,...] [--mailboxes 6]
//
// The fault suite: against the real local stack and an emulator of its own, each case injects one fault while a
// load runs through it (reads, sign-ins, mail delivered as Graph notifications) and prints a row: fault, load,
// requests, 5xx, slowest request, messages delivered, messages in PostgreSQL, recovery time. Targets for every
// row: 0 lost, 0 5xx on reads and sign-in (503 with Retry-After only where the whole dependency is down), no
// request without an answer, recovery within 10 s of the fault ending. Writes .data/bench/faults.json; the last
// line says how many cases met every target.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CASES } from './fault-cases';
import { CaseRow, RECOVERY_TARGET_S, runCase } from './fault-run';
import { startWorld } from './fault-world';

const REPO = resolve(__dirname, '..', '..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs the named cases (all by default) in one world and returns their rows. */
export async function runFaults(names: string[] | undefined, mailboxes: number): Promise<CaseRow[]> {
  const cases = names ? CASES.filter((c) => names.includes(c.name)) : CASES;
  const unknown = (names ?? []).filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown cases: ${unknown.join(', ')} (known: ${CASES.map((c) => c.name).join(', ')})`);
  const world = await startWorld(mailboxes);
  const rows: CaseRow[] = [];
  try {
    for (const c of cases) {
      console.log(`== ${c.name}: ${c.fault}`);
      const row = await runCase(world, c);
      console.log(line(row));
      for (const w of row.consumerWarnings) console.log(`    consumer: ${w.count} x ${w.msg}`);
      for (const e of row.producerErrors) console.log(`    producer error: ${e}`);
      rows.push(row);
    }
  } finally {
    await world.close();
  }
  return rows;
}

function line(r: CaseRow): string {
  return [
    r.fault.padEnd(58),
    String(r.requests).padStart(6),
    `${r.fiveXx} (${r.unavailableWithRetryAfter} 503+RA)`.padStart(14),
    String(r.noAnswer).padStart(5),
    `${r.slowestMs} ms`.padStart(9),
    String(r.delivered).padStart(6),
    String(r.stored).padStart(6),
    `${r.recoverySeconds} s`.padStart(8),
    r.pass ? 'met' : `MISSED${r.error ? `: ${r.error}` : ''}`,
    r.fiveXx > 0 ? `(5xx: ${r.fiveXxReads} reads, ${r.fiveXxSignIns} sign-ins)` : '',
  ].join(' ');
}

async function main(): Promise<void> {
  const names = option('cases')?.split(',').filter(Boolean);
  const mailboxes = Number(option('mailboxes') ?? 6);
  const rows = await runFaults(names, mailboxes);
  console.log('');
  console.log(
    `${'fault'.padEnd(58)} ${'reqs'.padStart(6)} ${'5xx'.padStart(14)} ${'none'.padStart(5)} ${'slowest'.padStart(9)} ` +
      `${'sent'.padStart(6)} ${'in PG'.padStart(6)} ${'recovery'.padStart(8)} target`,
  );
  for (const r of rows) console.log(line(r));
  console.log(
    `load: ${rows[0]?.load ?? ''}; targets: 0 lost, 0 5xx (503+Retry-After only where the dependency is down), ` +
      `every request answered, recovery <= ${RECOVERY_TARGET_S} s`,
  );
  mkdirSync(resolve(REPO, '.data/bench'), { recursive: true });
  writeFileSync(
    resolve(REPO, '.data/bench/faults.json'),
    JSON.stringify({ mailboxes, rows, at: new Date().toISOString() }, null, 2),
  );
  console.log(`faults: ${rows.filter((r) => r.pass).length}/${rows.length} cases met every target`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
