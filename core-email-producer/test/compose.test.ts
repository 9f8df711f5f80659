// The compose files and Dockerfiles cannot run here (no Docker engine), so this test keeps them honest by
// reading them: service names, published ports, the include list, Dockerfile targets that exist, and above all each
// app's environment against the app's own config schema, so a variable added to (or renamed in) a schema
// fails here until the compose files follow.
//
// It lives in the producer workspace to import producerEnvSchema. The consumer and the emulator are other
// TypeScript projects that this one does not reference, so their compiled config modules are loaded at run
// time (npm test compiles every workspace before running tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { producerEnvSchema } from '../src/config/config';

/** This file runs as core-email-producer/dist/test/compose.test.js. */
const REPO = resolve(__dirname, '..', '..', '..');

/** Read by Node itself, not by the apps, so no app schema lists them. */
const NODE_RUNTIME_VARIABLES = new Set(['NODE_EXTRA_CA_CERTS']);

const COMPOSE_PARTS = [
  'docker-compose.pg.yml',
  'docker-compose.redis.yml',
  'docker-compose.kafka.yml',
  'docker-compose.nest.yml',
  'docker-compose.frontend.yml',
];

/** Every service each file must define, and what it publishes on the host ("host:container"). */
const EXPECTED: Record<string, Record<string, string[]>> = {
  'docker-compose.pg.yml': { 'postgres-primary': ['5432:5432'], 'postgres-replica': ['5433:5432'] },
  'docker-compose.redis.yml': {
    ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`redis-${n}`, [`700${n}:700${n}`]])),
    'redis-cluster-create': [],
  },
  'docker-compose.kafka.yml': { kafka: ['9094:9094'], 'kafka-ui': ['8080:8080'] },
  'docker-compose.nest.yml': {
    'core-email-producer': ['3000:3000'],
    'core-email-consumer': ['3001:3001'],
    'graph-emulator': ['8443:8443'],
  },
  'docker-compose.frontend.yml': { 'core-email-frontend': ['4173:4173'] },
};

interface Service {
  build?: string | { context?: string; dockerfile?: string; target?: string };
  environment?: Record<string, unknown> | string[];
  ports?: Array<string | number | { published?: string | number; target: number }>;
  depends_on?: string[] | Record<string, unknown>;
  command?: string | string[];
}

function readCompose(file: string): {
  services: Record<string, Service>;
  include?: Array<string | { path: string | string[] }>;
} {
  const path = join(REPO, file);
  assert.ok(existsSync(path), `${file} is missing at the repository root`);
  // merge: the files share settings with YAML anchors and `<<:` merge keys, as Docker Compose allows.
  return parse(readFileSync(path, 'utf8'), { merge: true }) ?? { services: {} };
}

function allServices(): Map<string, { file: string; service: Service }> {
  const services = new Map<string, { file: string; service: Service }>();
  for (const file of COMPOSE_PARTS) {
    for (const [name, service] of Object.entries(readCompose(file).services ?? {}))
      services.set(name, { file, service });
  }
  return services;
}

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(env.map((line) => [line.split('=')[0], line.slice(line.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? '')]));
}

function publishedPorts(service: Service): string[] {
  return (service.ports ?? [])
    .map((port) => (typeof port === 'object' ? `${port.published}:${port.target}` : String(port)))
    .sort();
}

/** The Dockerfile path a `build:` points at, relative to the repository root. */
function dockerfileOf(service: Service): string | undefined {
  if (!service.build) return undefined;
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return join(build.context ?? '.', build.dockerfile ?? 'Dockerfile');
}

/** The build stage a `build:` asks for (undefined: the Dockerfile's last one). */
function targetOf(service: Service): string | undefined {
  return typeof service.build === 'object' ? service.build.target : undefined;
}

/** The image a service runs: its Dockerfile and target, as `docker build -f <file> --target <target>`. */
function imageOf(service: Service): string | undefined {
  const dockerfile = dockerfileOf(service);
  const target = targetOf(service);
  return dockerfile && target ? `${dockerfile} --target ${target}` : dockerfile;
}

