// A loopback server speaking the Azure OpenAI data plane from the fixtures in __fixtures__:
// POST /openai/deployments/{deployment}/chat/completions?api-version=…, `api-key` or Entra ID bearer auth.
import type { ServerResponse } from 'node:http';
import { fixtureReader, startFixtureServer, writeSse, writeTruncatedSse, type FixtureRequest, type FixtureServer } from '@smol/testing';

export const fixture = fixtureReader(new URL('../__fixtures__/', import.meta.url));

/** The query is parsed: Azure routes on `api-version`. */
export interface ReceivedRequest extends Omit<FixtureRequest, 'query'> {
  query: URLSearchParams;
}

export type Reply =
  | { json: unknown }
  | { sse: string }
  | { truncate: string }
  | { hang: true }
  | { error: 401 | 404 | 429 | 500; headers?: Record<string, string> };

export type AzureTestServer = FixtureServer<ReceivedRequest>;

export interface AzureTestServerOptions {
  /** Accepted as `api-key`; `bearer` as an Entra ID `Authorization: Bearer` token. */
  apiKey?: string;
  bearer?: string;
  deployments?: string[];
  replies: Reply[];
}

const CHAT = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

export async function startAzureServer(options: AzureTestServerOptions): Promise<AzureTestServer> {
  const deployments = new Set(options.deployments ?? ['gpt-4o-prod']);
  let index = 0;

  const json = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'apim-request-id': 'b1c2d3e4-test', ...headers });
    res.end(body);
  };

  const send = (res: ServerResponse, reply: Reply): void => {
    if ('hang' in reply) server.hang(res);
    else if ('truncate' in reply) writeTruncatedSse(res, reply.truncate);
    else if ('sse' in reply) writeSse(res, reply.sse, { chunkBytes: 89 });
    else if ('error' in reply) {
      const extra: Record<string, string> = reply.error === 429 && !reply.headers ? { 'retry-after': '0', 'retry-after-ms': '5' } : {};
      json(res, reply.error, fixture(`error-${reply.error}.json`), { ...extra, ...reply.headers });
    } else json(res, 200, JSON.stringify(reply.json));
  };

  const server = await startFixtureServer<ReceivedRequest>(
    ({ method, path, query, headers }, res) => {
      const match = CHAT.exec(path);
      if (method !== 'POST' || !match || !query.get('api-version')) {
        return json(res, 404, JSON.stringify({ error: { code: '404', message: 'Resource not found' } }));
      }
      const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
      const ok = (options.apiKey !== undefined && headers['api-key'] === options.apiKey) || (options.bearer !== undefined && bearer === options.bearer);
      if (!ok) return send(res, { error: 401 });
      if (!deployments.has(decodeURIComponent(match[1]))) return send(res, { error: 404 });
      send(res, options.replies[Math.min(index++, options.replies.length - 1)]);
    },
    {
      record: (request, req) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        return { ...request, path: url.pathname, query: url.searchParams };
      },
    },
  );
  return server;
}
