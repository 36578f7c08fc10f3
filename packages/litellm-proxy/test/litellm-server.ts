// A loopback server speaking what a LiteLLM proxy answers (fixtures in __fixtures__):
// POST /chat/completions or /v1/chat/completions with a bearer virtual key.
import type { ServerResponse } from 'node:http';
import { fixtureReader, startFixtureServer, writeSse, writeTruncatedSse, type FixtureRequest, type FixtureServer } from '@smol/testing';

export const fixture = fixtureReader(new URL('../__fixtures__/', import.meta.url));

export type ReceivedRequest = FixtureRequest;

export type Reply =
  | { json: unknown }
  | { sse: string }
  | { truncate: string }
  | { hang: true }
  | { error: 429 | 500; headers?: Record<string, string> };

export type LiteLLMTestServer = FixtureServer;

export async function startLiteLLMServer(options: { apiKey?: string; models: string[]; replies: Reply[] }): Promise<LiteLLMTestServer> {
  let index = 0;

  const json = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-litellm-version': '1.80.0', ...headers });
    res.end(body);
  };

  const send = (res: ServerResponse, reply: Reply): void => {
    if ('hang' in reply) server.hang(res);
    else if ('truncate' in reply) writeTruncatedSse(res, reply.truncate);
    else if ('sse' in reply) writeSse(res, reply.sse, { chunkBytes: 83 });
    else if ('error' in reply) {
      json(res, reply.error, fixture(`error-${reply.error}.json`), { ...(reply.error === 429 && { 'retry-after': '0' }), ...reply.headers });
    } else json(res, 200, JSON.stringify(reply.json));
  };

  const server = await startFixtureServer(({ method, path, headers, body }, res) => {
    if (method !== 'POST' || (path !== '/chat/completions' && path !== '/v1/chat/completions')) {
      return json(res, 404, JSON.stringify({ detail: 'Not Found' }));
    }
    const key = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1] ?? '';
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return json(res, 401, fixture('error-401.json').replace('{{keytail}}', key.slice(-4)));
    }
    if (!options.models.includes(String(body.model))) return json(res, 400, fixture('error-400-model.json').replace('{{model}}', String(body.model)));
    send(res, options.replies[Math.min(index++, options.replies.length - 1)]);
  });
  return server;
}
