// Small HTTP helpers the browser tests share: listen on a free port, close, and serve the built dashboard.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** security-headers.json, as nginx serves the dashboard: `{{API_ORIGIN}}` is the API's origin. */
export function securityHeaders(apiUrl: string): Record<string, string> {
  const file = fileURLToPath(new URL('../../security-headers.json', import.meta.url));
  const template = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const origin = new URL(apiUrl).origin;
  return Object.fromEntries(
    Object.entries(template).map(([k, v]) => [k, v.replace('{{API_ORIGIN}}', origin)]),
  );
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Listens on a free port of 127.0.0.1 (or `port`); `url` uses `host` (localhost when CORS origins matter). */
export async function listen(
  handler: Handler,
  { port = 0, host = '127.0.0.1' }: { port?: number; host?: string } = {},
): Promise<{ server: Server; url: string; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return { server, url: `http://${host}:${actual}`, port: actual };
}

export function close(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Serves dist/ like nginx does (index.html for any path that is not a file, so /log-in loads the app),
 * plus a /config.json pointing the app at `apiUrl()`.
 */
export function staticSite(apiUrl: () => string): Handler {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    for (const [name, value] of Object.entries(securityHeaders(apiUrl()))) res.setHeader(name, value);
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiUrl: apiUrl() }));
      return;
    }
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST)) {
      res.writeHead(404).end('not found');
      return;
    }
    if (!existsSync(file) || path === '/' || !extname(file)) file = join(DIST, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  };
}
