// The handler on node:http: `serve(agents, { port })`, with the server's timeouts set on purpose,
// loopback-only unless told otherwise, and a graceful shutdown on SIGTERM/SIGINT.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { AgentConfigError, AgentError } from '@smol/core';
import { createHandler, type HandlerOptions, type SmolHandler } from './handler.js';

/** Listening failed (port in use, no permission). The message is one line for the user. */
export class ServerListenError extends AgentError {
  static override readonly kind: string = 'ServerListenError';
}

export interface ServeOptions extends Omit<HandlerOptions, 'agents'> {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Any other address needs `tokens`, or `allowUnauthenticated: true`. */
  host?: string;
  /** Listen on a non-loopback address without tokens. */
  allowUnauthenticated?: boolean;
  /** Time to receive a request's headers. Default 10 s. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request (headers and body; not the response). Default 30 s. */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** On shutdown, how long runs may go on before they are aborted. Default 10 s. */
  shutdownTimeoutMs?: number;
  /** Shut down gracefully on SIGTERM and SIGINT. Default true. */
  handleSignals?: boolean;
}

export interface SmolServer {
  url: string;
  port: number;
  host: string;
  handler: SmolHandler;
  server: Server;
  readonly activeRuns: number;
  /** Stops accepting, lets runs finish up to the deadline, aborts the rest, closes every connection. */
  close(deadlineMs?: number): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** A Node request as a web Request; its signal aborts when the client goes away before the response ends. */
export function toRequest(req: IncomingMessage, res: ServerResponse): Request {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    } catch {
      // A header value fetch rejects (Node accepted it): skipped.
    }
  }
  const method = req.method ?? 'GET';
  const path = req.url?.startsWith('/') ? req.url : '/';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: controller.signal };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(`http://${headers.get('host')?.replace(/[^\w.:[\]-]/g, '') || 'localhost'}${path}`, init);
}

/** Writes a web Response to Node, streaming its body with backpressure; a client that leaves cancels the body. */
export async function writeResponse(response: Response, res: ServerResponse, method = 'GET'): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body || method === 'HEAD') {
    // HEAD: the headers only; an event stream's body is cancelled, not read to its end.
    void response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const gone = () => void reader.cancel().catch(() => {});
  res.once('close', gone);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off('drain', go);
            res.off('close', go);
            resolve();
          };
          res.once('drain', go);
          res.once('close', go);
        });
      }
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', gone);
  }
}

/** A node:http request listener for a handler. */
export function nodeListener(handler: SmolHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let request: Request;
    try {
      request = toRequest(req, res);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"Malformed request."}');
      return;
    }
    handler.fetch(request).then(
      (response) => writeResponse(response, res, req.method),
      () => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"Internal server error."}');
      },
    );
  };
}

/**
 * Serves agents on Node: `await serve(agent, { port: 3000 })`. Resolves once listening; rejects
 * with ServerListenError when the port is taken.
 */
export async function serve(agents: HandlerOptions['agents'], options: ServeOptions = {}): Promise<SmolServer> {
  const host = options.host ?? '127.0.0.1';
  const hasTokens = options.tokens !== undefined && (typeof options.tokens === 'string' ? options.tokens !== '' : options.tokens.length > 0);
  if (!LOOPBACK.has(host) && !hasTokens && !options.allowUnauthenticated) {
    throw new AgentConfigError(`Refusing to listen on ${host} without a token: set \`tokens\`, or \`allowUnauthenticated: true\` if the network is trusted.`);
  }
  const handler = createHandler({ ...options, agents });
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  // Responses still being written; shutdown lets them end before closing connections.
  let inflight = 0;
  let drained: (() => void) | undefined;
  const listener = nodeListener(handler);
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      headersTimeout,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      // How often Node checks the two timeouts above (its default, 30 s, would let them run long).
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(headersTimeout / 2))),
    },
    (req, res) => {
      inflight++;
      res.once('close', () => {
        if (--inflight === 0) drained?.();
      });
      listener(req, res);
    },
  );
  // No idle-socket timeout: event streams stay open for a run's length and send a heartbeat.
  server.timeout = 0;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const what = error.code === 'EADDRINUSE' ? 'is already in use' : error.code === 'EACCES' ? 'needs more permissions' : `failed (${error.code ?? error.message})`;
      reject(new ServerListenError(`Port ${options.port ?? 3000} on ${host} ${what}.`));
    };
    server.once('error', failed);
    server.listen(options.port ?? 3000, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  const onSignal = () => void close();
  const close = (deadlineMs = options.shutdownTimeoutMs ?? 10_000) =>
    (closing ??= (async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await handler.shutdown(deadlineMs);
      // The runs are over; their answers are being written. Give them a moment, then close everything.
      if (inflight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      server.closeAllConnections();
      await closed;
    })());
  if (options.handleSignals ?? true) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return {
    url: `http://${shown}:${port}`,
    port,
    host,
    handler,
    server,
    get activeRuns() {
      return handler.activeRuns;
    },
    close,
  };
}
