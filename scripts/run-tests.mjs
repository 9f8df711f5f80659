// Runs every compiled test file (`<workspace>/dist/test/**/*.test.js`) with node's test runner, one file at
// a time: integration suites share one PostgreSQL, Redis cluster and Kafka broker. First, the dashboard's
// component tests (`core-email-frontend/src/**/*.test.ts(x)`, jsdom) with Vitest, which reads its TSX as is.
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

function walk(dir, pattern = /\.test\.js$/) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

const selected = (f) => filters.length === 0 || filters.some((s) => f.includes(s));
const componentTests = walk('core-email-frontend/src', /\.test\.tsx?$/)
  .filter(selected)
  .sort();
const files = roots
  .flatMap((root) => walk(join(root, 'dist', 'test')).concat(walk(join(root, 'test-dist'))))
  .filter(selected)
  .sort();
if (files.length === 0 && componentTests.length === 0) {
  console.error('no test files found: run `npm run build:ts` first');
  process.exit(1);
}
let componentStatus = 0;
if (componentTests.length > 0) {
  componentStatus =
    spawnSync(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        '--root',
        'core-email-frontend',
        ...componentTests.map((f) => f.replace('core-email-frontend/', '')),
      ],
      { stdio: 'inherit' },
    ).status ?? 1;
}
if (files.length === 0) process.exit(componentStatus);
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
process.exit(componentStatus || (result.status ?? 1));
