import { AgentAbortError, ToolCallingAgent, type AgentRun } from '@smol/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../src/args.js';
import { startServer, type RunningServer } from '../src/serve.js';
import { io } from './helpers.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(flags: string[] = [], onRun?: (run: AgentRun) => void): Promise<RunningServer> {
  server = await startServer(parseDemoArgs(['serve', '--port', '0', '--latency-ms', '5', ...flags]), io(), { onRun });
  return server;
}

const post = (url: string, body: unknown, init: RequestInit = {}) =>
  fetch(`${url}/run-agent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });

/** Reads a whole SSE response into its events. */
async function readSSE(response: Response): Promise<{ event: string; data: any }[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return { event, data: JSON.parse(data) };
    });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('pnpm demo serve', () => {
  it('POST /run-agent runs the task and answers {result, steps, tokenUsage}', async () => {
    const { url } = await start(['--agent', 'tool']);
    const res = await post(url, { task: 'What is the weather in Paris and Tokyo?' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.result).toMatch(/Paris.*Tokyo/);
    expect(body.state).toBe('success');
    expect(body.tokenUsage.inputTokens).toBeGreaterThan(0);
    const actions = body.steps.filter((s: { type: string }) => s.type === 'action');
    expect(actions.length).toBe(2);
    expect(actions[0].toolCalls.map((c: { name: string; arguments: unknown }) => [c.name, c.arguments])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Tokyo' }],
    ]);
    expect(actions[0].observations).toContain('Paris');
  });

  it('validates requests with clear 400s', async () => {
    const { url } = await start();
    const notJson = await post(url, '{task:');
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error).toMatch(/JSON like \{"task"/);
    for (const body of [{}, { task: '' }, { task: 42 }, { task: 'x', maxSteps: 0 }]) {
      const res = await post(url, body);
      expect(res.status).toBe(400);
      const json = await res.json();
      expect(json.error).toBe('Invalid request body.');
      expect(json.issues[0].path).toMatch(/task|maxSteps/);
    }
    const empty = await post(url, { task: '   ' });
    expect((await empty.json()).issues[0].message).toBe('"task" must not be empty');
    const noTask = await fetch(`${url}/run-agent/stream`);
    expect(noTask.status).toBe(400);
    expect((await noTask.json()).issues[0].path).toBe('task');
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('GET /run-agent/stream sends the steps as Server-Sent Events while they happen', async () => {
    const { url } = await start(['--agent', 'tool']);
    const res = await fetch(`${url}/run-agent/stream?task=${encodeURIComponent('What is the weather in Lima?')}`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = await readSSE(res);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('run');
    expect(names).toContain('delta');
    expect(events.find((e) => e.event === 'tool_call')?.data).toMatchObject({ name: 'get_weather', arguments: { city: 'Lima' } });
    expect(events.find((e) => e.event === 'observation')?.data.observation).toContain('Lima');
    expect(names.filter((n) => n === 'step')).toHaveLength(2);
    expect(names.indexOf('step')).toBeLessThan(names.indexOf('final_answer'));
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.result).toContain('Lima');
    expect(done.data.tokenUsage.totalTokens).toBeGreaterThan(0);
  });

  it('streams a CodeAgent run: thoughts, code, its output and the answer', async () => {
    const { url, kind } = await start(['--agent', 'code']);
    expect(kind).toBe('CodeAgent');
    const res = await fetch(`${url}/run-agent/stream?task=${encodeURIComponent('How much do 3 apples and 2 pears cost?')}`);
    const events = await readSSE(res);
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('');
    expect(deltas).toContain('Thought: I will look up the price');
    expect(events.find((e) => e.event === 'code')?.data.code).toContain('await get_price({ item })');
    expect(events.find((e) => e.event === 'code_output')?.data.logs).toContain('3 x apple at 0.5 EUR');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { result: '3 x apple and 2 x pear cost 3.00 EUR', state: 'success' } });
  });

  it('every request is a new run on the one shared agent', async () => {
    const runs: AgentRun[] = [];
    const { url, agent } = await start(['--agent', 'tool'], (run) => runs.push(run));
    const cities = ['Oslo', 'Cairo', 'Seoul', 'Dublin'];
    const bodies = await Promise.all(cities.map((c) => post(url, { task: `Weather in ${c}?` }).then((r) => r.json())));
    bodies.forEach((b, i) => expect(b.result).toContain(cities[i]));
    expect(new Set(runs.map((r) => r.id)).size).toBe(4);
    expect(new Set(bodies.map((b) => b.runId))).toEqual(new Set(runs.map((r) => r.id)));
    expect(agent).toBeInstanceOf(ToolCallingAgent);
  });

  it('answers 429 beyond --max-concurrent runs', async () => {
    const { url, active } = await start(['--agent', 'tool', '--max-concurrent', '1', '--latency-ms', '300']);
    const first = post(url, { task: 'Weather in Paris?' });
    await until(() => active() === 1);
    const second = await post(url, { task: 'Weather in Rome?' });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await second.json()).error).toMatch(/Too many runs at once \(limit 1\)/);
    expect((await fetch(`${url}/run-agent/stream?task=hi`)).status).toBe(429);
    expect((await first).status).toBe(200);
    expect(active()).toBe(0);
    expect((await post(url, { task: 'Weather in Rome?' })).status).toBe(200);
  });

  it('a client that disconnects from POST /run-agent aborts its run and the model call', async () => {
    const runs: AgentRun[] = [];
    const { url, active } = await start(['--agent', 'tool', '--latency-ms', '5000'], (run) => runs.push(run));
    const client = new AbortController();
    const response = post(url, { task: 'Weather in Paris?' }, { signal: client.signal }).catch((e: unknown) => e);
    await until(() => runs.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    client.abort();
    await until(() => runs[0].signal.aborted);
    const error = await runs[0].result.catch((e: unknown) => e);
    expect(AgentAbortError.isInstance(error)).toBe(true);
    // The model call (5 s of latency) was cancelled, not awaited.
    expect(Date.now() - t0).toBeLessThan(2000);
    await until(() => active() === 0);
    expect(await response).toBeInstanceOf(Error);
  });

  it('a client that closes the event stream aborts its run', async () => {
    const runs: AgentRun[] = [];
    const { url, active } = await start(['--agent', 'tool', '--latency-ms', '5000'], (run) => runs.push(run));
    const client = new AbortController();
    const res = await fetch(`${url}/run-agent/stream?task=Weather%20in%20Oslo`, { signal: client.signal });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: run');
    const t0 = Date.now();
    client.abort();
    await until(() => runs[0]?.signal.aborted === true);
    expect(AgentAbortError.isInstance(await runs[0].result.catch((e: unknown) => e))).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
    await until(() => active() === 0);
  });

  it('serves the web page and its script', async () => {
    const { url } = await start();
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<button id="stop"');
    expect((await fetch(`${url}/app.js`)).headers.get('content-type')).toContain('javascript');
    const info = await (await fetch(`${url}/info`)).json();
    expect(info.model).toContain('simulated model');
  });
});
