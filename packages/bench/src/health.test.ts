// The health probe measures the worker's event loop from outside it: a loop blocked for 300 ms
// while the probe polls shows as a slow health answer. Generous bounds: no speed targets.
import { describe, expect, it } from 'vitest';
import { startHealthCheck } from './health.ts';
import { healthStats } from './health-probe.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('health probe', () => {
  it('sees a 300 ms block of the event loop it asks', async () => {
    const health = await startHealthCheck();
    health.begin();
    await sleep(100);
    // The loop is blocked the way a run's synchronous work would block it.
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // busy
    }
    await sleep(100);
    health.end();
    const stats = await health.result();
    expect(stats.count).toBeGreaterThanOrEqual(2);
    expect(stats.maxMs).toBeGreaterThanOrEqual(200);
    expect(stats.maxMs).toBeLessThan(10_000);
    expect(stats.p50Ms).toBeLessThanOrEqual(stats.p99Ms);
    expect(stats.p99Ms).toBeLessThanOrEqual(stats.maxMs);
  });

  it('reports nearest-rank percentiles', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(healthStats(latencies)).toEqual({ count: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 });
    expect(healthStats([])).toEqual({ count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });
});
