// A fetch over node:http(s) keep-alive Agents, for the official SDKs' `fetch` option.
// Measured here: a keep-alive node:http loop spent 0.24 ms of CPU per step where the global fetch spent 0.66.
// Builtins come from process.getBuiltinModule, so this module also loads outside Node.
import type * as Http from 'node:http';
import type * as Zlib from 'node:zlib';
import { NodeBody, NodeResponse } from './node-response.js';
import { inTurn } from './turns.js';

export interface NodeFetchOptions {
  /** Sockets per origin, in use or idle. Default 1024: enough for thousands of concurrent agents, well under the usual open-files limit. */
  maxSockets?: number;
  /** Idle sockets kept per origin. Default 1024 (they close after `timeout` idle). */
  maxFreeSockets?: number;
  /** TCP keep-alive probe delay on kept sockets. Default 1000 ms. */
  keepAliveMsecs?: number;
  /** An idle pooled socket is closed after this long. Requests in flight are not timed out (the SDK does that). Default 5000 ms. */
  timeout?: number;
}

export type FetchFunction = typeof globalThis.fetch;

/**
 * A second abort signal for smol's fetch, handed over in an SDK's per-request `fetchOptions`
 * (`{ [RUN_SIGNAL]: signal }`) instead of its `signal` option. Given a caller's signal, the
 * official SDKs combine it with their own through AbortSignal.any on every request, which cost
 * 0.05 ms of CPU per request here (a tenth of the openai SDK's whole cost); this way the run's
 * signal reaches the socket with one listener. Only smol's fetch reads it (and a fetch that
 * declares it does: see readsRunSignal); with another fetch, pass the SDK the signal.
 */
export const RUN_SIGNAL: unique symbol = Symbol.for('smol.runSignal');

/**
 * Whether `fetch` honours RUN_SIGNAL, which it says with `fetch[RUN_SIGNAL] === true`: every fetch
 * createNodeFetch makes does, and so may a fetch of your own that passes `init` on to smol's (a
 * logging or metrics wrapper keeps the cheaper path that way).
 */
export function readsRunSignal(fetch: unknown): boolean {
  return typeof fetch === 'function' && (fetch as { [RUN_SIGNAL]?: unknown })[RUN_SIGNAL] === true;
}

/**
 * The per-request options that give an official SDK (openai, @anthropic-ai/sdk) the run's signal:
 * beside its own, through `fetchOptions`, when the client's fetch reads RUN_SIGNAL (`runSignal`,
 * from readsRunSignal once per client); as its `signal` option otherwise.
 */
export function sdkSignalOptions(signal: AbortSignal | undefined, runSignal: boolean): { signal?: AbortSignal; fetchOptions?: RequestInit } {
  if (!signal) return {};
  return runSignal ? { fetchOptions: { [RUN_SIGNAL]: signal } as RequestInit } : { signal };
}

const NULL_BODY = new Set([101, 204, 205, 304]);