/** The stages a Dockerfile names (`FROM ... AS <name>`). */
function stagesOf(dockerfile: string): string[] {
  const text = readFileSync(join(REPO, dockerfile), 'utf8');
  return [...text.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
}

/** What the test needs to know about one app's configuration. */
interface AppSchema {
  where: string;
  keys: string[];
  required: string[];
  /** Problems with this environment as the app itself would report them at start-up; [] when it starts. */
  problems(env: Record<string, string>): string[];
}

function fromZod(where: string, schema: z.ZodObject<z.ZodRawShape>): AppSchema {
  const keys = Object.keys(schema.shape);
  return {
    where,
    keys,
    required: keys.filter((key) => !schema.shape[key].isOptional()),
    problems: (env) => {
      const result = schema.safeParse(env);
      if (result.success) return [];
      // A missing variable is already reported by the required-variable check, in plainer words.
      const bad = result.error.issues.filter(
        (issue) => !(issue.code === 'invalid_type' && issue.received === 'undefined'),
      );
      return bad.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    },
  };
}

/** Loads another workspace's compiled module; see the comment at the top for why not an import. */
function loadCompiled<T>(workspace: string, modulePath: string): T {
  const path = join(REPO, workspace, 'dist', modulePath);
  assert.ok(existsSync(path), `${workspace} is not compiled (no ${path}): run npx tsc -b ${workspace}`);
  return createRequire(__filename)(path) as T;
}

function emulatorSchema(): AppSchema {
  // Its schema is private; loadConfig reads exactly the schema's keys, so recording what it reads lists them.
  // Every emulator variable has a default, so none is required; loadConfig itself checks the values.
  const { loadConfig } = loadCompiled<{ loadConfig(env: Record<string, string | undefined>): unknown }>(
    'graph-emulator',
    'src/config/config.js',
  );
  const read = new Set<string>();
  loadConfig(new Proxy({}, { get: (_target, key) => (typeof key === 'string' && read.add(key), undefined) }));
  return {
    where: 'graph-emulator/src/config/config.ts',
    keys: [...read],
    required: [],
    problems: (env) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return [error instanceof Error ? error.message : String(error)];
      }
    },
  };
}

/** Which schema applies to a service: decided by the image (Dockerfile target) it is built from. */
function schemasByImage(): Record<string, AppSchema> {
  const { consumerEnvSchema } = loadCompiled<{ consumerEnvSchema: z.ZodObject<z.ZodRawShape> }>(
    'core-email-consumer',
    'src/config/config.js',
  );
  return {
    'Dockerfile --target producer': fromZod('core-email-producer/src/config/config.ts', producerEnvSchema),
    'Dockerfile --target consumer': fromZod('core-email-consumer/src/config/config.ts', consumerEnvSchema),
    'Dockerfile --target graph-emulator': emulatorSchema(),
  };
}

test('docker-compose.yml includes the five compose files', () => {
  const include = (readCompose('docker-compose.yml').include ?? []).flatMap((entry) =>
    typeof entry === 'string' ? [entry] : [entry.path].flat(),
  );
  assert.deepEqual(
    [...include].sort(),
    [...COMPOSE_PARTS].sort(),
    'docker-compose.yml `include:` must list exactly the five docker-compose.*.yml files',
  );
});

test('each compose file defines its services with the documented published ports', () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    const services = readCompose(file).services ?? {};
    for (const [name, ports] of Object.entries(expected)) {
      assert.ok(services[name], `${file}: service "${name}" is missing`);
      assert.deepEqual(
        publishedPorts(services[name]),
        [...ports].sort(),
        `${file}: service "${name}" must publish ${ports.join(', ') || 'no ports'}`,
      );
    }
  }
});

test('the Redis one-shot forms a 3 master + 3 replica cluster from all six nodes', () => {
  const services = readCompose('docker-compose.redis.yml').services;
  const command = [services['redis-cluster-create'].command ?? ''].flat().join(' ');
  assert.match(
    command,
    /redis-cli --cluster create .*--cluster-replicas 1 --cluster-yes/,
    'docker-compose.redis.yml: redis-cluster-create must run redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes',
  );
  for (let n = 1; n <= 6; n++) {
    assert.match(
      [services[`redis-${n}`].command ?? ''].flat().join(' '),
      /--cluster-enabled yes/,
      `docker-compose.redis.yml: redis-${n} must run with --cluster-enabled yes`,
    );
  }
});

