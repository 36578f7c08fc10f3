// A loopback server speaking what a LiteLLM proxy answers (fixtures in __fixtures__):
// POST /chat/completions or /v1/chat/completions with a bearer virtual key.
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

export type Reply =
  | { json: unknown }
  | { sse: string }
  | { truncate: string }
  | { hang: true }
  | { error: 429 | 500; headers?: Record<string, string> };

export interface LiteLLMTestServer {
  url: string;
  requests: ReceivedRequest[];
  arrived(n: number): Promise<void>;
  clientClosed: Promise<void>;
  close(): Promise<void>;
}

export async function startLiteLLMServer(options: { apiKey?: string; models: string[]; replies: Reply[] }): Promise<LiteLLMTestServer> {
  const requests: ReceivedRequest[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let markClosed!: () => void;
  const clientClosed = new Promise<void>((r) => (markClosed = r));
  let index = 0;

  const json = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-litellm-version': '1.80.0', ...headers });
    res.end(body);
  };

  const send = (res: ServerResponse, reply: Reply): void => {
    if ('hang' in reply) {
      res.on('close', markClosed);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    } else if ('truncate' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(reply.truncate, () => setTimeout(() => res.socket?.destroy(), 5));
    } else if ('sse' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from(reply.sse);
      for (let i = 0; i < bytes.length; i += 83) res.write(bytes.subarray(i, i + 83));
      res.end();
    } else if ('error' in reply) {
      json(res, reply.error, fixture(`error-${reply.error}.json`), { ...(reply.error === 429 && { 'retry-after': '0' }), ...reply.headers });
    } else json(res, 200, JSON.stringify(reply.json));
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

    if (req.method !== 'POST' || (path !== '/chat/completions' && path !== '/v1/chat/completions')) {
      return json(res, 404, JSON.stringify({ detail: 'Not Found' }));
    }
    const key = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return json(res, 401, fixture('error-401.json').replace('{{keytail}}', key.slice(-4)));
    }
    if (!options.models.includes(String(body.model))) return json(res, 400, fixture('error-400-model.json').replace('{{model}}', String(body.model)));
    send(res, options.replies[Math.min(index++, options.replies.length - 1)]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
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
