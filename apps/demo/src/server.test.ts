// `pnpm demo serve` is @smol/server with the demo's agent: a few end-to-end checks (the package tests the rest).
import { ToolCallingAgent, type AgentRun } from '@smol/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDemoArgs } from './args.js';
import { main } from './main.js';
import { startServer, type RunningServer } from './serve.js';
import { io } from '../test/helpers.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(flags: string[] = [], onRun?: (run: AgentRun) => void): Promise<RunningServer> {
  server = await startServer(parseDemoArgs(['serve', '--port', '0', '--latency-ms', '5', ...flags]), io(), { onRun });
  return server;
}

const post = (url: string, body: unknown) => fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function events(text: string): { event: string; data: any }[] {
  return text
    .split('\n\n')
    .map((b) => b.split('\n'))
    .filter((lines) => lines.some((l) => l.startsWith('event: ')))
    .map((lines) => ({ event: lines.find((l) => l.startsWith('event: '))!.slice(7), data: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) }));
}

describe('pnpm demo serve', () => {
  it('POST /api/runs runs the task on the ToolCallingAgent', async () => {
    const { url } = await start(['--agent', 'tool']);
    const body = await (await post(url, { task: 'What is the weather in Paris and Tokyo?' })).json();
    expect(body.state).toBe('success');
    expect(body.output).toMatch(/Paris.*Tokyo/);
    expect(body.tokenUsage.inputTokens).toBeGreaterThan(0);
    const actions = body.steps.filter((s: { type: string }) => s.type === 'action');
    expect(actions[0].toolCalls.map((c: { name: string; arguments: unknown }) => [c.name, c.arguments])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Tokyo' }],
    ]);
  });

  it('streams a CodeAgent run: thoughts, code, its output and the answer', async () => {
    const { url, kind } = await start(['--agent', 'code']);
    expect(kind).toBe('CodeAgent');
    const list = events(await (await post(url, { task: 'How much do 3 apples and 2 pears cost?', stream: true })).text());
    expect(list.filter((e) => e.event === 'delta').map((e) => e.data.text).join('')).toContain('Thought: I will look up the price');
    expect(list.find((e) => e.event === 'code')?.data.code).toContain('await get_price({ item })');
    expect(list.find((e) => e.event === 'code_output')?.data.logs).toContain('3 x apple at 0.5 EUR');
    expect(list.at(-1)).toMatchObject({ event: 'done', data: { output: '3 x apple and 2 x pear cost 3.00 EUR', state: 'success' } });
  });

  it('every request is a new run on the one shared agent; the page and agent list are served', async () => {
    const runs: AgentRun[] = [];
    const { url, agent } = await start(['--agent', 'tool'], (run) => runs.push(run));
    const cities = ['Oslo', 'Cairo', 'Seoul'];
    const bodies = await Promise.all(cities.map((c) => post(url, { task: `Weather in ${c}?` }).then((r) => r.json())));
    bodies.forEach((b, i) => expect(b.output).toContain(cities[i]));
    expect(new Set(runs.map((r) => r.id)).size).toBe(3);
    expect(agent).toBeInstanceOf(ToolCallingAgent);
    expect((await fetch(`${url}/`)).headers.get('content-type')).toContain('text/html');
    const list = await (await fetch(`${url}/api/agents`)).json();
    expect(list.agents[0]).toMatchObject({ name: 'tool', kind: 'ToolCallingAgent' });
  });

  it('a busy port: one line on stderr, exit code 1', async () => {
    const { url } = await start();
    const port = new URL(url).port;
    const streams = io();
    expect(await main(['serve', '--port', port], streams)).toBe(1);
    expect(streams.stderr.text).toBe(`error: Port ${port} on 127.0.0.1 is already in use.\n`);
  });
});
