// The API over real HTTP on 127.0.0.1: runs awaited and streamed, reconnects, cancel, approvals, images.
import { AgentAbortError, type AgentRun } from '@smol/core';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServers, post, readSSE, readUntil, startServer, until, weatherAgent } from '../test/helpers.js';
import { createHandler } from './index.js';

afterEach(closeServers);

describe('@smol/server API', () => {
  it('lists the agents with their tools', async () => {
    const { url } = await startServer();
    const body = await (await fetch(`${url}/api/agents`)).json();
    expect(body.defaultAgent).toBe('weather');
    expect(body.agents[0]).toMatchObject({ name: 'weather', kind: 'ToolCallingAgent', modelId: 'scripted-model' });
    expect(body.agents[0].tools.map((t: { name: string }) => t.name)).toEqual(['get_weather', 'final_answer']);
    expect(body.agents[0].tools[0].parameters.properties.city.type).toBe('string');
  });

  it('POST /api/runs awaits the run and answers its RunResult', async () => {
    const { url } = await startServer();
    const res = await post(`${url}/api/runs`, { task: 'Weather in Paris?' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ agent: 'weather', state: 'success', output: 'sunny in Paris', stepCount: 2 });
    expect(body.tokenUsage.totalTokens).toBeGreaterThan(0);
    expect(res.headers.get('x-run-id')).toBe(body.runId);
    expect(body.steps.find((s: { type: string }) => s.type === 'action').toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Paris' } });
  });

  it('a run that uses all its steps says so', async () => {
    const { url } = await startServer({}, { endless: true });
    const body = await (await post(`${url}/api/runs`, { task: 'Weather?', maxSteps: 2 })).json();
    expect(body.state).toBe('max_steps_error');
    expect(body.stepCount).toBeGreaterThanOrEqual(2);
    expect(body.note).toMatch(/reached its step limit/);
  });

  it('streams the events as SSE with increasing ids, ending with done', async () => {
    const { url } = await startServer();
    const res = await post(`${url}/api/runs`, { task: 'Weather in Paris?', stream: true });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSSE(res);
    expect(events[0]).toMatchObject({ id: 1, event: 'run' });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    const names = events.map((e) => e.event);
    expect(names).toContain('delta');
    expect(names).toContain('tool_call');
    expect(events.find((e) => e.event === 'observation')!.data.observation).toContain('sunny in Paris');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { state: 'success', output: 'sunny in Paris' } });
  });

  it('Accept: text/event-stream streams too', async () => {
    const { url } = await startServer();
    const res = await post(`${url}/api/runs`, { task: 'Weather?' }, { headers: { accept: 'text/event-stream' } });
    expect((await readSSE(res)).at(-1)!.event).toBe('done');
  });

  it('a client that reconnects with Last-Event-ID misses nothing', async () => {
    const { url } = await startServer({}, { delayMs: 150 });
    const first = await post(`${url}/api/runs`, { task: 'Weather?', stream: true, keep: true });
    const { events: seen, reader } = await readUntil(first, (ev) => ev.some((e) => e.event === 'delta'));
    await reader.cancel();
    const runId = seen[0].data.runId;
    const last = seen.at(-1)!.id!;
    const rest = await readSSE(await fetch(`${url}/api/runs/${runId}/events`, { headers: { 'last-event-id': String(last) } }));
    const ids = [...seen, ...rest].map((e) => e.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(rest.at(-1)).toMatchObject({ event: 'done', data: { state: 'success' } });
    // From the start again (the query form, for plain links): the whole run.
    const all = await readSSE(await fetch(`${url}/api/runs/${runId}/events?lastEventId=0`));
    expect(all.length).toBe(ids.length);
    const status = await (await fetch(`${url}/api/runs/${runId}`)).json();
    expect(status).toMatchObject({ runId, status: 'success', lastEventId: ids.length, result: { output: 'sunny in Paris' } });
  });

  it('a follower that leaves aborts nothing; the run owner leaving aborts the run', async () => {
    const runs: AgentRun[] = [];
    const server = await startServer({ onRun: (r) => runs.push(r) }, { delayMs: 5000 });
    const owner = new AbortController();
    const res = await post(`${server.url}/api/runs`, { task: 'Weather?', stream: true }, { signal: owner.signal });
    const { events } = await readUntil(res, (ev) => ev.length > 0);
    const follower = new AbortController();
    const f = await fetch(`${server.url}/api/runs/${events[0].data.runId}/events`, { signal: follower.signal });
    await f.body!.getReader().read();
    follower.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(runs[0].signal.aborted).toBe(false);
    owner.abort();
    await until(() => runs[0].signal.aborted);
    expect(AgentAbortError.isInstance(await runs[0].result.catch((e: unknown) => e))).toBe(true);
    await until(() => server.activeRuns === 0);
  });

  it('POST /api/runs/{id}/cancel stops a run; the waiting client gets 499 with the cause', async () => {
    const runs: AgentRun[] = [];
    const { url } = await startServer({ onRun: (r) => runs.push(r) }, { delayMs: 5000 });
    const pending = post(`${url}/api/runs`, { task: 'Weather?' });
    await until(() => runs.length === 1);
    const t0 = Date.now();
    const cancel = await fetch(`${url}/api/runs/${runs[0].id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const res = await pending;
    expect(res.status).toBe(499);
    expect(await res.json()).toMatchObject({ kind: 'AgentAbortError', cause: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await fetch(`${url}/api/runs/${runs[0].id}/cancel`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${url}/api/runs/nope/cancel`, { method: 'POST' })).status).toBe(404);
  });

  it('a run over its time limit is aborted with 504', async () => {
    const { url } = await startServer({ runTimeoutMs: 200 }, { delayMs: 5000 });
    const res = await post(`${url}/api/runs`, { task: 'Weather?' });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ kind: 'AgentAbortError', cause: 'timeout' });
  });

  it('keep: true lets a run finish after its client disconnected', async () => {
    const runs: AgentRun[] = [];
    const { url } = await startServer({ onRun: (r) => runs.push(r) }, { delayMs: 100 });
    const client = new AbortController();
    const res = post(`${url}/api/runs`, { task: 'Weather?', keep: true }, { signal: client.signal }).catch(() => undefined);
    await until(() => runs.length === 1);
    client.abort();
    await res;
    expect((await runs[0].result).output).toBe('sunny in Paris');
  });

  it('answers pending approvals: the run resumes from its snapshot', async () => {
    const { url } = await startServer({}, { approval: true });
    const paused = await (await post(`${url}/api/runs`, { task: 'Weather?' })).json();
    expect(paused.state).toBe('awaiting_approval');
    expect(paused.pendingApprovals).toEqual([expect.objectContaining({ toolName: 'get_weather', arguments: { city: 'Paris' } })]);
    const callId = paused.pendingApprovals[0].callId;
    const wrong = await post(`${url}/api/runs/${paused.runId}/approvals`, { decisions: { nope: true } });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).issues[0].field).toBe('decisions.nope');
    const res = await post(`${url}/api/runs/${paused.runId}/approvals`, { decisions: { [callId]: true }, stream: true });
    const events = await readSSE(res);
    expect(events[0]).toMatchObject({ event: 'resumed', data: { decisions: { [callId]: true } } });
    expect(events[0].id).toBeGreaterThan(1); // ids go on from the paused segment's
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { runId: paused.runId, state: 'success', output: 'sunny in Paris' } });
    const again = await post(`${url}/api/runs/${paused.runId}/approvals`, { decisions: { [callId]: true } });
    expect(again.status).toBe(409);
  });

  it('two answers to the same approvals at once: one resumes the run, the other gets 409', async () => {
    const { url } = await startServer({}, { approval: true });
    const paused = await (await post(`${url}/api/runs`, { task: 'Weather?' })).json();
    const body = { decisions: { [paused.pendingApprovals[0].callId]: true } };
    const statuses = await Promise.all([post(`${url}/api/runs/${paused.runId}/approvals`, body), post(`${url}/api/runs/${paused.runId}/approvals`, body)].map((p) => p.then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 409]);
  });

  it('rejected calls become observations', async () => {
    const { url } = await startServer({}, { approval: true });
    const paused = await (await post(`${url}/api/runs`, { task: 'Weather?' })).json();
    const done = await (await post(`${url}/api/runs/${paused.runId}/approvals`, { decisions: { [paused.pendingApprovals[0].callId]: false } })).json();
    expect(done.state).toBe('success');
    expect(String(done.output)).toMatch(/rejected/);
  });

  it('attaches images to the task (JSON data URLs and multipart files)', async () => {
    const server = await startServer();
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect((await post(`${server.url}/api/runs`, { task: 'What is this?', images: [png] })).status).toBe(200);
    const task = server.model.calls[0].messages.find((m) => m.role === 'user')!;
    expect(task.content).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'image', image: png })]));
    const form = new FormData();
    form.set('task', 'And this?');
    form.append('images', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'a.png');
    const res = await fetch(`${server.url}/api/runs`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const last = server.model.calls.at(-2)!.messages.find((m) => m.role === 'user')!;
    expect(last.content).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'image', image: 'data:image/png;base64,iVBORw==' })]));
  });

  it('attaches text files: the model sees them with the task (JSON and multipart)', async () => {
    const server = await startServer();
    expect((await post(`${server.url}/api/runs`, { task: 'Summarise', files: [{ name: 'a.txt', content: 'alpha beta' }] })).status).toBe(200);
    const text = (i: number) => JSON.stringify(server.model.calls[i].messages.find((m) => m.role === 'user')!.content);
    expect(text(0)).toContain('{\\"files\\":{\\"a.txt\\":\\"alpha beta\\"}}');
    const form = new FormData();
    form.set('task', 'Summarise');
    form.append('files', new Blob(['gamma'], { type: 'text/plain' }), 'b.md');
    expect((await fetch(`${server.url}/api/runs`, { method: 'POST', body: form })).status).toBe(200);
    expect(text(2)).toContain('b.md');
    const binary = new FormData();
    binary.set('task', 'x');
    binary.append('files', new Blob([new Uint8Array([0xff, 0xfe, 0xfd])]), 'c.bin');
    const bad = await fetch(`${server.url}/api/runs`, { method: 'POST', body: binary });
    expect(bad.status).toBe(400);
    expect((await bad.json()).issues[0]).toEqual({ field: 'files.0.content', message: 'must be text (UTF-8)' });
  });

  it('serves an agent factory: a new agent per run', async () => {
    let made = 0;
    const { url } = await startServer({ agents: { fresh: () => (made++, weatherAgent().agent) } });
    const a = await (await post(`${url}/api/runs`, { task: 'Weather?' })).json();
    const b = await (await post(`${url}/api/runs`, { task: 'Weather?', agent: 'fresh' })).json();
    expect([a.output, b.output]).toEqual(['sunny in Paris', 'sunny in Paris']);
    expect(made).toBe(2);
    const list = await (await fetch(`${url}/api/agents`)).json();
    expect(list.agents[0].name).toBe('fresh');
  });

  it('serves its OpenAPI document, with the request schema that validates', async () => {
    const { url } = await startServer();
    const doc = await (await fetch(`${url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/agents', '/api/runs', '/api/runs/{runId}/events', '/api/runs/{runId}/cancel', '/api/runs/{runId}/approvals']));
    expect(doc.components.schemas.StartRun.properties.task.maxLength).toBe(20_000);
  });

  it('the handler alone is web-standard: Request in, Response out', async () => {
    const handler = createHandler({ agents: weatherAgent().agent });
    const res = await handler.fetch(new Request('http://x/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"Weather?"}' }));
    expect((await res.json()).output).toBe('sunny in Paris');
    expect(handler.activeRuns).toBe(0);
  });
});
