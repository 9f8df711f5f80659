// What production serves is the built bundle (dist/): it carries no source maps, so the dashboard's source is
// not published beside it. Needs `npm run -w core-email-frontend build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertBuilt } from './support/browser.js';
import { DIST } from './support/http.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

test('the built bundle has no source map and names none', () => {
  assertBuilt();
  const files = filesUnder(DIST);
  assert.ok(
    files.some((f) => f.endsWith('.js')),
    'the bundle has its scripts',
  );
  assert.deepEqual(
    files.filter((f) => f.endsWith('.map')),
    [],
  );
  for (const file of files.filter((f) => /\.(js|css)$/.test(f))) {
    assert.doesNotMatch(readFileSync(file, 'utf8'), /sourceMappingURL/, file);
  }
});
