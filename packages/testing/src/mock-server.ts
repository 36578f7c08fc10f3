// A simulated OpenAI-compatible Chat Completions server on node:http, for tests and benchmarks.
// It speaks the real wire format (JSON and SSE), injects faults, and stays cheap at 10,000
// concurrent keep-alive clients: per request it allocates one body buffer and at most one timer.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockFault, MockFaultFunction, MockReply, MockRequest, MockResponder, MockResult, MockTruncateFault } from './mock-server-types.js';
import { isFault, sendFault } from './mock-faults.js';
import { modelNotFound, modelObject, sendError, sendJson, sendResponderError } from './mock-http.js';
import { sendReply } from './mock-reply.js';
import type { StreamPacing } from './mock-stream.js';
import { authKey, matchChat, MAX_BODY_BYTES, MODELS_PATHS, parseChatBody, pathOf, publicHeaders } from './mock-request.js';
import { toolScenario } from './scenarios.js';

export { isFault } from './mock-faults.js';
export { maskApiKey } from './mock-http.js';

export interface MockLlmServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Delay before answering each chat-completions request. Default 0. */
  latencyMs?: number;
  /** Delay between SSE chunks of a stream. Default 0 (the whole stream is written at once). */
  chunkDelayMs?: number;
  /** Largest content / arguments piece per stream chunk; short texts still come in 3 pieces. Default 16. */
  chunkChars?: number;
  /**
   * How to answer: a function of the request, or a list of results used in order by the requests
   * that reach the responder (a request that got a fault uses none; one past the end gets a 400
   * `mock_script_exhausted` error). reset() rewinds a list.
   * Default: `toolScenario({ toolCalls })`.
   */
  responder?: MockResponder | readonly MockResult[];
  /** Tool calls before final_answer for the default responder. Default 2. */
  toolCalls?: number;
  /** Faults by request index (null/undefined entries: no fault), or a function of the request. Checked before the responder. */
  faults?: readonly (MockFault | null | undefined)[] | MockFaultFunction;
  /** Keep every request in `requests`. Default true; turn off for long benchmarks. */
  recordRequests?: boolean;
  /** Model ids listed by GET /v1/models. Default ["mock-model"]. */
  models?: readonly string[];
}

export interface MockLlmServer {
  /** e.g. "http://127.0.0.1:39123" (also the Azure `endpoint`). */
  readonly url: string;
  /** `url + "/v1"`: the OpenAI SDK's `baseURL`. */
  readonly baseURL: string;
  readonly port: number;
  /** Chat-completions requests received (with a valid JSON body) since start or reset(). */
  readonly requestCount: number;
  /** Those requests, in order (empty when recordRequests is false). Headers exclude credentials. */
  readonly requests: readonly MockRequest[];
  /** Every HTTP request by path (query excluded), including /v1/models and unknown paths. */
  readonly countsByPath: Readonly<Record<string, number>>;
  /** Zero the counters and the request log; request indexes (faults) and a scripted list start again at 0. */
  reset(): void;
  /** Stop listening and destroy every connection, idle, streaming or hanging. Idempotent. */
  close(): Promise<void>;
  readonly server: http.Server;
}
function noop(): void {}

/** Start the simulated server; resolves once it is listening. */
export async function startMockLlmServer(options: MockLlmServerOptions = {}): Promise<MockLlmServer> {
  const mock = new MockServer(options);
  await mock.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return mock;
}

class MockServer implements MockLlmServer {
  readonly server: http.Server;
  url = '';
  baseURL = '';
  port = 0;
  requestCount = 0;
  requests: MockRequest[] = [];
  countsByPath: Record<string, number> = Object.create(null);

  private nextIndex = 0;
  private closed: Promise<void> | undefined;
  private readonly pacing: StreamPacing;
  private readonly latencyMs: number;
  private readonly responder: MockResponder & { rewind?: () => void };
  private readonly faults: MockServerOptionsFaults;
  private readonly record: boolean;
  private readonly models: readonly string[];

