// A stand-in for the producer, for the UI-level browser tests (what a page shows for a given answer): CORS
// like the producer's (the dashboard is on another origin, preflights included), every request recorded,
// answers decided by the test, and GET /api/events held open as Server-Sent Events the test pushes. The
// same flows against the real producer are in the e2e-*.test.ts files.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Dashboard, startDashboard } from './dashboard.js';
import { close, listen } from './http.js';

export interface FakeRequest {
  route: string;
  query: URLSearchParams;
  authorization?: string;
  body: string;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What the stand-in answers; undefined is a 404 in the producer's error shape. */
export type Answerer = (request: FakeRequest) => FakeAnswer | undefined;

export interface FakeApi {
  url: string;
  /** Every request so far (preflights aside), oldest first. */
  requests: FakeRequest[];
  forgetRequests(): void;
  count(route: string): number;
  /** One SSE event to every open GET /api/events (as the producer sends to this user's streams). */
  push(event: string, data: unknown): void;
  close(): Promise<void>;
}

/** Like the producer (enableCors with credentials): the origin echoed, credentials allowed. */
function corsHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE',
    'access-control-expose-headers': 'retry-after',
    vary: 'Origin',
  };
}

export async function startFakeApi(answer: Answerer): Promise<FakeApi> {
  const requests: FakeRequest[] = [];
  let streams: ServerResponse[] = [];

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const cors = corsHeaders(req);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const request: FakeRequest = {
      route: `${req.method} ${url.pathname}`,
      query: url.searchParams,
      authorization: req.headers.authorization,
      body: '',
    };
    req.on('data', (chunk: Buffer) => (request.body += chunk.toString()));
    req.on('end', () => {
      requests.push(request);
      if (request.route === 'GET /api/events') {
        res.writeHead(200, { ...cors, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(': connected\n\n');
        streams.push(res);
        res.on('close', () => (streams = streams.filter((s) => s !== res)));
        return;
      }
      const { status, body, headers } = answer(request) ?? {
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: request.route },
      };
      res
        .writeHead(status, { ...cors, 'content-type': 'application/json', ...headers })
        .end(body === undefined ? undefined : JSON.stringify(body));
    });
  };

  const { server, url } = await listen(handler);
  return {
    url,
    requests,
    forgetRequests: () => void requests.splice(0),
    count: (route) => requests.filter((r) => r.route === route).length,
    push: (event, data) => {
      for (const s of streams) s.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: () => close(server),
  };
}

/** The stand-in API and the built dashboard pointed at it; the dashboard's `close` closes both. */
export async function startDashboardOnFakeApi(
  answer: Answerer,
): Promise<{ api: FakeApi; dashboard: Dashboard }> {
  const api = await startFakeApi(answer);
  try {
    const dashboard = await startDashboard(() => api.url);
    const closeBoth = async () => {
      await dashboard.close();
      await api.close();
    };
    return { api, dashboard: { ...dashboard, close: closeBoth } };
  } catch (error) {
    await api.close();
    throw error;
  }
}
