// A loopback server speaking the Azure OpenAI data plane from the fixtures in __fixtures__:
// POST /openai/deployments/{deployment}/chat/completions?api-version=…, `api-key` or Entra ID bearer auth.
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
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

export type Reply =
  | { json: unknown }
  | { sse: string }
  | { truncate: string }
  | { hang: true }
  | { error: 401 | 404 | 429 | 500; headers?: Record<string, string> };

export interface AzureTestServer {
  url: string;
  requests: ReceivedRequest[];
  arrived(n: number): Promise<void>;
  clientClosed: Promise<void>;
  close(): Promise<void>;
}

export interface AzureTestServerOptions {
  /** Accepted as `api-key`; `bearer` as an Entra ID `Authorization: Bearer` token. */
  apiKey?: string;
  bearer?: string;
  deployments?: string[];
  replies: Reply[];
}

const CHAT = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

export async function startAzureServer(options: AzureTestServerOptions): Promise<AzureTestServer> {
  const deployments = new Set(options.deployments ?? ['gpt-4o-prod']);
  const requests: ReceivedRequest[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let markClosed!: () => void;
  const clientClosed = new Promise<void>((r) => (markClosed = r));
  let index = 0;

  const json = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'apim-request-id': 'b1c2d3e4-test', ...headers });
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
      for (let i = 0; i < bytes.length; i += 89) res.write(bytes.subarray(i, i + 89));
      res.end();
    } else if ('error' in reply) {
      const extra: Record<string, string> = reply.error === 429 && !reply.headers ? { 'retry-after': '0', 'retry-after-ms': '5' } : {};
      json(res, reply.error, fixture(`error-${reply.error}.json`), { ...extra, ...reply.headers });
    } else json(res, 200, JSON.stringify(reply.json));
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: Record<string, any> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      /* keep {} */
    }
    requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body });
    for (const w of waiters.splice(0)) if (requests.length >= w.n) w.resolve();
    else waiters.push(w);

    const match = CHAT.exec(url.pathname);
    if (req.method !== 'POST' || !match || !url.searchParams.get('api-version')) {
      return json(res, 404, JSON.stringify({ error: { code: '404', message: 'Resource not found' } }));
    }
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const ok = (options.apiKey !== undefined && req.headers['api-key'] === options.apiKey) || (options.bearer !== undefined && bearer === options.bearer);
    if (!ok) return send(res, { error: 401 });
    if (!deployments.has(decodeURIComponent(match[1]))) return send(res, { error: 404 });
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
