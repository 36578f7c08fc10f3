import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AgentAbortError, AgentConfigError } from '../errors.js';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('lets a burst through at once, then spaces requests', async () => {
    // 600 rpm = one every 100 ms, burst 2
    const rl = new RateLimiter({ requestsPerMinute: 600, burst: 2 });
    const t0 = performance.now();
    // The burst waits for no timer: both are served before the next turn of the event loop.
    const burst = Promise.all([rl.acquire(), rl.acquire()]).then(() => 'burst');
    const nextTurn = new Promise((r) => setImmediate(() => r('next turn')));
    expect(await Promise.race([burst, nextTurn])).toBe('burst');
    await rl.acquire();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(85);
    expect(elapsed).toBeLessThan(400);
  });

  it('serves concurrent callers first in, first out', async () => {
    const rl = new RateLimiter({ requestsPerMinute: 6000, burst: 1 }); // one per 10 ms
    const order: number[] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => rl.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rl.pending).toBe(0);
  });

  it('an aborted waiter leaves the queue and no listener; the others still go in order', async () => {
    const rl = new RateLimiter({ requestsPerMinute: 6000, burst: 1 });
    await rl.acquire(); // empty the bucket
    const ac = new AbortController();
    const order: string[] = [];
    const a = rl.acquire().then(() => order.push('a'));
    const b = rl.acquire({ signal: ac.signal });
    const c = rl.acquire().then(() => order.push('c'));
    expect(rl.pending).toBe(3);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    await expect(b).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    expect(rl.pending).toBe(2);
    await Promise.all([a, c]);
    expect(order).toEqual(['a', 'c']);
  });

  it('removes the listener of a waiter that was served', async () => {
    const rl = new RateLimiter({ requestsPerMinute: 6000, burst: 1 });
    await rl.acquire();
    const ac = new AbortController();
    await rl.acquire({ signal: ac.signal });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once with an aborted signal', async () => {
    const rl = new RateLimiter({ requestsPerMinute: 60 });
    await expect(rl.acquire({ signal: AbortSignal.abort() })).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
  });

  it('holds requests while the token budget is in debt', async () => {
    // 60 000 tokens/min = 1 token per ms
    const rl = new RateLimiter({ tokensPerMinute: 60_000 });
    await rl.acquire();
    rl.recordTokens(60_000 + 80); // 80 tokens of debt → about 80 ms
    const t0 = performance.now();
    await rl.acquire();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(60);
    expect(elapsed).toBeLessThan(500);
  });

  it('ready says whether an acquire would start at once, without taking anything', async () => {
    const rl = new RateLimiter({ requestsPerMinute: 600, burst: 1 });
    expect(rl.ready).toBe(true);
    expect(rl.ready).toBe(true); // asking takes nothing
    await rl.acquire();
    expect(rl.ready).toBe(false); // the burst is spent
    await new Promise((r) => setTimeout(r, 130));
    expect(rl.ready).toBe(true);
    const tokens = new RateLimiter({ tokensPerMinute: 60_000 });
    tokens.recordTokens(60_050);
    expect(tokens.ready).toBe(false); // in debt
    expect(new RateLimiter().ready).toBe(true);
  });

  it('with no limits never waits', async () => {
    const rl = new RateLimiter();
    await Promise.all(Array.from({ length: 1000 }, () => rl.acquire()));
    expect(rl.pending).toBe(0);
  });

  it('handles 10 000 queued waiters with one timer', async () => {
    const rl = new RateLimiter({ requestsPerMinute: 60_000_000, burst: 1000 });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10_000 }, () => rl.acquire()));
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('rejects invalid limits', () => {
    expect(() => new RateLimiter({ requestsPerMinute: 0 })).toThrow(AgentConfigError);
  });
});
