// A loopback server speaking what @huggingface/inference talks to: a TGI / Inference Endpoint
// (POST /v1/chat/completions), the Inference Providers router (under /router) and the Hub's
// provider-mapping lookup (under /hub). `routerFetch` sends the client's real hostnames here.
import type { ServerResponse } from 'node:http';
import { fixtureReader, startFixtureServer, writeSse, writeTruncatedSse, type FixtureRequest, type FixtureServer } from '@smol/testing';

export const fixture = fixtureReader(new URL('../__fixtures__/', import.meta.url));

export type ReceivedRequest = FixtureRequest;

export type Reply =
  | { json: unknown; status?: number; headers?: Record<string, string> }
  | { sse: string }
  /** Send this much SSE, then destroy the socket. */
  | { truncate: string }
  /** Answer nothing; `dribble` sends one role chunk first (a stream that then stalls). */
  | { hang: true; dribble?: boolean }
  | { error: 401 | 404 | 429 | 500 | 503; headers?: Record<string, string> };

/** `clientClosed` resolves when a hung request's connection is closed by the client. */
export interface HfTestServer extends FixtureServer {
  /** A fetch that rewrites https://router.huggingface.co and https://huggingface.co to this server. */
  routerFetch: typeof globalThis.fetch;
}

export interface HfTestServerOptions {
  /** The token the server accepts; undefined accepts any (a TGI without auth). */
  token?: string;
  /** Models the router knows; others get a 404 there. TGI ignores `model`. */
  routerModels?: string[];
  replies: Reply[];
}

const CHAT = /^(?:\/router(?:\/[a-z-]+)?)?(?:\/v1)?\/chat\/completions$/;

export async function startHfServer(options: HfTestServerOptions): Promise<HfTestServer> {
  let index = 0;

  const send = (res: ServerResponse, reply: Reply, model: string): void => {
    if ('hang' in reply) return server.hang(res, reply.dribble ? fixture('tgi-stream-text.sse').split('\n\n')[0] + '\n\n' : undefined);
    if ('truncate' in reply) return writeTruncatedSse(res, reply.truncate);
    if ('sse' in reply) return writeSse(res, reply.sse, { chunkBytes: 101, headers: { 'cache-control': 'no-cache' } });
    if ('error' in reply) {
      const extra = reply.error === 429 && !reply.headers ? { 'retry-after': '0' } : {};
      res.writeHead(reply.error, { 'content-type': 'application/json', 'x-request-id': 'req-test', ...extra, ...reply.headers });
      res.end(fixture(`error-${reply.error}.json`).replace('{{model}}', model));
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.json));
  };

  const server = await startFixtureServer(({ method, path, headers, body }, res) => {
    const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    if (options.token !== undefined && bearer !== options.token) return send(res, { error: 401 }, '');
    if (method === 'GET' && path.startsWith('/hub/api/models/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fixture('hub-inference-provider-mapping.json'));
      return;
    }
    if (method !== 'POST' || !CHAT.test(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Not Found' }));
      return;
    }
    const model = String(body.model);
    if (path.startsWith('/router') && options.routerModels && !options.routerModels.includes(model)) return send(res, { error: 404 }, model);
    send(res, options.replies[Math.min(index++, options.replies.length - 1)], model);
  });
  const routerFetch: typeof globalThis.fetch = (input, init) => {
    const target = String(input instanceof Request ? input.url : input)
      .replace('https://router.huggingface.co', `${server.url}/router`)
      .replace('https://huggingface.co', `${server.url}/hub`);
    return globalThis.fetch(target, init);
  };
  return { ...server, routerFetch };
}
