// The emulator's command line:
//   ensure-ca                       create the local CA if missing and print the CA pem path
//   seed --mailbox A --messages N   add N generated messages to mailbox A of the running emulator
//   create-mailbox --address A --password P [--name N]
//   info | counters | reset         read or reset the running emulator
// Commands that talk to a running emulator take --url (default EMULATOR_PUBLIC_URL or https://localhost:<port>)
// and --token (default EMULATOR_CONTROL_TOKEN); they trust the local CA directly, no NODE_EXTRA_CA_CERTS needed.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { loadConfig, type EmulatorConfig } from '../config';
import { ensureCa } from '../tls/ca';

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

function call(config: EmulatorConfig, flags: Flags, method: string, path: string, body?: unknown): Promise<unknown> {
  const base = flags.url ?? config.publicUrl ?? `https://localhost:${config.port}`;
  const url = new URL(`/__emulator${path}`, base);
  const token = flags.token ?? config.controlToken;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: readFileSync(join(config.caDir, 'ca.pem')),
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: 600_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          const json = text ? JSON.parse(text) : {};
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`${res.statusCode} ${JSON.stringify(json)}`));
          else resolve(json);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const USAGE = `usage: cli.js <ensure-ca | seed --mailbox A --messages N | create-mailbox --address A --password P [--name N] | info | counters | reset> [--url U] [--token T]`;

export async function runCli(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const config = loadConfig();
  const flags = parseFlags(rest);
  switch (command) {
    case 'ensure-ca':
      console.log(ensureCa(config.caDir).certPath);
      return 0;
    case 'seed': {
      const messages = Number(flags.messages);
      if (!flags.mailbox || !Number.isInteger(messages) || messages < 1) throw new Error(USAGE);
      const result = await call(config, flags, 'POST', `/mailboxes/${encodeURIComponent(flags.mailbox)}/seed`, { messages });
      console.log(JSON.stringify(result));
      return 0;
    }
    case 'create-mailbox': {
      if (!flags.address || !flags.password) throw new Error(USAGE);
      const body = { address: flags.address, password: flags.password, displayName: flags.name ?? flags.address };
      console.log(JSON.stringify(await call(config, flags, 'POST', '/mailboxes', body)));
      return 0;
    }
    case 'info':
      console.log(JSON.stringify(await call(config, flags, 'GET', '/info'), null, 2));
      return 0;
    case 'counters':
      console.log(JSON.stringify(await call(config, flags, 'GET', '/counters'), null, 2));
      return 0;
    case 'reset':
      console.log(JSON.stringify(await call(config, flags, 'POST', '/reset')));
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}
