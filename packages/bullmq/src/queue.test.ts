// Producer and worker processes against a private redis-server and the simulated OpenAI server.
import { once } from 'node:events';
import { AgentAbortError } from '@smol/core';
import { startMockLlmServer, taskOf, toolScenario, type MockLlmServer } from '@smol/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentQueue, QueueConnectionError, RunFailedError, type RunStreamEntry } from './index.js';
import { killWorkers, spawnScript, startWorker, type WorkerProcess } from '../test/processes.js';
import { freePort, startRedisServer, type RedisServer } from '../test/redis-server.js';

const QUEUE = 'main';
let redis: RedisServer;
let mock: MockLlmServer;
let queue: AgentQueue;
let client: Redis;
let env: Record<string, string>;
let workers: WorkerProcess[];
const calls: { at: number; task: string }[] = [];

beforeAll(async () => {
  const oneTool = toolScenario({ toolCalls: 1 });
  const twoTools = toolScenario({ toolCalls: 2 });
  [redis, mock] = await Promise.all([
    startRedisServer(),
    startMockLlmServer({
      latencyMs: 2,
      recordRequests: false,
      responder: (request) => {
        const task = taskOf(request.body.messages);
        calls.push({ at: Date.now(), task });
        return task.startsWith('approval') ? oneTool(request) : twoTools(request);
      },
    }),
  ]);
  env = { REDIS_URL: redis.url, OPENAI_BASE_URL: mock.baseURL, OPENAI_API_KEY: 'sk-test', QUEUE, CONCURRENCY: '25', RPM: '30', RATE_WINDOW_MS: '2000' };
  workers = await Promise.all([startWorker(env), startWorker(env), startWorker(env)]);
  queue = new AgentQueue({ connection: redis.url, queueName: QUEUE });
  client = new Redis(redis.url);
}, 60_000);

afterAll(async () => {
  await killWorkers();
  await queue?.close();
  client?.disconnect();
  await Promise.all([redis?.stop(), mock?.close()]);
});

async function collect(iterable: AsyncIterable<RunStreamEntry>, limit = Infinity): Promise<RunStreamEntry[]> {
  const out: RunStreamEntry[] = [];
  for await (const entry of iterable) {
    out.push(entry);
    if (out.length >= limit) break;
  }
  return out;
}

