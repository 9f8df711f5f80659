// What production serves is the built bundle (dist/): it carries no source maps, so the dashboard's source is
// not published beside it. Needs `npm run -w core-email-frontend build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

test("nginx sends the dashboard's security headers on every location, as the tests' server and vite preview do", () => {
  const dockerfile = readFileSync(fileURLToPath(new URL('../../Dockerfile', import.meta.url)), 'utf8');
  const nginx = dockerfile.slice(dockerfile.indexOf("<<'NGINX'"), dockerfile.indexOf('\nNGINX\n'));
  const locations = nginx.match(/^\s*location\s/gm) ?? [];
  const includes = nginx.match(/include \/etc\/nginx\/conf\.d\/security-headers\.inc;/g) ?? [];
  assert.ok(locations.length >= 3, 'the nginx config was found');
  assert.equal(includes.length, locations.length);
  assert.match(
    dockerfile,
    /security-headers\.json/,
    'the lines come from core-email-frontend/security-headers.json',
  );
});