test('every Dockerfile and target a service builds from exists, and every depends_on names a defined service', () => {
  const services = allServices();
  for (const [name, { file, service }] of services) {
    const dockerfile = dockerfileOf(service);
    if (dockerfile)
      assert.ok(
        existsSync(join(REPO, dockerfile)),
        `${file}: service "${name}" builds from ${dockerfile}, which does not exist`,
      );
    const target = targetOf(service);
    if (dockerfile && target)
      assert.ok(
        stagesOf(dockerfile).includes(target),
        `${file}: service "${name}" builds target ${target}, which ${dockerfile} does not define`,
      );
    const dependsOn = Array.isArray(service.depends_on)
      ? service.depends_on
      : Object.keys(service.depends_on ?? {});
    for (const dependency of dependsOn) {
      assert.ok(
        services.has(dependency),
        `${file}: service "${name}" depends on "${dependency}", which no compose file defines`,
      );
    }
  }
});

test("each app's environment in compose sets every required variable and only variables its schema knows", () => {
  const schemas = schemasByImage();
  const services = allServices();
  for (const [image, app] of [
    ['Dockerfile --target producer', 'core-email-producer'],
    ['Dockerfile --target consumer', 'core-email-consumer'],
    ['Dockerfile --target graph-emulator', 'graph-emulator'],
  ]) {
    assert.equal(
      imageOf(services.get(app)?.service ?? {}),
      image,
      `docker-compose.nest.yml: service "${app}" must build from ${image}`,
    );
  }

  // Every problem in every service at once, so one run tells the whole story.
  const failures: string[] = [];
  let checked = 0;
  for (const [name, { file, service }] of services) {
    const schema = schemas[imageOf(service) ?? ''];
    if (!schema) continue;
    checked++;
    const env = environmentOf(service);
    const appEnv = Object.fromEntries(
      Object.entries(env).filter(([key]) => !NODE_RUNTIME_VARIABLES.has(key)),
    );
    const where = `${file}: service "${name}"`;
    for (const key of Object.keys(appEnv).filter((k) => !schema.keys.includes(k))) {
      failures.push(
        `${where} sets ${key}, which ${schema.where} does not know (remove it, or add it to the schema)`,
      );
    }
    for (const key of schema.required.filter((k) => !appEnv[k])) {
      failures.push(`${where} must set ${key}, required by ${schema.where}`);
    }
    for (const problem of schema.problems(appEnv)) {
      failures.push(`${where}: ${schema.where} rejects the environment: ${problem}`);
    }
  }
  assert.deepEqual(
    failures,
    [],
    `compose environments do not match the apps' config schemas:\n  ${failures.join('\n  ')}`,
  );
  assert.ok(checked >= 3, 'the producer, consumer and emulator services were checked');
});

test('the apps listen where compose publishes them', () => {
  const services = allServices();
  const env = (name: string) => environmentOf(services.get(name)?.service ?? {});
  assert.equal(
    env('core-email-producer').PORT ?? '3000',
    '3000',
    'docker-compose.nest.yml: core-email-producer PORT must match its published port 3000',
  );
  assert.equal(
    env('core-email-consumer').HEALTH_PORT ?? '3001',
    '3001',
    'docker-compose.nest.yml: core-email-consumer HEALTH_PORT must match its published port 3001',
  );
  assert.equal(
    env('graph-emulator').EMULATOR_PORT,
    '8443',
    'docker-compose.nest.yml: graph-emulator must set EMULATOR_PORT=8443',
  );
  assert.equal(
    env('graph-emulator').EMULATOR_HOST,
    '0.0.0.0',
    'docker-compose.nest.yml: graph-emulator must bind EMULATOR_HOST=0.0.0.0 to be reachable from other containers',
  );
  assert.match(
    env('graph-emulator').EMULATOR_CERT_NAMES ?? '',
    /(^|,)graph-emulator(,|$)/,
    'docker-compose.nest.yml: EMULATOR_CERT_NAMES must include graph-emulator, the name the services use',
  );
});
