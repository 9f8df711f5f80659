// The emulator's command line:
//   ensure-ca                       create the local CA if missing and print the CA pem path
//   seed --mailbox A --messages N   add N generated messages to mailbox A of the running emulator
//   create-mailbox --address A --password P [--name N]
//   measure-delta [--mailbox A --password P --folder F --page-size N]   delta-page rate in messages/s
//   info | counters | reset         read or reset the running emulator
// Commands that talk to a running emulator take --url (default EMULATOR_PUBLIC_URL or https://localhost:<port>)
// and --token (default EMULATOR_CONTROL_TOKEN); they trust the local CA directly, no NODE_EXTRA_CA_CERTS needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type EmulatorConfig } from '../config/config';
import { DEFAULT_TENANT_ID } from '../store/state';
import { ensureCa } from '../tls/ca';
import { httpsCall } from './http';
import { measureDelta } from './measure';

type Flags = Record<string, string>;

function parseFlags(args: string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m) throw new Error(`unexpected argument '${args[i]}'`);
    flags[m[1]] = m[2] ?? args[++i] ?? '';
  }
  return flags;
}

async function call(
  config: EmulatorConfig,
  flags: Flags,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const token = flags.token ?? config.controlToken;
  const res = await httpsCall(`${baseUrl(config, flags)}/__emulator${path}`, caOf(config), {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = res.text ? JSON.parse(res.text) : {};
  if (res.status >= 400) throw new Error(`${res.status} ${JSON.stringify(json)}`);
  return json;
}

function baseUrl(config: EmulatorConfig, flags: Flags): string {
  return (flags.url ?? config.publicUrl ?? `https://localhost:${config.port}`).replace(/\/+$/, '');
}

function caOf(config: EmulatorConfig): Buffer {
  return readFileSync(join(config.caDir, 'ca.pem'));
}

const USAGE = `usage: cli.js <command> [--url U] [--token T]
  ensure-ca
  seed --mailbox A --messages N
  create-mailbox --address A --password P [--name N]
  measure-delta [--mailbox A --password P] [--folder inbox] [--page-size 1000]
  info | counters | reset`;

export async function runCli(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const config = loadConfig();
  const flags = parseFlags(rest);
  switch (command) {
    case 'ensure-ca':
      print(ensureCa(config.caDir).certPath);
      return 0;
    case 'seed': {
      const messages = Number(flags.messages);
      if (!flags.mailbox || !Number.isInteger(messages) || messages < 1) throw new Error(USAGE);
      const result = await call(
        config,
        flags,
        'POST',
        `/mailboxes/${encodeURIComponent(flags.mailbox)}/seed`,
        { messages },
      );
      print(JSON.stringify(result));
      return 0;
    }
    case 'create-mailbox': {
      if (!flags.address || !flags.password) throw new Error(USAGE);
      const body = {
        address: flags.address,
        password: flags.password,
        displayName: flags.name ?? flags.address,
      };
      print(JSON.stringify(await call(config, flags, 'POST', '/mailboxes', body)));
      return 0;
    }
    case 'info':
      print(JSON.stringify(await call(config, flags, 'GET', '/info'), null, 2));
      return 0;
    case 'counters':
      print(JSON.stringify(await call(config, flags, 'GET', '/counters'), null, 2));
      return 0;
    case 'measure-delta': {
      const result = await measureDelta({
        base: baseUrl(config, flags),
        ca: caOf(config),
        tenant: DEFAULT_TENANT_ID,
        username: flags.mailbox ?? 'demo@contoso.test',
        password: flags.password ?? 'demo-password',
        folder: flags.folder ?? 'inbox',
        pageSize: Number(flags['page-size'] ?? 1000),
      });
      print(JSON.stringify(result));
      return 0;
    }
    case 'reset':
      print(JSON.stringify(await call(config, flags, 'POST', '/reset')));
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

/** The CLI's answer, for a script to read: stdout, one result per command (logs go to stderr). */
function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
