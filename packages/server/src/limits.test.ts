// Bad input, size limits, auth, concurrency, timeouts and shutdown, over real HTTP on 127.0.0.1.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { ToolCallingAgent } from '@smol/core';
import { ScriptedModel } from '@smol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServers, post, startServer, until } from '../test/helpers.js';
import { ServerListenError, serve } from './index.js';
import { weatherAgent } from '../test/helpers.js';

afterEach(closeServers);

/** Sends raw bytes and returns what came back, as text, when the server closes the connection. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
  });
}

describe('bad input gets a clear JSON error naming the field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{task:', /not valid JSON/],
    ['an empty body', '', /body is empty/],
    ['an array', [], /"\(body\)" must be a JSON object/],
    ['no task', {}, /"task" is required and must be a string/],
    ['an empty task', { task: '   ' }, /"task" must not be empty/],
    ['a task that is a number', { task: 42 }, /"task" is required and must be a string/],
    ['a task over the length cap', { task: 'x'.repeat(20_001) }, /"task" must be at most 20000 characters/],
    ['an unknown field', { task: 'hi', extra: 1 }, /"extra" is not a known field/],
    ['maxSteps 0', { task: 'hi', maxSteps: 0 }, /"maxSteps" must be at least 1/],
    ['maxSteps 1.5', { task: 'hi', maxSteps: 1.5 }, /"maxSteps" must be an integer/],
    ['maxSteps as a string', { task: 'hi', maxSteps: '3' }, /"maxSteps" must be a number/],
    ['maxSteps over the cap', { task: 'hi', maxSteps: 51 }, /"maxSteps" must be at most 50/],
    ['images not an array', { task: 'hi', images: 'x' }, /"images" must be an array of image URLs/],
    ['an image that is not a URL', { task: 'hi', images: ['file:///etc/passwd'] }, /"images.0" must be an http\(s\) URL or a data:image/],
    ['an image of another type', { task: 'hi', images: ['data:text/html;base64,PGI+'] }, /"images.0" must be an http/],
    ['too many images', { task: 'hi', images: Array(5).fill('https://x.test/a.png') }, /"images" must hold at most 4 images/],
    ['too many files', { task: 'hi', files: Array(5).fill({ name: 'a', content: 'b' }) }, /"files" must hold at most 4 files/],
    ['a file without content', { task: 'hi', files: [{ name: 'a' }] }, /"files.0.content" must be text \(UTF-8\)/],
    ['stream as a string', { task: 'hi', stream: 'yes' }, /"stream" must be true or false/],
    ['additionalArgs not an object', { task: 'hi', additionalArgs: [1] }, /"additionalArgs" must be an object/],
    ['an unknown agent', { task: 'hi', agent: 'nope' }, /"agent" must be one of "weather"; got "nope"/],
  ];
  it.each(cases)('%s → 400', async (_name, body, message) => {
    const server = await startServer();
    const res = await post(`${server.url}/api/runs`, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/json');
    const json = await res.json();
    expect(json.error).toMatch(message);
    // Refused before a run started: nothing ran.
    expect(server.model.callCount).toBe(0);
  });

  it('a non-image upload and other content types', async () => {
    const { url } = await startServer();
    const form = new FormData();
    form.set('task', 'hi');
    form.append('images', new Blob(['#!/bin/sh'], { type: 'text/x-sh' }), 'a.sh');
    const upload = await fetch(`${url}/api/runs`, { method: 'POST', body: form });
    expect(upload.status).toBe(400);
    expect((await upload.json()).issues[0].field).toBe('images.0');
    const text = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(415);
    expect((await text.json()).error).toMatch(/Unsupported content-type "text\/plain"/);
  });

  it('unknown routes 404, wrong methods 405 with Allow, both JSON', async () => {
    const { url } = await startServer();
    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatch(/Not found: GET \/nope/);
    const wrong = await fetch(`${url}/api/runs`, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await wrong.json()).error).toMatch(/Method GET is not allowed on \/api\/runs; use POST/);
    expect((await fetch(`${url}/api/runs/x/cancel`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${url}/api/runs/unknown`)).status).toBe(404);
    expect((await fetch(`${url}/api/runs/unknown/events`)).status).toBe(404);
    const run = await (await post(`${url}/api/runs`, { task: 'hi' })).json();
    const bad = await fetch(`${url}/api/runs/${run.runId}/events`, { headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).issues[0].field).toBe('Last-Event-ID');
    expect((await fetch(`${url}/api/runs/%E0%A4%A/cancel`, { method: 'POST' })).status).toBe(400);
  });
});

describe('the body limit', () => {
  it('a 200 MB Content-Length is refused with 413 before a byte of the body is read, and the connection closes', async () => {
    const { port } = await startServer();
    const reply = await raw(port, 'POST /api/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n{"task":"hi","pad":"');
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply.toLowerCase()).toContain('connection: close');
    expect(reply).toContain('"error":"The request body is larger than the limit of 4194304 bytes."');
  });

  it('a large chunked body gets 413 as soon as it passes the cap, without growing memory', async () => {
    const { port } = await startServer({ maxBodyBytes: 64 * 1024 });
    const before = process.memoryUsage().rss;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/api/runs', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      });
      req.on('error', (e) => (sent > 0 ? undefined : reject(e)));
      req.write('{"task":"hi","pad":"');
      // Up to 200 MB, as fast as the server takes it; the answer comes long before.
      const pump = () => {
        while (sent < 200 * 1024 * 1024 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(200 * 1024 * 1024);
    // Far less than the 200 MB the client offered (generous: the test process's own buffers count too).
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a body under the cap is fine; the cap is configurable', async () => {
    const { url } = await startServer({ maxBodyBytes: 100 });
    expect((await post(`${url}/api/runs`, { task: 'Weather?' })).status).toBe(200);
    expect((await post(`${url}/api/runs`, { task: 'x'.repeat(200) })).status).toBe(413);
  });
});

describe('concurrency, auth and lifecycle', () => {
  it('answers 429 with Retry-After beyond maxConcurrentRuns', async () => {
    const server = await startServer({ maxConcurrentRuns: 1 }, { delayMs: 1500 });
    const first = post(`${server.url}/api/runs`, { task: 'Weather?' });
    await until(() => server.activeRuns === 1);
    const second = await post(`${server.url}/api/runs`, { task: 'Weather?' });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await second.json()).error).toMatch(/Too many runs at once \(limit 1\)/);
    expect((await first).status).toBe(200);
    expect(server.activeRuns).toBe(0);
  });

  it('bearer tokens: 401 without or with a wrong one, never echoed; the page and OpenAPI stay open', async () => {
    const secret = 'tok-very-secret-123';
    const { url } = await startServer({ tokens: ['other-token', secret] });
    const none = await post(`${url}/api/runs`, { task: 'hi' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await post(`${url}/api/runs`, { task: 'hi' }, { headers: { authorization: `Bearer ${secret}x` } });
    expect(wrong.status).toBe(401);
    const wrongText = await wrong.text();
    expect(wrongText).not.toContain(secret);
    const ok = await post(`${url}/api/runs`, { task: 'Weather?' }, { headers: { authorization: `Bearer ${secret}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).not.toContain(secret);
    expect((await fetch(`${url}/api/agents`, { headers: { authorization: 'Bearer other-token' } })).status).toBe(200);
    expect((await fetch(`${url}/`)).status).toBe(200);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
  });

  it('listens on 127.0.0.1 by default, and refuses another address without a token', async () => {
    const { host } = await startServer();
    expect(host).toBe('127.0.0.1');
    await expect(serve(weatherAgent().agent, { port: 0, host: '0.0.0.0', handleSignals: false })).rejects.toThrow(/without a token/);
  });

  it('a busy port is one clear error', async () => {
    const { port } = await startServer();
    const error = await serve(weatherAgent().agent, { port, handleSignals: false }).catch((e: unknown) => e);
    expect(ServerListenError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(`Port ${port} on 127.0.0.1 is already in use.`);
  });

  it('sets the Node server timeouts on purpose', async () => {
    const { server } = await startServer();
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.keepAliveTimeout).toBe(5_000);
  });

  it('a client that sends headers too slowly is cut off', async () => {
    const { port } = await startServer({ headersTimeoutMs: 300, requestTimeoutMs: 300 });
    const t0 = Date.now();
    const reply = await raw(port, 'POST /api/runs HTTP/1.1\r\nHost: x\r\n');
    expect(reply === '' || reply.startsWith('HTTP/1.1 408')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('a body that arrives too slowly times out (408) without holding a run slot', async () => {
    const server = await startServer({ headersTimeoutMs: 300, requestTimeoutMs: 400 });
    const t0 = Date.now();
    const reply = await raw(server.port, 'POST /api/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"task":');
    expect(reply === '' || reply.startsWith('HTTP/1.1 408')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(server.activeRuns).toBe(0);
  });

  it('a client that does not read its event stream stalls nobody else', async () => {
    const server = await startServer({}, { delayMs: 5 });
    // Starts a run, then never reads the response.
    const stalled = await post(`${server.url}/api/runs`, { task: 'Weather?', stream: true, keep: true });
    const others = await Promise.all(Array.from({ length: 5 }, () => post(`${server.url}/api/runs`, { task: 'Weather?' }).then((r) => r.json())));
    expect(others.map((o) => o.output)).toEqual(Array(5).fill('sunny in Paris'));
    await until(() => server.activeRuns === 0);
    await stalled.body!.cancel();
  });

  it('finished runs are forgotten after keepFinishedRunsMs', async () => {
    const { url } = await startServer({ keepFinishedRunsMs: 100 });
    const run = await (await post(`${url}/api/runs`, { task: 'Weather?' })).json();
    expect((await fetch(`${url}/api/runs/${run.runId}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 250));
    expect((await fetch(`${url}/api/runs/${run.runId}`)).status).toBe(404);
  });

  it('keeps at most maxFinishedRuns finished runs, the oldest go first', async () => {
    const { url } = await startServer({ maxFinishedRuns: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await (await post(`${url}/api/runs`, { task: 'Weather?' })).json()).runId);
    const statuses = await Promise.all(ids.map((id) => fetch(`${url}/api/runs/${id}`).then((r) => r.status)));
    expect(statuses).toEqual([404, 404, 200, 200]);
  });

  it('HEAD answers the headers of GET', async () => {
    const { url } = await startServer();
    const res = await fetch(`${url}/api/agents`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('never puts what an error carries beyond its message into a response', async () => {
    const secret = 'sk-live-SECRET-4242';
    const failing = new ToolCallingAgent({
      model: new ScriptedModel(() => new Error('the model is unavailable', { cause: { headers: { authorization: `Bearer ${secret}` } } })),
      telemetry: false,
    });
    const { url } = await startServer({ agents: failing });
    const res = await post(`${url}/api/runs`, { task: 'hi' }, { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ kind: 'AgentGenerationError' });
    expect(text).toContain('the model is unavailable');
    expect(text).not.toContain(secret);
    const streamed = await (await post(`${url}/api/runs`, { task: 'hi', stream: true })).text();
    expect(streamed).toContain('event: run_error');
    expect(streamed).not.toContain(secret);
  });

  it('shutdown stops accepting, lets runs finish within the deadline, then aborts the rest', async () => {
    const server = await startServer({}, { delayMs: 200 });
    const finishing = post(`${server.url}/api/runs`, { task: 'Weather?' });
    await until(() => server.activeRuns === 1);
    await server.close(5000);
    expect((await finishing).status).toBe(200);
    await expect(fetch(`${server.url}/api/agents`)).rejects.toThrow();

    const slow = await startServer({}, { delayMs: 10_000 });
    const cut = post(`${slow.url}/api/runs`, { task: 'Weather?' });
    await until(() => slow.activeRuns === 1);
    const t0 = Date.now();
    await slow.close(200);
    const res = await cut;
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ cause: 'shutdown' });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(slow.activeRuns).toBe(0);
  });
});
