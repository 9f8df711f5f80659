// A stand-in for the producer's webhook, enough for Graph's validation handshake: it echoes
// `validationToken` as text/plain (or refuses with 503 while `accept` is false) and answers 202 otherwise.
import { createServer, Server } from 'node:http';

export interface ValidationReceiver {
  /** What PUBLIC_BASE_URL should be. */
  baseUrl: string;
  accept: boolean;
  validations: number;
  close(): Promise<void>;
}

export async function startValidationReceiver(): Promise<ValidationReceiver> {
  const receiver = { accept: true, validations: 0 } as ValidationReceiver;
  const server: Server = createServer((req, res) => {
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
    req.resume();
    if (token === null) {
      res.writeHead(202).end();
      return;
    }
    receiver.validations += 1;
    if (!receiver.accept) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(token);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  receiver.baseUrl = `http://127.0.0.1:${port}`;
  receiver.close = () => new Promise<void>((done) => server.close(() => done()));
  return receiver;
}
