import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { Agent, request as undiciRequest } from 'undici';
import { UrlRefusedError, WebFetchError } from '../errors.ts';
import { AddressPolicy, ipLiteral, type PrivateNetworkPolicy } from './address-policy.ts';

/** A DNS lookup with node's `dns.lookup(host, { all: true }, cb)` shape; for custom resolvers and tests. */
export type Lookup = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;

export interface NetworkOptions {
  /** Addresses other than public ones that may be reached: `true` for all, or CIDR ranges. Default false. */
  allowPrivateNetwork?: PrivateNetworkPolicy;
  /** Resolves host names; default node's dns.lookup. Every address it returns is checked. */
  lookup?: Lookup;
  /** Time for the whole fetch, redirects and body included. Default 20 000 ms. */
  timeoutMs?: number;
  /** Bytes of body kept; the rest is dropped and the response marked truncated. Default 5 MiB. */
  maxBytes?: number;
  /** Redirects followed. Default 5. */
  maxRedirects?: number;
  /** Sent as User-Agent. */
  userAgent?: string;
}

export interface FetchInit {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Override the client's byte cap for this call. */
  maxBytes?: number;
}

export interface WebResponse {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The content-type header, lower-cased, without parameters ('' when absent). */
  mediaType: string;
  charset: string | undefined;
  body: Uint8Array;
  /** true when the body was longer than the byte cap. */
  truncated: boolean;
}

export const DEFAULT_USER_AGENT = 'Mozilla/5.0 (compatible; smol-tools/0.1; +https://www.npmjs.com/package/@smol/tools)';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Headers that carry credentials: never sent to another origin after a redirect.
const SECRET_HEADERS = ['authorization', 'x-api-key', 'x-subscription-token', 'api-key', 'cookie'];

/**
 * HTTP for tools whose URLs the model chooses. Each connection goes to an address checked after
 * DNS resolution (a custom lookup on the undici Agent, so the checked address is the one used),
 * IP literals are checked before connecting, and redirects are followed by hand, each hop checked.
 */
export class WebClient {
  readonly policy: AddressPolicy;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly userAgent: string;
  private readonly resolve: Lookup;
  // undici loads on the first fetch: importing the toolbox stays cheap.
  private http: Promise<{ agent: Agent; request: typeof undiciRequest }> | undefined;

  constructor(options: NetworkOptions = {}) {
    this.policy = new AddressPolicy(options.allowPrivateNetwork ?? false);
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.resolve = options.lookup ?? ((host, cb) => dnsLookup(host, { all: true }, cb));
  }

  /** Fetches `url`, following redirects; throws UrlRefusedError or WebFetchError, or the abort when `signal` aborts. */
  async fetch(url: string, init: FetchInit): Promise<WebResponse> {
    const parent = init.signal;
    parent.throwIfAborted();
    const controller = new AbortController();
    const onAbort = () => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new WebFetchError(`The request timed out after ${this.timeoutMs} ms.`)), this.timeoutMs);
    try {
      return await this.follow(url, init, controller.signal);
    } catch (error) {
      if (parent.aborted) throw parent.reason ?? error;
      if (controller.signal.aborted && WebFetchError.isInstance(controller.signal.reason)) throw controller.signal.reason;
      if (UrlRefusedError.isInstance(error) || WebFetchError.isInstance(error)) throw error;
      throw new WebFetchError(`Could not fetch ${safeUrl(url)}: ${describeNetworkError(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    if (http) await (await http).agent.close();
  }

  private connect(): Promise<{ agent: Agent; request: typeof undiciRequest }> {
    return (this.http ??= import('undici').then(({ Agent, request }) => {
      const { policy, resolve } = this;
      const agent = new Agent({
        keepAliveTimeout: 4_000,
        connections: 16,
        connect: {
          // The connection's own lookup: the address checked is the address connected to.
          lookup(hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) {
            resolve(hostname, (error, addresses) => {
              if (error) return callback(error);
              try {
                if (addresses.length === 0) throw new WebFetchError(`Could not resolve ${hostname}.`);
                // One refused answer refuses the name: a mixed answer is how DNS rebinding gets in.
                for (const a of addresses) policy.check(a.address, hostname);
              } catch (refused) {
                return callback(refused);
              }
              if (opts.all) callback(null, addresses);
              else callback(null, addresses[0].address, addresses[0].family);
            });
          },
        } as never,
      });
      return { agent, request };
    }));
  }


  private async follow(startUrl: string, init: FetchInit, signal: AbortSignal): Promise<WebResponse> {
    let url = this.checkUrl(startUrl);
    let method = init.method ?? 'GET';
    let body = init.body;
    let headers: Record<string, string> = { 'user-agent': this.userAgent, ...init.headers };
    const origin = url.origin;
    const { agent, request } = await this.connect();
    for (let hop = 0; ; hop++) {
      const res = await request(url, { method, headers, body, signal, dispatcher: agent });
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode) && typeof location === 'string') {
        await res.body.dump();
        if (hop >= this.maxRedirects) throw new WebFetchError(`Too many redirects (more than ${this.maxRedirects}) from ${safeUrl(startUrl)}.`);
        url = this.checkUrl(new URL(location, url).href);
        if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        if (url.origin !== origin) headers = withoutSecrets(headers);
        continue;
      }
      const limit = init.maxBytes ?? this.maxBytes;
      const chunks: Uint8Array[] = [];
      let size = 0;
      let truncated = false;
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        if (size + chunk.length > limit) {
          chunks.push(chunk.subarray(0, limit - size));
          size = limit;
          truncated = true;
          res.body.destroy();
          break;
        }
        chunks.push(chunk);
        size += chunk.length;
      }
      const contentType = String(res.headers['content-type'] ?? '');
      const [mediaType, ...params] = contentType.split(';');
      const charset = params.map((p) => p.trim().match(/^charset\s*=\s*"?([^";\s]+)"?$/i)?.[1]).find(Boolean);
      return {
        url: url.href,
        status: res.statusCode,
        headers: res.headers as WebResponse['headers'],
        mediaType: mediaType.trim().toLowerCase(),
        charset,
        body: concat(chunks, size),
        truncated,
      };
    }
  }

  /** Only http(s), and an IP literal host checked here (connections to literals skip the lookup). */
  private checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebFetchError(`"${raw.slice(0, 200)}" is not a valid URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UrlRefusedError(`Refused ${url.protocol} URL: only http and https URLs can be fetched.`);
    }
    if (url.username || url.password) throw new UrlRefusedError('Refused a URL with credentials in it.');
    const literal = ipLiteral(url.hostname);
    if (literal !== undefined) this.policy.check(literal, literal);
    return url;
  }
}

function withoutSecrets(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!SECRET_HEADERS.includes(k.toLowerCase())) out[k] = v;
  return out;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A URL for messages: no query string (it may hold a key) and at most 200 characters. */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.origin}${u.pathname}`.slice(0, 200);
  } catch {
    return raw.slice(0, 200);
  }
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const byCode: Record<string, string> = {
    ENOTFOUND: 'the host name does not resolve',
    ECONNREFUSED: 'the connection was refused',
    ECONNRESET: 'the connection was reset',
    ETIMEDOUT: 'the connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
    UND_ERR_SOCKET: 'the connection closed unexpectedly',
    CERT_HAS_EXPIRED: 'the TLS certificate has expired',
  };
  return (e.code && byCode[e.code]) ?? e.message ?? String(error);
}
