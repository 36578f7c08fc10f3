// A worker killed with SIGKILL mid-run: BullMQ's stalled-job recovery hands its runs to another
// worker, which continues from the last checkpoint without repeating a finished step's model call.
import { startMockLlmServer, taskOf, type MockLlmServer } from '@smol/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AgentQueue } from './index.js';
import { killWorkers, startWorker } from '../test/processes.js';
import { startRedisServer, type RedisServer } from '../test/redis-server.js';

let redis: RedisServer;
let mock: MockLlmServer;
beforeAll(async () => {
  [redis, mock] = await Promise.all([startRedisServer(), startMockLlmServer({ latencyMs: 300 })]);
});
afterAll(async () => {
  await killWorkers();
  await Promise.all([redis?.stop(), mock?.close()]);
});

it('SIGKILL of a worker with 100 runs in flight: all answer, and no finished step is asked of the model again', async () => {
  const env = { REDIS_URL: redis.url, OPENAI_BASE_URL: mock.baseURL, OPENAI_API_KEY: 'sk-test', QUEUE: 'crash', CONCURRENCY: '100', LOCK_MS: '4000', STALL_MS: '1000' };
  const victim = await startWorker(env);
  const queue = new AgentQueue({ connection: redis.url, queueName: 'crash' });
  const client = new Redis(redis.url);
  try {
    const handles = await Promise.all(Array.from({ length: 100 }, (_, i) => queue.submit('lookup', `crash task ${i}`)));
    // Kill it once every run has asked the model at least once (all 100 are in flight) and some have finished a step.
    const started = () => new Set(mock.requests.map((r) => taskOf(r.body.messages))).size;
    while (started() < 100 || mock.requestCount < 120) await new Promise((r) => setTimeout(r, 20));
    await victim.kill('SIGKILL');

    // What the dead worker had checkpointed (steps before `stepNumber` are finished), and what it finished.
    const pipeline = client.pipeline();
    for (const h of handles) pipeline.hmget(queue.keys.run(h.runId), 'checkpoint', 'outcome');
    const nextStep = new Map<string, number>();
    const finishedBeforeKill = new Set<number>();
    (await pipeline.exec())!.forEach(([, reply], i) => {
      const [raw, outcome] = reply as [string | null, string | null];
      nextStep.set(`crash task ${i}`, raw ? (JSON.parse(raw) as { stepNumber: number }).stepNumber : 1);
      if (outcome) finishedBeforeKill.add(i);
    });
    expect([...nextStep.values()].some((s) => s >= 2)).toBe(true);
    // On a loaded machine the first runs may be done before the last start; most are in flight.
    expect(finishedBeforeKill.size).toBeLessThan(50);

    await startWorker(env); // the survivor
    const results = await Promise.all(handles.map((h) => h.result()));
    results.forEach((r, i) => {
      expect(r.state).toBe('success');
      expect(String((r as { output: unknown }).output)).toContain(`Answer to "crash task ${i}"`);
    });
    // Every run in flight at the kill was recovered from the dead worker (its job's second execution).
    results.forEach((r, i) => expect(r.attempt).toBe(finishedBeforeKill.has(i) ? 1 : 2));

    // The model calls per (task, step): a step's request carries one assistant message per earlier step.
    const asked = new Map<string, number>();
    for (const request of mock.requests) {
      const step = request.body.messages.filter((m) => m.role === 'assistant').length + 1;
      const key = `${taskOf(request.body.messages)}#${step}`;
      asked.set(key, (asked.get(key) ?? 0) + 1);
    }
    for (const [task, next] of nextStep) {
      for (let step = 1; step < next; step++) expect(asked.get(`${task}#${step}`), `${task} step ${step}`).toBe(1);
    }
    // The step in flight at the kill may have been asked twice (at-least-once); nothing more.
    expect(mock.requestCount).toBeLessThanOrEqual(300 + 100);
  } finally {
    client.disconnect();
    await queue.close();
  }
}, 90_000);
