import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from '../test/redis-server.js';

describe('the Redis test harness', () => {
  it('starts a private redis-server on a free port, keeps data across a restart, and stops it', async () => {
    const redis = await startRedisServer();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await client.set('k', 'v');
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      client.disconnect();
      await redis.restart();
      const again = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      expect(await again.get('k')).toBe('v');
      again.disconnect();
    } finally {
      client.disconnect();
      await redis.stop();
    }
    const after = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    after.on('error', () => {});
    await expect(after.connect()).rejects.toThrow(); // nothing listens any more
  });
});
