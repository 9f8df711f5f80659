// Runs every compiled test file (`<workspace>/dist/test/**/*.test.js`) with node's test runner, one file at
// a time: integration suites share one PostgreSQL, Redis cluster and Kafka broker.
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = [
  'packages/contracts',
  'packages/platform',
  'graph-emulator',
  'core-email-producer',
  'core-email-consumer',
  'core-email-frontend',
  'bench',
];
const filters = process.argv.slice(2);

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const files = roots
  .flatMap((root) => walk(join(root, 'dist', 'test')).concat(walk(join(root, 'test-dist'))))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files found: run `npm run build:ts` first');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  // A file whose test or hook hangs fails after 10 minutes, and a file that leaves handles open still exits:
  // one stuck file must never hold up the whole run.
  [
    '--test',
    '--test-concurrency=1',
    '--test-timeout=600000',
    '--test-force-exit',
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