/** A fetch-compatible function with one keep-alive Agent per protocol, shared by all its calls. No redirects are followed. */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchFunction {
  const http = process.getBuiltinModule('node:http') as typeof Http;
  const https = process.getBuiltinModule('node:https') as typeof import('node:https');
  const zlib = process.getBuiltinModule('node:zlib') as typeof Zlib;
  const agentOptions: Http.AgentOptions = {
    keepAlive: true, scheduling: 'lifo', maxSockets: options.maxSockets ?? 1024, maxFreeSockets: options.maxFreeSockets ?? 1024,
    keepAliveMsecs: options.keepAliveMsecs ?? 1000, timeout: options.timeout ?? 5000,
  };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

  const nodeFetch = function nodeFetch(input: RequestInfo | URL, init?: RequestInit & { [RUN_SIGNAL]?: AbortSignal }): Promise<Response> {
    const request = typeof input === 'object' && 'url' in input && !(input instanceof URL) ? (input as Request) : undefined;
    const url = new URL(request ? request.url : String(input));
    const own = init?.signal ?? request?.signal ?? undefined;
    const run = init?.[RUN_SIGNAL];
    if (run?.aborted) return Promise.reject(abortReason(run));
    if (own?.aborted) return Promise.reject(abortReason(own));
    const agent = agents[url.protocol as 'http:' | 'https:'];
    if (!agent) return Promise.reject(new TypeError(`fetch failed: unsupported protocol ${url.protocol}`));
    const headers: Record<string, string> = {};
    // The SDKs pass a Headers already; copying it into another one would only re-validate.
    const given = init?.headers ?? request?.headers;
    (given instanceof Headers ? given : new Headers(given)).forEach((v, k) => (headers[k] = v));
    let body = init?.body !== undefined ? init.body : (request?.body ?? null);
    if (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array) && !(body instanceof ReadableStream)) {
      const wrapped = new Response(body as BodyInit); // FormData, Blob, URLSearchParams, ArrayBuffer
      if (!headers['content-type'] && wrapped.headers.has('content-type')) headers['content-type'] = wrapped.headers.get('content-type')!;
      body = wrapped.body;
    }

    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const req = (url.protocol === 'https:' ? https : http).request(url, { method: init?.method ?? request?.method ?? 'GET', headers, agent });
      // Whichever signal aborts first; its reason is what the caller sees.
      let aborted: AbortSignal | undefined;
      const onAbort = (event: Event): void => {
        aborted = event.target as AbortSignal;
        cleanup();
        req.destroy(abortReason(aborted) as Error);
        // An answer still waiting for its turn (turns.ts) is not delivered; a delivered one stays.
        reject(abortReason(aborted));
      };
      const cleanup = (): void => {
        own?.removeEventListener('abort', onAbort);
        run?.removeEventListener('abort', onAbort);
      };
      own?.addEventListener('abort', onAbort, { once: true });
      run?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error) => {
        cleanup();
        if (!settled) reject(aborted ? abortReason(aborted) : new TypeError('fetch failed', { cause: error }));
      });
      req.once('response', (res) => {
        settled = true;
        const responseHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const status = res.statusCode ?? 0;
        if (NULL_BODY.has(status) || req.method === 'HEAD') {
          res.resume().once('end', cleanup);
          return resolve(new Response(null, { status, statusText: res.statusMessage, headers: responseHeaders }));
        }
        const encoding = res.headers['content-encoding'];
        const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'br' ? zlib.createBrotliDecompress() : encoding === 'deflate' ? zlib.createInflate() : undefined;
        if (decoder) res.on('error', (e) => decoder.destroy(e)).pipe(decoder);
        const mapError = (error: unknown): unknown => (aborted ? abortReason(aborted) : new TypeError('terminated', { cause: error }));
        const responseBody = new NodeBody(res, decoder ?? res, mapError, cleanup);
        const response = new NodeResponse(responseBody, { status, statusText: res.statusMessage, headers: responseHeaders, url: url.href });
        // What the caller does with an answer waits its turn when the loop is busy (turns.ts).
        inTurn(() => resolve(response));
      });
      // A string or byte body goes in one req.end(): node:http counts it and sends Content-Length itself.
      if (body === null || body === undefined) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else void pump(body as ReadableStream<Uint8Array>, req);
    });
  };
  Object.defineProperty(nodeFetch, RUN_SIGNAL, { value: true });
  return nodeFetch as FetchFunction;
}

async function pump(body: ReadableStream<Uint8Array>, req: Http.ClientRequest): Promise<void> {
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
    }
    req.end();
  } catch (error) {
    req.destroy(error as Error);
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

let shared: FetchFunction | undefined;

/** One process-wide node fetch, shared by every provider that does not get its own. */
export function getDefaultNodeFetch(): FetchFunction {
  return (shared ??= createNodeFetch());
}

/** The shared node fetch on Node (and runtimes that provide node:http), else globalThis.fetch. */
export function defaultFetch(): FetchFunction {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof process.getBuiltinModule === 'function';
  return isNode ? getDefaultNodeFetch() : globalThis.fetch;
}
