// A loopback server that speaks the Anthropic Messages API (POST /v1/messages) from the
// fixtures in __fixtures__: JSON bodies, SSE streams, error bodies, cut and hung connections.
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const FIXTURES = new URL('../__fixtures__/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export interface ReceivedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

/** What to answer one request with. */
export type Reply =
  | { json: unknown; status?: number; headers?: Record<string, string> }
  | { sse: string; headers?: Record<string, string> }
  /** Send this much SSE, then destroy the socket. */
  | { truncate: string }
  /** Never answer; the test aborts. */
  | { hang: true }
  | { error: 401 | 404 | 429 | 500 | 529; headers?: Record<string, string> };

export interface AnthropicTestServer {
  url: string;
  requests: ReceivedRequest[];
  /** Resolves when the nth request (from 1) has arrived. */
  arrived(n: number): Promise<void>;
  /** Resolves when a hung request's connection has been closed by the client. */
  clientClosed: Promise<void>;
  close(): Promise<void>;
}

export interface AnthropicTestServerOptions {
  apiKey: string;
  models?: string[];
  /** Replies in request order; the last one repeats. */
  replies: Reply[];
}

export async function startAnthropicServer(options: AnthropicTestServerOptions): Promise<AnthropicTestServer> {
  const models = new Set(options.models ?? ['claude-sonnet-5']);
  const requests: ReceivedRequest[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let markClosed!: () => void;
  const clientClosed = new Promise<void>((r) => (markClosed = r));
  let index = 0;

  const send = (res: ServerResponse, reply: Reply, model: string): void => {
    if ('hang' in reply) {
      res.on('close', markClosed);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      return;
    }
    if ('truncate' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(reply.truncate, () => setTimeout(() => res.socket?.destroy(), 5));
      return;
    }
    if ('sse' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
      // Split the stream at arbitrary byte positions so the SDK's SSE parser reassembles events.
      const bytes = Buffer.from(reply.sse);
      for (let i = 0; i < bytes.length; i += 97) res.write(bytes.subarray(i, i + 97));
      res.end();
      return;
    }
    if ('error' in reply) {
      const body = fixture(`error-${reply.error}.json`).replace('{{model}}', model);
      const extra = reply.error === 429 && !reply.headers ? { 'retry-after': '0' } : {};
      res.writeHead(reply.error, { 'content-type': 'application/json', 'request-id': 'req_test', ...extra, ...reply.headers });
      res.end(body);
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', 'request-id': 'req_test', ...reply.headers });
    res.end(JSON.stringify(reply.json));
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const [path, query = ''] = (req.url ?? '').split('?');
    let body: Record<string, any> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      /* keep {} */
    }
    requests.push({ method: req.method ?? '', path, query, headers: req.headers, body });
    for (const w of waiters.splice(0)) if (requests.length >= w.n) w.resolve();
    else waiters.push(w);

    if (req.method !== 'POST' || path !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not Found' } }));
      return;
    }
    // The real API takes the key as x-api-key; SDK 1.13 sends it as a bearer token. Accept both.
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const key = (req.headers['x-api-key'] as string | undefined) ?? bearer;
    if (key !== options.apiKey) return send(res, { error: 401 }, '');
    if (!models.has(String(body.model))) return send(res, { error: 404 }, String(body.model));
    const reply = options.replies[Math.min(index++, options.replies.length - 1)];
    send(res, reply, String(body.model));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    clientClosed,
    arrived: (n) => (requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
