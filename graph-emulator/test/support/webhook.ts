// A local webhook receiver: answers Graph's validation handshake the way the producer does and records
// every notification POST. `mode` switches it between healthy, refusing validation and failing deliveries.
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  body: { value: Record<string, unknown>[] };
  at: number;
}

export class WebhookReceiver {
  readonly validations: string[] = [];
  readonly received: Received[] = [];
  readonly failedAttempts: number[] = [];
  mode: 'ok' | 'reject-validation' | 'fail-notifications' = 'ok';
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  notifications(path = '/notify'): Record<string, unknown>[] {
    return this.received.filter((r) => r.path === path).flatMap((r) => r.body.value);
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for webhook deliveries');
      await sleep(20);
    }
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; type: string; body: string }> {
    const url = new URL(req.url ?? '/', this.url);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const token = url.searchParams.get('validationToken');
    if (token !== null) {
      this.validations.push(token);
      if (this.mode === 'reject-validation') return { status: 400, type: 'text/plain', body: 'no' };
      return { status: 200, type: 'text/plain; charset=utf-8', body: token };
    }
    if (this.mode === 'fail-notifications') {
      this.failedAttempts.push(Date.now());
      return { status: 503, type: 'text/plain', body: 'down' };
    }
    this.received.push({ path: url.pathname, body: JSON.parse(raw), at: Date.now() });
    return { status: 202, type: 'text/plain', body: '' };
  }
}