  constructor(options: MockLlmServerOptions) {
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.pacing = { chunkDelayMs: Math.max(0, options.chunkDelayMs ?? 0), chunkChars: Math.max(1, options.chunkChars ?? 16), timers: new Set() };
    this.responder = toResponder(options.responder, options.toolCalls);
    this.faults = options.faults;
    this.record = options.recordRequests ?? true;
    this.models = options.models ?? ['mock-model'];
    this.server = http.createServer(
      {
        keepAlive: true,
        keepAliveTimeout: 30_000,
        noDelay: true,
        // One interval for the whole server checks header/request timeouts; no per-request timers.
        connectionsCheckingInterval: 30_000,
        headersTimeout: 60_000,
        requestTimeout: 0,
      },
      this.onRequest,
    );
    this.server.keepAliveTimeout = 30_000;
    this.server.maxHeadersCount = 100;
    this.server.maxRequestsPerSocket = 0;
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ port, host, backlog: 65_535 }, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        this.port = address.port;
        const h = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
        this.url = `http://${h}:${this.port}`;
        this.baseURL = `${this.url}/v1`;
        resolve();
      });
    });
  }

  reset(): void {
    this.requestCount = 0;
    this.nextIndex = 0;
    this.requests = [];
    this.countsByPath = Object.create(null);
    this.responder.rewind?.();
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      for (const t of this.pacing.timers) clearTimeout(t);
      this.pacing.timers.clear();
      if (!this.server.listening) {
        this.server.closeAllConnections();
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closed;
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const path = pathOf(url);
    this.countsByPath[path] = (this.countsByPath[path] ?? 0) + 1;
    req.on('error', noop);
    res.on('error', noop);

    const method = req.method ?? 'GET';
    const { chat, deployment } = matchChat(path);

    if (chat && method === 'POST') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          sendError(res, 413, { message: 'Request body too large.', type: 'invalid_request_error', param: null, code: null }, { connection: 'close' });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (size > MAX_BODY_BYTES) return;
        const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
        this.onChatBody(req, res, url, path, deployment, raw);
      });
      return;
    }

    req.resume();
    if (method === 'GET' && MODELS_PATHS.has(path)) {
      sendJson(res, 200, { object: 'list', data: this.models.map(modelObject) });
      return;
    }
    if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (this.models.includes(id)) sendJson(res, 200, modelObject(id));
      else sendError(res, 404, modelNotFound(id));
      return;
    }
    sendError(res, 404, { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', param: null, code: null });
  };

  private onChatBody(req: IncomingMessage, res: ServerResponse, url: string, path: string, deployment: string | undefined, raw: Buffer): void {
    const parsed = parseChatBody(raw);
    if ('error' in parsed) {
      sendError(res, 400, parsed.error);
      return;
    }
    const body = parsed.body;

    const request: MockRequest = { index: this.nextIndex++, method: 'POST', path, url, body, headers: publicHeaders(req), deployment };
    this.requestCount++;
    if (this.record) this.requests.push(request);

    let fault: MockFault | null | undefined;
    try {
      fault = typeof this.faults === 'function' ? this.faults(request) : this.faults?.[request.index];
    } catch (err) {
      sendResponderError(res, err);
      return;
    }
    const key = authKey(req);
    const bodyBytes = raw.length;
    if (fault && 'hang' in fault && fault.hang) return; // close() destroys the connection.

    if (this.latencyMs > 0) {
      const timer = setTimeout(() => {
        this.pacing.timers.delete(timer);
        this.respond(request, res, fault, bodyBytes, key);
      }, this.latencyMs);
      this.pacing.timers.add(timer);
    } else {
      this.respond(request, res, fault, bodyBytes, key);
    }
  }

  private respond(request: MockRequest, res: ServerResponse, fault: MockFault | null | undefined, bodyBytes: number, key: string | undefined): void {
    if (res.destroyed) return;
    if (fault && !('truncate' in fault && fault.truncate)) {
      sendFault(request, res, fault, key);
      return;
    }
    let result: MockResult | Promise<MockResult>;
    try {
      result = this.responder(request);
    } catch (err) {
      sendResponderError(res, err);
      return;
    }
    const truncate = fault as MockTruncateFault | null | undefined;
    if (result && typeof (result as Promise<MockResult>).then === 'function') {
      (result as Promise<MockResult>).then(
        (r) => this.deliver(request, res, r, bodyBytes, key, truncate),
        (err: unknown) => sendResponderError(res, err),
      );
    } else {
      this.deliver(request, res, result as MockResult, bodyBytes, key, truncate);
    }
  }

  private deliver(request: MockRequest, res: ServerResponse, result: MockResult, bodyBytes: number, key: string | undefined, truncate: MockTruncateFault | null | undefined): void {
    if (res.destroyed) return;
    if (typeof result === 'string') result = { content: result };
    if (result === null || typeof result !== 'object') {
      sendResponderError(res, new TypeError(`responder returned ${result === null ? 'null' : typeof result}`));
      return;
    }
    if (isFault(result)) {
      if ('hang' in result && result.hang) return;
      if (!('truncate' in result && result.truncate)) {
        sendFault(request, res, result, key);
        return;
      }
      // A truncate fault from the responder has no reply to cut: send an empty answer, cut.
      truncate = result as MockTruncateFault;
      result = { content: 'This answer will be cut short before it finishes.' };
    }
    sendReply(request, res, result as MockReply, bodyBytes, truncate ?? undefined, this.pacing);
  }
}

type MockServerOptionsFaults = MockLlmServerOptions['faults'];

function toResponder(responder: MockLlmServerOptions['responder'], toolCalls: number | undefined): MockResponder & { rewind?: () => void } {
  if (responder === undefined) return toolScenario({ toolCalls });
  if (typeof responder === 'function') return responder;
  if (!Array.isArray(responder)) throw new TypeError('startMockLlmServer: `responder` must be a function or a list of replies.');
  const list = [...responder];
  let next = 0;
  const scripted: MockResponder & { rewind?: () => void } = (request) => {
    if (next < list.length) return list[next++];
    return {
      status: 400,
      body: {
        error: {
          message: `smol mock server: the scripted replies are exhausted (${list.length} given; request index ${request.index}).`,
          type: 'invalid_request_error',
          param: null,
          code: 'mock_script_exhausted',
        },
      },
    };
  };
  scripted.rewind = () => {
    next = 0;
  };
  return scripted;
}
