// A loopback server speaking what @huggingface/inference talks to: a TGI / Inference Endpoint
// (POST /v1/chat/completions), the Inference Providers router (under /router) and the Hub's
// provider-mapping lookup (under /hub). `routerFetch` sends the client's real hostnames here.
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
  | { json: unknown; status?: number; headers?: Record<string, string> }
  | { sse: string }
  /** Send this much SSE, then destroy the socket. */
  | { truncate: string }
  /** Answer nothing; `dribble` sends one role chunk first (a stream that then stalls). */
  | { hang: true; dribble?: boolean }
  | { error: 401 | 404 | 429 | 500 | 503; headers?: Record<string, string> };

export interface HfTestServer {
  url: string;
  requests: ReceivedRequest[];
  arrived(n: number): Promise<void>;
  /** Resolves when a hung request's connection is closed by the client. */
  clientClosed: Promise<void>;
  /** A fetch that rewrites https://router.huggingface.co and https://huggingface.co to this server. */
  routerFetch: typeof globalThis.fetch;
  close(): Promise<void>;
}

export interface HfTestServerOptions {
  /** The token the server accepts; undefined accepts any (a TGI without auth). */
  token?: string;
  /** Models the router knows; others get a 404 there. TGI ignores `model`. */
  routerModels?: string[];
  replies: Reply[];
}

const CHAT = /^(?:\/router(?:\/[a-z-]+)?)?(?:\/v1)?\/chat\/completions$/;

export async function startHfServer(options: HfTestServerOptions): Promise<HfTestServer> {
  const requests: ReceivedRequest[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let markClosed!: () => void;
  const clientClosed = new Promise<void>((r) => (markClosed = r));
  let index = 0;

  const send = (res: ServerResponse, reply: Reply, model: string): void => {
    if ('hang' in reply) {
      res.on('close', markClosed);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (reply.dribble) res.write(fixture('tgi-stream-text.sse').split('\n\n')[0] + '\n\n');
      else res.flushHeaders();
      return;
    }
    if ('truncate' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(reply.truncate, () => setTimeout(() => res.socket?.destroy(), 5));
      return;
    }
    if ('sse' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const bytes = Buffer.from(reply.sse);
      for (let i = 0; i < bytes.length; i += 101) res.write(bytes.subarray(i, i + 101));
      res.end();
      return;
    }
    if ('error' in reply) {
      const extra = reply.error === 429 && !reply.headers ? { 'retry-after': '0' } : {};
      res.writeHead(reply.error, { 'content-type': 'application/json', 'x-request-id': 'req-test', ...extra, ...reply.headers });
      res.end(fixture(`error-${reply.error}.json`).replace('{{model}}', model));
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
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

    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (options.token !== undefined && bearer !== options.token) return send(res, { error: 401 }, '');
    if (req.method === 'GET' && path.startsWith('/hub/api/models/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fixture('hub-inference-provider-mapping.json'));
      return;
    }
    if (req.method !== 'POST' || !CHAT.test(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Not Found' }));
      return;
    }
    const model = String(body.model);
    if (path.startsWith('/router') && options.routerModels && !options.routerModels.includes(model)) return send(res, { error: 404 }, model);
    send(res, options.replies[Math.min(index++, options.replies.length - 1)], model);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const routerFetch: typeof globalThis.fetch = (input, init) => {
    const target = String(input instanceof Request ? input.url : input)
      .replace('https://router.huggingface.co', `${url}/router`)
      .replace('https://huggingface.co', `${url}/hub`);
    return globalThis.fetch(target, init);
  };
  return {
    url,
    requests,
    clientClosed,
    routerFetch,
    arrived: (n) => (requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
