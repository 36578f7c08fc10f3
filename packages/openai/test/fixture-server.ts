// A loopback server that replays the recorded fixtures in ../__fixtures__ and records
// every request it sees.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const FIXTURES = new URL('../__fixtures__/', import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export interface Reply {
  /** A file in __fixtures__: .json is sent as JSON, .sse as an event stream, event by event. */
  fixture?: string;
  status?: number;
  headers?: Record<string, string>;
  /** Delay between SSE events. */
  eventDelayMs?: number;
  /** Send this many SSE events, then hold the connection open without ending it. */
  stallAfterEvents?: number;
  /** Never answer. */
  hang?: boolean;
  /** Wait before answering. */
  delayMs?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export interface FixtureServer {
  url: string;
  requests: SeenRequest[];
  /** Replies for the next requests, in order. */
  reply(...replies: Reply[]): void;
  /** Forgets replies a test queued but never used (an aborted test's), and the requests seen. */
  reset(): void;
  /** Connections ever opened, and currently open. */
  connections: { opened: number; open: number };
  /** Resolves when the server has seen the client close the current request's connection or response. */
  closed(): Promise<void>;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const queue: Reply[] = [];
  const requests: SeenRequest[] = [];
  const connections = { opened: 0, open: 0 };
  let closeWaiters: (() => void)[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method!, path: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined });
    res.once('close', () => {
      const waiters = closeWaiters;
      closeWaiters = [];
      for (const w of waiters) w();
    });
    const r = queue.shift() ?? { status: 500, fixture: 'error-500.json' };
    if (r.hang) return;
    if (r.delayMs) await new Promise((done) => setTimeout(done, r.delayMs));
    const name = r.fixture ?? 'chat-completion-text.json';
    const body = fixture(name);
    if (!name.endsWith('.sse')) {
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', 'x-request-id': 'req_fixture', ...r.headers });
      res.end(body);
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...r.headers });
    const events = body.split(/(?<=\n\n)/);
    for (let i = 0; i < events.length; i++) {
      if (r.stallAfterEvents !== undefined && i >= r.stallAfterEvents) return;
      if (res.destroyed) return;
      res.write(events[i]);
      if (r.eventDelayMs) await new Promise((done) => setTimeout(done, r.eventDelayMs));
    }
    res.end();
  });
  server.on('connection', (socket) => {
    connections.opened++;
    connections.open++;
    socket.once('close', () => connections.open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    connections,
    reply: (...replies) => void queue.push(...replies),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    closed: () => new Promise<void>((resolve) => closeWaiters.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
