// A simulated OpenAI-compatible Chat Completions server on node:http, for tests and benchmarks.
// It speaks the real wire format (JSON and SSE), injects faults, and stays cheap at 10,000
// concurrent keep-alive clients: per request it allocates one body buffer and at most one timer.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ChatCompletionRequestBody,
  MockFault,
  MockFaultFunction,
  MockReply,
  MockRequest,
  MockResponder,
  MockResult,
  MockStatusFault,
  MockTruncateFault,
} from './mock-server-types.js';
import { toolScenario } from './scenarios.js';
import { splitText } from './util.js';

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

const SECRET_HEADERS = new Set(['authorization', 'api-key', 'x-api-key', 'cookie', 'proxy-authorization']);
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const AZURE_CHAT_RE = /^\/openai\/deployments\/([^/]+)\/chat\/completions\/?$/;
const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions', '/openai/v1/chat/completions', '/v1/chat/completions/', '/chat/completions/']);
const MODELS_PATHS = new Set(['/v1/models', '/models', '/openai/models', '/openai/v1/models']);

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
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly latencyMs: number;
  private readonly chunkDelayMs: number;
  private readonly chunkChars: number;
  private readonly responder: MockResponder & { rewind?: () => void };
  private readonly faults: MockServerOptionsFaults;
  private readonly record: boolean;
  private readonly models: readonly string[];

  constructor(options: MockLlmServerOptions) {
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.chunkDelayMs = Math.max(0, options.chunkDelayMs ?? 0);
    this.chunkChars = Math.max(1, options.chunkChars ?? 16);
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
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
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
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    this.countsByPath[path] = (this.countsByPath[path] ?? 0) + 1;
    req.on('error', noop);
    res.on('error', noop);

    const method = req.method ?? 'GET';
    let deployment: string | undefined;
    let chat = CHAT_PATHS.has(path);
    if (!chat && path.startsWith('/openai/deployments/')) {
      const m = AZURE_CHAT_RE.exec(path);
      if (m) {
        chat = true;
        deployment = decodeURIComponent(m[1]);
      }
    }

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
    let body: ChatCompletionRequestBody;
    try {
      body = JSON.parse(raw.toString('utf8')) as ChatCompletionRequestBody;
    } catch {
      sendError(res, 400, {
        message:
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
          'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      sendError(res, 400, { message: 'The request body must be a JSON object.', type: 'invalid_request_error', param: null, code: null });
      return;
    }
    if (!Array.isArray(body.messages)) {
      sendError(res, 400, { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' });
      return;
    }

    const request: MockRequest = { index: this.nextIndex++, method: 'POST', path, url, body, headers: publicHeaders(req), deployment };
    this.requestCount++;
    if (this.record) this.requests.push(request);

    let fault: MockFault | null | undefined;
    try {
      fault = typeof this.faults === 'function' ? this.faults(request) : this.faults?.[request.index];
    } catch (err) {
      this.sendResponderError(res, err);
      return;
    }
    const key = authKey(req);
    const bodyBytes = raw.length;
    if (fault && 'hang' in fault && fault.hang) return; // close() destroys the connection.

    if (this.latencyMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.respond(request, res, fault, bodyBytes, key);
      }, this.latencyMs);
      this.timers.add(timer);
    } else {
      this.respond(request, res, fault, bodyBytes, key);
    }
  }

  private respond(request: MockRequest, res: ServerResponse, fault: MockFault | null | undefined, bodyBytes: number, key: string | undefined): void {
    if (res.destroyed) return;
    if (fault && !('truncate' in fault && fault.truncate)) {
      this.sendFault(request, res, fault, key);
      return;
    }
    let result: MockResult | Promise<MockResult>;
    try {
      result = this.responder(request);
    } catch (err) {
      this.sendResponderError(res, err);
      return;
    }
    const truncate = fault as MockTruncateFault | null | undefined;
    if (result && typeof (result as Promise<MockResult>).then === 'function') {
      (result as Promise<MockResult>).then(
        (r) => this.deliver(request, res, r, bodyBytes, key, truncate),
        (err: unknown) => this.sendResponderError(res, err),
      );
    } else {
      this.deliver(request, res, result as MockResult, bodyBytes, key, truncate);
    }
  }

  private deliver(request: MockRequest, res: ServerResponse, result: MockResult, bodyBytes: number, key: string | undefined, truncate: MockTruncateFault | null | undefined): void {
    if (res.destroyed) return;
    if (typeof result === 'string') result = { content: result };
    if (result === null || typeof result !== 'object') {
      this.sendResponderError(res, new TypeError(`responder returned ${result === null ? 'null' : typeof result}`));
      return;
    }
    if (isFault(result)) {
      if ('hang' in result && result.hang) return;
      if (!('truncate' in result && result.truncate)) {
        this.sendFault(request, res, result, key);
        return;
      }
      // A truncate fault from the responder has no reply to cut: send an empty answer, cut.
      truncate = result as MockTruncateFault;
      result = { content: 'This answer will be cut short before it finishes.' };
    }
    this.sendReply(request, res, result as MockReply, bodyBytes, truncate ?? undefined);
  }

  private sendFault(request: MockRequest, res: ServerResponse, fault: MockFault, key: string | undefined): void {
    if ('reset' in fault && fault.reset) {
      res.destroy();
      return;
    }
    if ('hang' in fault && fault.hang) return;
    const f = fault as MockStatusFault;
    if (typeof f.status !== 'number') {
      this.sendResponderError(res, new TypeError(`unknown fault ${JSON.stringify(fault)}`));
      return;
    }
    const headers: Record<string, string> = { ...f.headers };
    if (f.retryAfterMs !== undefined) {
      headers['retry-after-ms'] = String(f.retryAfterMs);
      headers['retry-after'] ??= String(Math.ceil(f.retryAfterMs / 1000));
    }
    if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
    if (f.status === 429) {
      headers['retry-after'] ??= '1';
      headers['x-ratelimit-limit-requests'] ??= '500';
      headers['x-ratelimit-remaining-requests'] ??= '0';
      headers['x-ratelimit-reset-requests'] ??= `${headers['retry-after']}s`;
    }
    const model = request.body.model ?? request.deployment ?? 'mock-model';
    if (f.body !== undefined) {
      const text = typeof f.body === 'string' ? f.body : JSON.stringify(f.body);
      writeRaw(res, f.status, text, headers);
      return;
    }
    const error = errorFor(f.status, model, key, Number(headers['retry-after'] ?? 1));
    if (f.message !== undefined) error.message = f.message;
    sendError(res, f.status, error, headers);
  }

  private sendResponderError(res: ServerResponse, err: unknown): void {
    if (res.destroyed || res.headersSent) {
      res.destroy();
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    sendError(res, 500, { message: `smol mock server: the responder failed: ${message}`, type: 'server_error', param: null, code: 'mock_responder_error' });
  }

  private sendReply(request: MockRequest, res: ServerResponse, reply: MockReply, bodyBytes: number, truncate: MockTruncateFault | undefined): void {
    const body = request.body;
    const model = typeof body.model === 'string' ? body.model : (request.deployment ?? 'mock-model');
    const calls = reply.toolCalls ?? [];
    const toolCalls = calls.map((c, i) => ({
      id: c.id ?? `call_mock_${request.index}_${i}`,
      type: 'function' as const,
      function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
    }));
    let content: string | null = reply.content ?? (toolCalls.length > 0 ? null : '');
    let finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
    if (content && body.stop) {
      const cut = cutAtStop(content, body.stop);
      if (cut !== content) {
        content = cut;
        if (!reply.finishReason && toolCalls.length === 0) finishReason = 'stop';
      }
    }
    let usage = reply.usage;
    if (!usage) {
      let outChars = content?.length ?? 0;
      for (const c of toolCalls) outChars += c.function.name.length + c.function.arguments.length;
      const prompt = Math.max(1, Math.ceil(bodyBytes / 4));
      usage = { prompt_tokens: prompt, completion_tokens: Math.max(1, Math.ceil(outChars / 4)) };
    }
    const wireUsage = {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    const id = `chatcmpl-mock${request.index}`;
    const created = Math.floor(Date.now() / 1000);
    const requestId = `req_mock${request.index}`;

    if (body.stream === true) {
      const events = this.streamEvents(id, created, model, content, toolCalls, finishReason, body.stream_options?.include_usage === true ? wireUsage : undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId });
      if (truncate) {
        const finishAt = events.length - (body.stream_options?.include_usage ? 3 : 2);
        const n = Math.min(truncate.afterChunks ?? Math.max(2, Math.floor(finishAt / 2)), finishAt);
        cutAfter(res, events.slice(0, n).join(''));
        return;
      }
      if (this.chunkDelayMs === 0) {
        res.end(events.join(''));
        return;
      }
      res.write(events[0]);
      this.drip(res, events, 1);
      return;
    }

    const message: Record<string, unknown> = { role: 'assistant', content, refusal: null, annotations: [] };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    const json = JSON.stringify({
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: wireUsage,
      service_tier: 'default',
      system_fingerprint: 'fp_mock',
    });
    if (truncate) {
      const bytes = Buffer.from(json);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length), 'x-request-id': requestId });
      cutAfter(res, bytes.subarray(0, Math.floor(bytes.length / 2)));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)), 'x-request-id': requestId });
    res.end(json);
  }

  /** Write the remaining events one per chunkDelayMs; stops as soon as the client goes away. */
  private drip(res: ServerResponse, events: string[], i: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (res.destroyed) return;
      if (i === events.length - 1) {
        res.end(events[i]);
        return;
      }
      res.write(events[i]);
      this.drip(res, events, i + 1);
    }, this.chunkDelayMs);
    this.timers.add(timer);
  }

  private streamEvents(
    id: string,
    created: number,
    model: string,
    content: string | null,
    toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[],
    finishReason: string,
    usage: Record<string, unknown> | undefined,
  ): string[] {
    const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"fp_mock","choices":[{"index":0,"delta":`;
    const usageNull = usage ? ',"usage":null' : '';
    const tail = `,"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`;
    const events: string[] = [];
    events.push(`${head}{"role":"assistant","content":${content === null ? 'null' : '""'},"refusal":null}${tail}`);
    if (content) {
      const size = Math.max(1, Math.min(this.chunkChars, Math.ceil(content.length / 3)));
      for (const piece of splitText(content, size)) events.push(`${head}{"content":${JSON.stringify(piece)}}${tail}`);
    }
    for (let i = 0; i < toolCalls.length; i++) {
      const call = toolCalls[i];
      events.push(
        `${head}{"tool_calls":[{"index":${i},"id":${JSON.stringify(call.id)},"type":"function","function":{"name":${JSON.stringify(call.function.name)},"arguments":""}}]}${tail}`,
      );
      const args = call.function.arguments;
      const size = Math.max(1, Math.min(this.chunkChars, Math.ceil(args.length / 3)));
      for (const piece of splitText(args, size)) {
        events.push(`${head}{"tool_calls":[{"index":${i},"function":{"arguments":${JSON.stringify(piece)}}}]}${tail}`);
      }
    }
    events.push(`${head}{},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}]${usageNull}}\n\n`);
    if (usage) {
      events.push(
        `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"fp_mock","choices":[],"usage":${JSON.stringify(usage)}}\n\n`,
      );
    }
    events.push('data: [DONE]\n\n');
    return events;
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

/** True for a fault result (status, reset, truncate or hang), false for a reply. */
export function isFault(result: MockResult): result is MockFault {
  return typeof result === 'object' && result !== null && ('status' in result || 'reset' in result || 'truncate' in result || 'hang' in result);
}

function cutAtStop(content: string, stop: string | string[]): string {
  const list = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  let end = content.length;
  for (const s of list) {
    if (typeof s !== 'string' || s === '') continue;
    const at = content.indexOf(s);
    if (at !== -1 && at < end) end = at;
  }
  return end === content.length ? content : content.slice(0, end);
}

function cutAfter(res: ServerResponse, data: string | Buffer): void {
  res.write(data, () => res.destroy());
}

function publicHeaders(req: IncomingMessage): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!SECRET_HEADERS.has(name)) out[name] = value;
  return out;
}

function authKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length > 0) return auth.replace(/^Bearer\s+/i, '');
  const key = req.headers['api-key'] ?? req.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}

