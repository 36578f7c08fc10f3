// A modest load test: bounded counts, generous time limits.
import { afterEach, describe, expect, it } from 'vitest';
import { closeServers, readUntil, startServer, until } from '../test/helpers.js';

afterEach(closeServers);


describe('under load', () => {
  it('300 concurrent requests answer 200 or 429, never a 5xx; the active count returns to 0', async () => {
    const server = await startServer({ maxConcurrentRuns: 50 }, { delayMs: 20 });
    const statuses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        fetch(`${server.url}/api/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ task: `Weather ${i}?` }),
        }).then(async (res) => {
          const body = await res.json();
          if (res.status === 200) expect(body.output).toBe('sunny in Paris');
          if (res.status === 429) expect(res.headers.get('retry-after')).toBe('1');
          return res.status;
        }),
      ),
    );
    const counts = statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    expect(Object.keys(counts).map(Number).every((s) => s === 200 || s === 429)).toBe(true);
    expect(counts[200]).toBeGreaterThanOrEqual(50);
    expect(server.activeRuns).toBe(0);
  }, 60_000);

  it('100 SSE clients that disconnect leave no run behind', async () => {
    // A model that never answers in time: every run is still going when its client leaves.
    const server = await startServer({ maxConcurrentRuns: 200 }, { delayMs: 60_000 });
    const clients = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const controller = new AbortController();
        const res = await fetch(`${server.url}/api/runs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"task":"Weather?","stream":true}',
          signal: controller.signal,
        });
        await readUntil(res, (events) => events.length > 0);
        return controller;
      }),
    );
    expect(server.activeRuns).toBe(100);
    for (const c of clients) c.abort();
    await until(() => server.activeRuns === 0, 10_000);
    const health = await (await fetch(`${server.url}/api/health`)).json();
    expect(health.activeRuns).toBe(0);
  }, 60_000);
});