describe('AgentQueue and AgentWorker processes', () => {
  it('3 workers, 1 producer, 500 runs: every run answers correctly, with exactly one result', async () => {
    const handles = await Promise.all(Array.from({ length: 500 }, (_, i) => queue.submit('lookup', `task number ${i}`)));
    const results = await Promise.all(handles.map((h) => h.result()));
    results.forEach((r, i) => {
      expect(r.state).toBe('success');
      expect(String((r as { output: unknown }).output)).toContain(`Answer to "task number ${i}"`);
    });
    // Asked again (another handle on the same id): the same stored result.
    expect(await queue.handle(handles[7].runId).result()).toEqual(results[7]);
    const pipeline = client.pipeline();
    for (const h of handles) pipeline.xrange(queue.keys.events(h.runId), '-', '+');
    const streams = (await pipeline.exec())!.map(([, entries]) => entries as [string, string[]][]);
    const ends = streams.map((entries) => entries.filter(([, f]) => f[1].includes('"type":"run_end"')).length);
    expect(ends.every((n) => n === 1)).toBe(true);
  }, 120_000);

  it('a follower that reconnects with its last event id gets every event exactly once', async () => {
    const handle = await queue.submit('lookup', 'follow me');
    const first = await collect(handle.events(), 3); // then the client "disconnects"
    const rest = await collect(handle.events(first.at(-1)!.id));
    const all = [...first, ...rest];
    const stored = await client.xrange(queue.keys.events(handle.runId), '-', '+');
    expect(all.map((e) => e.id)).toEqual(stored.map(([id]) => id));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.map((e) => e.event.type)).toEqual(['tool_call', 'tool_output', 'action_step', 'tool_call', 'tool_output', 'action_step', 'tool_call', 'tool_output', 'action_step', 'final_answer', 'run_end']);
  });

  it('cancel from the producer reaches the run on its worker within 1 s; the tool sees the abort', async () => {
    const handle = await queue.submit('slow', 'wait for it');
    const seen = await collect(handle.events(), 1);
    expect(seen[0].event.type).toBe('tool_call'); // the tool is running (for 60 s unless aborted)
    const started = performance.now();
    await handle.cancel();
    const error = await handle.result().catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(AgentAbortError.isInstance(error)).toBe(true);
    expect(elapsed).toBeLessThan(1_000);
    // The tool, in the worker process, saw the run's signal abort.
    const line = `tool saw the abort of ${handle.runId}`;
    while (!workers.some((w) => w.output().includes(line)) && performance.now() - started < 1_000) await new Promise((r) => setTimeout(r, 10));
    expect(workers.some((w) => w.output().includes(line))).toBe(true);
    const end = (await collect(handle.events(seen[0].id))).at(-1)!.event;
    expect(end).toMatchObject({ type: 'run_end', outcome: { state: 'cancelled', reason: 'cancelled while running' } });
  });

  it('cancelling a queued run removes it before any worker runs it', async () => {
    const idle = new AgentQueue({ connection: redis.url, queueName: 'nobody-serves-this' });
    try {
      const handle = await idle.submit('lookup', 'never runs');
      await handle.cancel();
      await expect(handle.result()).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
      expect(await idle.queue.getJob(handle.runId)).toBeUndefined();
    } finally {
      await idle.close();
    }
  });

  it('an approval answered from a third process resumes the run on a worker', async () => {
    const handle = await queue.submit('approval', 'approval: move 5');
    const paused = await handle.result();
    expect(paused.state).toBe('awaiting_approval');
    const [request] = (paused as { pendingApprovals: { callId: string; toolName: string }[] }).pendingApprovals;
    expect(request.toolName).toBe('transfer');
    const third = spawnScript('approve-process.ts', { ...env, RUN_ID: handle.runId, DECISIONS: JSON.stringify({ [request.callId]: true }) });
    let output = '';
    third.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    third.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const [code] = await once(third, 'exit');
    expect({ code, output }).toEqual({ code: 0, output: 'approved\n' });
    const done = await handle.result();
    expect(done).toMatchObject({ state: 'success', runId: handle.runId });
    expect(String((done as { output: unknown }).output)).toContain('moved 2');
  });

  it('a run naming an unknown agent fails with a clear error; other runs go on', async () => {
    const [bad, good] = await Promise.all([queue.submit('no_such_agent', 'x'), queue.submit('lookup', 'still fine')]);
    const error = await bad.result().catch((e: unknown) => e);
    expect(RunFailedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ errorName: 'UnknownAgentError' });
    expect((error as Error).message).toMatch(/No agent named "no_such_agent".*known: lookup, slow, limited, approval/);
    await expect(good.result()).resolves.toMatchObject({ state: 'success' });
  });

  it.each([
    ['does not parse', '{"schemaVersion":1,'],
    ['has an unknown schema version', JSON.stringify({ schemaVersion: 99, runId: 'x' })],
  ])('a checkpoint that %s fails the run with a RunSnapshotError', async (_label, checkpoint) => {
    const handle = await queue.submit('approval', 'approval: corrupt me');
    const paused = await handle.result();
    await client.hset(queue.keys.run(handle.runId), 'checkpoint', checkpoint);
    const [request] = (paused as { pendingApprovals: { callId: string }[] }).pendingApprovals;
    await handle.approve({ [request.callId]: true });
    const error = await handle.result().catch((e: unknown) => e);
    expect(RunFailedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ errorName: 'RunSnapshotError' });
  });

  it('4 workers sharing one rate limit stay under it in every window', async () => {
    await startWorker(env); // the fourth
    const from = calls.length;
    const handles = await Promise.all(Array.from({ length: 16 }, (_, i) => queue.submit('limited', `limited ${i}`)));
    await Promise.all(handles.map((h) => h.result()));
    const times = calls.slice(from).filter((c) => c.task.startsWith('limited')).map((c) => c.at).sort((a, b) => a - b);
    expect(times).toHaveLength(48);
    // 30 requests per 2 s window: no 2 s window holds more than 30, so 48 calls need more than one window.
    for (let i = 0; i < times.length; i++) expect(times.filter((t) => t >= times[i] && t < times[i] + 2_000).length).toBeLessThanOrEqual(30);
    expect(times.at(-1)! - times[0]).toBeGreaterThan(2_000);
  }, 60_000);

  it('Redis unreachable: submit rejects at once, naming the connection but not the password', async () => {
    const port = await freePort();
    const dead = new AgentQueue({ connection: `redis://app:hunter2secret@127.0.0.1:${port}/0` });
    try {
      const started = performance.now();
      const error = await dead.submit('lookup', 'x').catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(QueueConnectionError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect(JSON.stringify(error) + String((error as Error).stack) + String((error as Error).cause)).not.toContain('hunter2secret');
    } finally {
      await dead.close();
    }
  });
});