/** Masks a key the way OpenAI's 401 message does: a short prefix, stars, the last 4 characters. */
export function maskApiKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}`;
}

interface WireError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function modelNotFound(model: string): WireError {
  return {
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    type: 'invalid_request_error',
    param: null,
    code: 'model_not_found',
  };
}

function errorFor(status: number, model: string, key: string | undefined, retryAfterSeconds: number): WireError {
  switch (status) {
    case 400:
      return { message: 'Invalid request.', type: 'invalid_request_error', param: null, code: null };
    case 401:
      return key
        ? {
            message: `Incorrect API key provided: ${maskApiKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          }
        : {
            message:
              "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            type: 'invalid_request_error',
            param: null,
            code: null,
          };
    case 403:
      return { message: `You are not allowed to sample from the model \`${model}\`.`, type: 'invalid_request_error', param: null, code: 'model_access_denied' };
    case 404:
      return modelNotFound(model);
    case 429:
      return {
        message: `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${retryAfterSeconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      };
    case 500:
      return { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null };
    case 503:
      return { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', param: null, code: null };
    default:
      return {
        message: `${http.STATUS_CODES[status] ?? 'Error'} (simulated ${status}).`,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: null,
      };
  }
}

function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'smol-mock' };
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void {
  writeRaw(res, status, JSON.stringify(value), headers);
}

function sendError(res: ServerResponse, status: number, error: WireError, headers?: Record<string, string>): void {
  writeRaw(res, status, JSON.stringify({ error }), headers);
}

function writeRaw(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
