// The vendor-neutral half of a provider's wire tests: a loopback node:http server that records
// every request and hands it to the test's handler, which answers with recorded fixtures (JSON,
// SSE, a cut stream or a hung one). The routes, auth and error bodies of a vendor stay in its tests.
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fixture server recorded it. */
export interface FixtureRequest {
  method: string;
  /** The URL before the first `?`. */
  path: string;
  /** The URL after the first `?` ("" without one). */
  query: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON; `{}` when it is empty or not JSON. */
  body: Record<string, any>;
}

/** Answers one request; `request` has already been recorded. */
export type FixtureHandler<R = FixtureRequest> = (request: R, res: ServerResponse) => void;

export interface FixtureServerOptions<R> {
  /** What to record for a request (and hand to the handler) instead of the FixtureRequest itself. */
  record?: (request: FixtureRequest, req: IncomingMessage) => R;
}

export interface FixtureServer<R = FixtureRequest> {
  /** "http://127.0.0.1:PORT" */
  url: string;
  port: number;
  /** Every request so far, in arrival order (one live array). */
  requests: R[];
  /** Resolves when the nth request (from 1) has arrived. */
  arrived(n: number): Promise<void>;
  /** Resolves when the connection of a response passed to hang() closes (the client gave up). */
  clientClosed: Promise<void>;
  /** Starts an SSE answer and never finishes it: `first` is written if given, else just the headers. */
  hang(res: ServerResponse, first?: string): void;
  /** Stops listening and destroys every connection, keep-alive ones included. */
  close(): Promise<void>;
  server: http.Server;
}

// The servers started and not closed yet, for closeFixtureServers().
const open = new Set<FixtureServer<any>>();

/** Closes every fixture server that is still open: `afterEach(closeFixtureServers)`. */
export async function closeFixtureServers(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
}

/** Starts a fixture server on 127.0.0.1 and a free port; resolves once it is listening. */
export async function startFixtureServer<R = FixtureRequest>(handler: FixtureHandler<R>, options: FixtureServerOptions<R> = {}): Promise<FixtureServer<R>> {
  const record = options.record ?? ((request: FixtureRequest) => request as unknown as R);
  const requests: R[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let markClosed!: () => void;
  const clientClosed = new Promise<void>((r) => (markClosed = r));

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
    const request = record({ method: req.method ?? '', path, query, headers: req.headers, body }, req);
    requests.push(request);
    for (const w of waiters.splice(0)) if (requests.length >= w.n) w.resolve();
    else waiters.push(w);
    handler(request, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const fixtureServer: FixtureServer<R> = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    clientClosed,
    server,
    arrived: (n) => (requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    hang: (res, first) => {
      res.on('close', markClosed);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (first !== undefined) res.write(first);
      else res.flushHeaders();
    },
    close: () => {
      open.delete(fixtureServer);
      return new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      });
    },
  };
  open.add(fixtureServer);
  return fixtureServer;
}

export interface WriteSseOptions {
  /** Write the stream in pieces of this many bytes, cut anywhere, so the client's SSE parser must reassemble events. Default: one write. */
  chunkBytes?: number;
  /** Headers besides `content-type: text/event-stream` (they may override it). */
  headers?: Record<string, string>;
}

/** Answers 200 with a whole SSE stream: raw SSE text (a `.sse` fixture) or a list of events, each ending in a blank line. */
export function writeSse(res: ServerResponse, events: string | readonly string[], options: WriteSseOptions = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', ...options.headers });
  const bytes = Buffer.from(typeof events === 'string' ? events : events.join(''));
  const step = Math.max(1, options.chunkBytes ?? bytes.length);
  for (let i = 0; i < bytes.length; i += step) res.write(bytes.subarray(i, i + step));
  res.end();
}

/** Answers 200 with the start of an SSE stream, then destroys the socket (5 ms after the write): a stream cut mid-way. */
export function writeTruncatedSse(res: ServerResponse, partial: string, headers?: Record<string, string>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', ...headers });
  res.write(partial, () => setTimeout(() => res.socket?.destroy(), 5));
}

/** A reader of the UTF-8 fixture files in `dir`, e.g. `fixtureReader(new URL('../__fixtures__/', import.meta.url))`. */
export function fixtureReader(dir: URL): (name: string) => string {
  return (name) => readFileSync(new URL(name, dir), 'utf8');
}
