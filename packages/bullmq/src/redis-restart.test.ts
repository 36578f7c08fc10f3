// Redis restarting under a busy worker: the worker's commands wait for the reconnect, so runs
// go on and no finished step is lost or redone.
import { startMockLlmServer, taskOf, type MockLlmServer } from '@smol/testing';
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

it('a Redis restart mid-run loses no run and no finished step', async () => {
  await startWorker({ REDIS_URL: redis.url, OPENAI_BASE_URL: mock.baseURL, OPENAI_API_KEY: 'sk-test', QUEUE: 'restart', CONCURRENCY: '50' });
  const producer = new AgentQueue({ connection: redis.url, queueName: 'restart' });
  const runIds = (await Promise.all(Array.from({ length: 30 }, (_, i) => producer.submit('lookup', `restart task ${i}`)))).map((h) => h.runId);
  await producer.close();
  while (mock.requestCount < 45) await new Promise((r) => setTimeout(r, 20));
  await redis.restart();

  const queue = new AgentQueue({ connection: redis.url, queueName: 'restart' });
  try {
    const results = await Promise.all(runIds.map((id) => queue.handle(id).result()));
    results.forEach((r, i) => expect(String((r as { output: unknown }).output)).toContain(`Answer to "restart task ${i}"`));
    const perTask = new Map<string, number>();
    for (const request of mock.requests) perTask.set(taskOf(request.body.messages), (perTask.get(taskOf(request.body.messages)) ?? 0) + 1);
    expect([...perTask.values()].every((n) => n === 3)).toBe(true); // three steps, each asked once
  } finally {
    await queue.close();
  }
}, 60_000);
