import { ModelError, type ChatMessage } from '@smol/core';
import { ApiModel } from '@smol/core/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../test/redis-server.js';
import { RedisRateLimiter } from './index.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

class EchoModel extends ApiModel {
  protected async generateOnce(): Promise<ChatMessage> {
    return { role: 'assistant', content: 'ok', tokenUsage: { inputTokens: 5, outputTokens: 5, totalTokens: 10 } };
  }
  protected toModelError(error: unknown): ModelError {
    return new ModelError(String(error), { retryable: false });
  }
}

describe('RedisRateLimiter', () => {
  it('is accepted by ApiModel and shares one budget between limiters on the same key', async () => {
    const a = new RedisRateLimiter({ connection: redis.url, key: 'shared', requestsPerMinute: 6, windowMs: 2_000 });
    const b = new RedisRateLimiter({ connection: redis.url, key: 'shared', requestsPerMinute: 6, windowMs: 2_000 });
    try {
      const models = [new EchoModel({ modelId: 'm', rateLimiter: a }), new EchoModel({ modelId: 'm', rateLimiter: b })];
      const times: number[] = [];
      const start = Date.now();
      await Promise.all(Array.from({ length: 8 }, (_, i) => models[i % 2].agenerate([{ role: 'user', content: 'hi' }]).then(() => times.push(Date.now() - start))));
      times.sort((x, y) => x - y);
      for (const t of times) expect(times.filter((u) => u >= t && u < t + 2_000).length).toBeLessThanOrEqual(6);
      expect(times.at(-1)).toBeGreaterThan(1_000); // 8 requests do not fit in one window's budget
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('pause(ms) holds every limiter on the key, and an aborted wait rejects', async () => {
    const a = new RedisRateLimiter({ connection: redis.url, key: 'paused', requestsPerMinute: 1_000 });
    const b = new RedisRateLimiter({ connection: redis.url, key: 'paused', requestsPerMinute: 1_000 });
    try {
      await a.pause(1_000);
      const start = performance.now();
      await b.acquire();
      expect(performance.now() - start).toBeGreaterThan(500);
      await a.pause(5_000);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await expect(b.acquire({ signal: controller.signal })).rejects.toThrow(/abort/i);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('fetch() pauses the fleet on a 429 with Retry-After', async () => {
    const limiter = new RedisRateLimiter({ connection: redis.url, key: 'fetch429', requestsPerMinute: 1_000 });
    try {
      const fetch = limiter.fetch(async (_url: string) => new Response('{}', { status: 429, headers: { 'retry-after': '1' } }));
      expect((await fetch('http://127.0.0.1/')).status).toBe(429);
      const start = performance.now();
      await limiter.acquire();
      expect(performance.now() - start).toBeGreaterThan(300);
    } finally {
      await limiter.close();
    }
  });
});
