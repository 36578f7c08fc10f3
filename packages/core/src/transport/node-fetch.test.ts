import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_SIGNAL, createNodeFetch, defaultFetch, getDefaultNodeFetch, readsRunSignal } from './index.js';

let server: http.Server;
let base: string;
let connections = 0;
let inFlight = 0;
let maxInFlight = 0;
const sockets = new Set<import('node:net').Socket>();

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/echo') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
    } else if (url.pathname === '/stream') {
      // sends one chunk, then the next only when asked through /next
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      streamResponses.push(res);
    } else if (url.pathname === '/slow') {
      setTimeout(() => res.end('slow'), Number(url.searchParams.get('ms') ?? 50));
    } else if (url.pathname === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync('compressed hello'));
    } else if (url.pathname === '/cut') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 5);
    } else if (url.pathname === '/empty') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end('nope');
    }
  });
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

const streamResponses: http.ServerResponse[] = [];

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('createNodeFetch', () => {
  const fetch = createNodeFetch();

  it('GET with a string URL, a URL and a Request', async () => {
    for (const input of [`${base}/echo`, new URL(`${base}/echo`), new Request(`${base}/echo`)]) {
      const res = await fetch(input);
      expect(res.status).toBe(200);
      expect(res.ok).toBe(true);
      expect(res.url).toBe(`${base}/echo`);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect((await res.json()).method).toBe('GET');
    }
  });

  it('POST with string, bytes and stream bodies; headers as Headers or a record', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('str'));
        c.enqueue(new TextEncoder().encode('eam'));
        c.close();
      },
    });
    const cases: [RequestInit, string][] = [
      [{ method: 'POST', body: '{"a":1}', headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer k' }) }, '{"a":1}'],
      [{ method: 'POST', body: new TextEncoder().encode('bytes'), headers: { 'x-test': '1' } }, 'bytes'],
      [{ method: 'POST', body: stream, duplex: 'half' } as RequestInit, 'stream'],
      [{ method: 'POST', body: new URLSearchParams({ q: 'x y' }) }, 'q=x+y'],
    ];
    for (const [init, expected] of cases) {
      const echo = await (await fetch(`${base}/echo`, init)).json();
      expect(echo.method).toBe('POST');
      expect(echo.body).toBe(expected);
    }
    const echo = await (await fetch(`${base}/echo`, cases[0][0])).json();
    expect(echo.headers.authorization).toBe('Bearer k');
    expect(echo.headers['content-length']).toBe('7');
    expect(echo.headers['transfer-encoding']).toBeUndefined();
    // Counted in bytes, not characters.
    const utf8 = await (await fetch(`${base}/echo`, { method: 'POST', body: '{"é":"ü"}' })).json();
    expect(utf8.headers['content-length']).toBe('11');
    expect(utf8.body).toBe('{"é":"ü"}');
  });

  it('returns 404 and 204 responses, and decodes gzip', async () => {
    const missing = await fetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('nope');
    const empty = await fetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(await (await fetch(`${base}/gzip`)).text()).toBe('compressed hello');
  });

  it('streams the body incrementally', async () => {
    const res = await fetch(`${base}/stream`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    const server = streamResponses.shift()!;
    server.write('data: two\n\n');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: two\n\n');
    server.end();
    expect((await reader.read()).done).toBe(true);
  });

  it('abort before the response rejects with AbortError and removes the listener', async () => {
    const ac = new AbortController();
    const p = fetch(`${base}/slow?ms=5000`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    await expect(fetch(`${base}/echo`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('RUN_SIGNAL, a second signal beside the SDK\'s, aborts the request and both lose their listener', async () => {
    const own = new AbortController();
    const run = new AbortController();
    const reason = new Error('run over');
    const p = fetch(`${base}/slow?ms=5000`, { signal: own.signal, [RUN_SIGNAL]: run.signal } as RequestInit);
    setTimeout(() => run.abort(reason), 10);
    await expect(p).rejects.toBe(reason);
    expect(getEventListeners(own.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    const done = new AbortController();
    const res = await fetch(`${base}/echo`, { [RUN_SIGNAL]: done.signal } as RequestInit);
    await res.text();
    expect(getEventListeners(done.signal, 'abort')).toHaveLength(0);
    expect(readsRunSignal(fetch)).toBe(true);
    expect(readsRunSignal(globalThis.fetch)).toBe(false);
  });

  it('abort mid-stream errors the body, frees the socket and removes the listener', async () => {
    const f = createNodeFetch();
    const ac = new AbortController();
    const res = await f(`${base}/stream`, { signal: ac.signal });
    const serverRes = streamResponses.shift()!;
    const reader = res.body!.getReader();
    await reader.read();
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    const before = sockets.size;
    ac.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    await new Promise((r) => serverRes.once('close', r));
    // The server sees its socket close a moment after the response.
    await expect.poll(() => sockets.size).toBe(before - 1);
  });

  it('removes the listener once the body has been read', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/echo`, { signal: ac.signal });
    await res.text();
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('cancelling the body destroys the connection', async () => {
    const res = await fetch(`${base}/stream`);
    const serverRes = streamResponses.shift()!;
    await res.body!.cancel();
    await new Promise((r) => serverRes.once('close', r));
  });

  it('a connection cut mid-body errors the stream instead of hanging', async () => {
    const res = await fetch(`${base}/cut`);
    await expect(res.text()).rejects.toThrow(TypeError);
  });

  it('connection errors reject with TypeError("fetch failed") and a cause', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const err = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError).message).toBe('fetch failed');
    expect(((err as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('keeps sockets alive: 50 sequential requests use one connection', async () => {
    const f = createNodeFetch();
    const before = connections;
    for (let i = 0; i < 50; i++) await (await f(`${base}/echo`, { method: 'POST', body: String(i) })).text();
    expect(connections - before).toBe(1);
  });

  it('bounds the pool: 40 concurrent requests with maxSockets 4 open 4 connections', async () => {
    const f = createNodeFetch({ maxSockets: 4 });
    const before = connections;
    maxInFlight = 0;
    const bodies = await Promise.all(Array.from({ length: 40 }, () => f(`${base}/slow?ms=20`).then((r) => r.text())));
    expect(bodies.every((b) => b === 'slow')).toBe(true);
    expect(connections - before).toBe(4);
    expect(maxInFlight).toBeLessThanOrEqual(4);
  });

  it('works as the fetch of a Response-consuming client (json, arrayBuffer)', async () => {
    const res = await fetch(`${base}/echo`, { method: 'PUT', body: 'x' });
    expect(new TextDecoder().decode(await res.arrayBuffer())).toContain('"method":"PUT"');
  });

  it('is a real Response: one read, clone, bodyUsed, json, blob', async () => {
    const res = await fetch(`${base}/echo`, { method: 'POST', body: 'hi' });
    expect(res).toBeInstanceOf(Response);
    expect(res.url).toBe(`${base}/echo`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const copy = res.clone();
    expect(res.bodyUsed).toBe(false);
    expect((await res.json()).body).toBe('hi');
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    const blob = await copy.blob();
    expect(blob.type).toBe('application/json');
    expect(JSON.parse(await blob.text()).method).toBe('POST');
    const viaBody = await fetch(`${base}/echo`);
    expect(JSON.parse(await new Response(viaBody.body).text()).method).toBe('GET');
  });

  it('a body read late still fails on a connection cut, and on an abort, instead of hanging', async () => {
    const cut = await fetch(`${base}/cut`);
    await new Promise((r) => setTimeout(r, 50));
    await expect(cut.text()).rejects.toThrow(TypeError);
    const ac = new AbortController();
    const res = await fetch(`${base}/stream`, { signal: ac.signal });
    streamResponses.shift();
    ac.abort();
    await expect(res.text()).rejects.toMatchObject({ name: 'AbortError' });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('defaultFetch is the shared node fetch on Node', () => {
    expect(defaultFetch()).toBe(getDefaultNodeFetch());
    expect(getDefaultNodeFetch()).toBe(getDefaultNodeFetch());
  });
});
