// A loopback server that speaks the Anthropic Messages API (POST /v1/messages) from the
// fixtures in __fixtures__: JSON bodies, SSE streams, error bodies, cut and hung connections.
import type { ServerResponse } from 'node:http';
import { fixtureReader, startFixtureServer, writeSse, writeTruncatedSse, type FixtureRequest, type FixtureServer } from '@smol/testing';

export const fixture = fixtureReader(new URL('../__fixtures__/', import.meta.url));

export type ReceivedRequest = FixtureRequest;

/** What to answer one request with. */
export type Reply =
  | { json: unknown; status?: number; headers?: Record<string, string> }
  | { sse: string; headers?: Record<string, string> }
  /** Send this much SSE, then destroy the socket. */
  | { truncate: string }
  /** Never answer; the test aborts. */
  | { hang: true }
  | { error: 401 | 404 | 429 | 500 | 529; headers?: Record<string, string> };

/** `clientClosed` resolves when a hung request's connection has been closed by the client. */
export type AnthropicTestServer = FixtureServer;

export interface AnthropicTestServerOptions {
  apiKey: string;
  models?: string[];
  /** Replies in request order; the last one repeats. */
  replies: Reply[];
}

export async function startAnthropicServer(options: AnthropicTestServerOptions): Promise<AnthropicTestServer> {
  const models = new Set(options.models ?? ['claude-sonnet-5']);
  let index = 0;

  const send = (res: ServerResponse, reply: Reply, model: string): void => {
    if ('hang' in reply) return server.hang(res);
    if ('truncate' in reply) return writeTruncatedSse(res, reply.truncate, { 'cache-control': 'no-cache' });
    // Split the stream at arbitrary byte positions so the SDK's SSE parser reassembles events.
    if ('sse' in reply) return writeSse(res, reply.sse, { chunkBytes: 97, headers: { 'cache-control': 'no-cache', ...reply.headers } });
    if ('error' in reply) {
      const body = fixture(`error-${reply.error}.json`).replace('{{model}}', model);
      const extra = reply.error === 429 && !reply.headers ? { 'retry-after': '0' } : {};
      res.writeHead(reply.error, { 'content-type': 'application/json', 'request-id': 'req_test', ...extra, ...reply.headers });
      res.end(body);
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', 'request-id': 'req_test', ...reply.headers });
    res.end(JSON.stringify(reply.json));
  };

  const server = await startFixtureServer(({ method, path, headers, body }, res) => {
    if (method !== 'POST' || path !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not Found' } }));
      return;
    }
    // The real API takes the key as x-api-key; SDK 1.13 sends it as a bearer token. Accept both.
    const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    const key = (headers['x-api-key'] as string | undefined) ?? bearer;
    if (key !== options.apiKey) return send(res, { error: 401 }, '');
    if (!models.has(String(body.model))) return send(res, { error: 404 }, String(body.model));
    const reply = options.replies[Math.min(index++, options.replies.length - 1)];
    send(res, reply, String(body.model));
  });
  return server;
}
