// CI smoke test: the harness runs end to end with tiny N (smol and the floor, 0 ms latency,
// short streams, abort). It proves the harness works; it asserts no speed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { redisBinary } from '@smol/testing/redis';
import { parseOptions, runBench, runQueueBenchCli, runSoakBench } from './bench.ts';
import { runJob, startMockCli } from './spawn.ts';
import { renderMarkdown } from './report.ts';

const dir = mkdtempSync(join(tmpdir(), 'smol-bench-'));
// The queue bench needs Debian's redis-server (scripts/ensure-redis.sh installs it); skipped only when it cannot be installed.
const noRedis = (() => {
  try {
    redisBinary();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
})();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pnpm bench harness (smoke)', () => {
  it('parses the flags; a partial run never writes BENCHMARKS.md', () => {
    const o = parseOptions(['--quick', '--only', 'smol,floor', '--n', '1000']);
    expect(o.only).toEqual(['smol', 'floor']);
    expect(o.n).toBe(1000);
    expect(o.md).toBe(false);
    expect(() => parseOptions(['--only', 'langchain'])).toThrow(/unknown "langchain"/);
  });

  it('runs smol and the floor at N=2, 0 ms latency, plus short streams and abort', async () => {
    const o = { ...parseOptions(['--n', '2', '--only', 'smol,floor', '--sections', 'cpu,long,abort', '--chunks', '50,100', '--no-build']), resultsDir: dir, log: () => {} };
    const res = await runBench(o);
    expect(res.agents.map((e) => [e.runner, e.n, e.result.status])).toEqual([
      ['smol', 2, 'ok'],
      ['floor', 2, 'ok'],
    ]);
    for (const e of res.agents) expect(e.result).toMatchObject({ errors: 0, wrong: 0, steps: 6 });
    expect(res.longStreams.map((l) => [l.via, l.chunks, l.result.status])).toEqual([
      ['model', 50, 'ok'],
      ['model', 100, 'ok'],
      ['agent', 50, 'ok'],
      ['agent', 100, 'ok'],
    ]);
    expect(res.longStreams[1].result).toMatchObject({ deltas: 101 });
    expect(res.abort).toMatchObject({ status: 'ok', resolvedInstead: 0 });
    const saved = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(saved.agents).toHaveLength(2);
    expect(renderMarkdown(res)).toContain('| 2 | smol |');
  }, 60_000);

  it('at N=1,000 reports the steady window: the work again once the process has made 20,000 model calls', async () => {
    const server = await startMockCli(['--latency-ms', '0']);
    try {
      const job = { kind: 'agents', runner: 'floor', n: 1000, baseURL: server.baseURL, stream: false, sequential: false, sockets: 1024, warmup: 3 } as const;
      const steady = (await runJob({ ...job, steady: true }, 120_000)) as Record<string, unknown>;
      expect(steady).toMatchObject({ status: 'ok', steps: 3000, errors: 0, wrong: 0 });
      // The first window is kept for the record; memory is its own (a number, from the same baseline).
      expect(steady.firstWindow).toMatchObject({ cpuPerStepMs: expect.any(Number), wallMs: expect.any(Number) });
      expect(steady.kbPerAgent).toEqual(expect.any(Number));
      const cold = (await runJob({ ...job, steady: false }, 120_000)) as Record<string, unknown>;
      expect(cold).toMatchObject({ status: 'ok', steps: 3000, errors: 0 });
      expect(cold.firstWindow).toBeUndefined();
    } finally {
      await server.stop();
    }
  }, 150_000);

  it('parses the soak flags; smaller counts never write the committed charts', () => {
    const full = parseOptions(['--soak']).soak!;
    expect(full).toMatchObject({ runs: 100_000, codeRuns: 20_000, concurrency: 100 });
    expect(full.outDir).toMatch(/docs\/bench$/);
    expect(full.reportPath).toMatch(/packages\/bench\/soak-report\.md$/);
    const small = parseOptions(['--soak', '--runs', '2000', '--results-dir', dir]).soak!;
    expect(small).toMatchObject({ runs: 2000, codeRuns: 20_000, outDir: join(dir, 'soak') });
    expect(parseOptions([]).soak).toBeUndefined();
    expect(() => parseOptions(['--soak', '--runs', '-1'])).toThrow(/--runs/);
  });

  it('runs the soak with tiny counts: both agents, samples, charts and the markdown section', async () => {
    const out = join(dir, 'soak-out');
    const o = { ...parseOptions(['--soak', '--runs', '30', '--code-runs', '10', '--concurrency', '5', '--samples', '5', '--no-build', '--soak-out', out, '--results-dir', dir]), log: () => {} };
    const run = await runSoakBench(o);
    expect(run.entries.map((e) => [e.title, e.result.runs, e.result.errors, e.result.wrong])).toEqual([
      ['ToolCallingAgent', 30, 0, 0],
      ['CodeAgent', 10, 0, 0],
    ]);
    for (const e of run.entries) {
      expect(e.result.samples.length).toBeGreaterThanOrEqual(5);
      expect(e.result.samples.at(-1)!.runs).toBe(e.result.runs);
      expect(e.result.samples.every((s) => s.heapMB > 0 && s.rssMB > 0)).toBe(true);
      expect(e.checks.map((c) => typeof c.pass)).toEqual(['boolean', 'boolean']);
      expect(readFileSync(join(out, e.svg.split('/').at(-1)!), 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    }
    expect(run.entries[1]!.result.samples.at(-1)!.workerHeapMB).toBeGreaterThan(0);
    const md = readFileSync(join(out, 'soak-report.md'), 'utf8');
    expect(md).toContain('| ToolCallingAgent | 30 | 5 |');
    expect(md).toMatch(/!\[CodeAgent: memory over 10 runs\]\(.*soak-code\.svg\)/);
    expect(existsSync(join(out, 'soak-tool-calling.svg'))).toBe(true);
  }, 120_000);

  it('parses the queue flags; smaller counts never write the committed section', () => {
    const full = parseOptions(['--queue']).queue!;
    expect(full).toMatchObject({ runs: 2000, workers: [1, 2, 4], concurrency: 50, latencyMs: 0, rounds: 3 });
    expect(full.reportPath).toMatch(/packages\/bench\/queue-report\.md$/);
    const small = parseOptions(['--queue', '--runs', '100', '--workers', '1,3', '--results-dir', dir]).queue!;
    expect(small).toMatchObject({ runs: 100, workers: [1, 3], reportPath: join(dir, 'queue', 'queue-report.md') });
    expect(parseOptions([]).queue).toBeUndefined();
    expect(() => parseOptions(['--queue', '--workers', '0'])).toThrow(/--workers/);
    expect(() => parseOptions(['--queue', '--soak'])).toThrow(/separate/);
  });

  it.skipIf(noRedis !== undefined)(`runs the queue bench with tiny counts: 1 and 2 worker processes, checkpoint cost, the markdown section${noRedis ? ` (skipped: ${noRedis})` : ''}`, async () => {
    const o = parseOptions(['--queue', '--runs', '8', '--workers', '1,2', '--concurrency', '4', '--rounds', '1', '--no-build', '--results-dir', dir]);
    const run = await runQueueBenchCli({ ...o, queue: { ...o.queue!, probes: 20 }, log: () => {} });
    expect(run.entries.map((e) => [e.workers, e.runs, e.errors, e.wrong])).toEqual([
      [1, 8, 0, 0],
      [2, 8, 0, 0],
    ]);
    for (const e of run.entries) expect(e.runsPerS).toBeGreaterThan(0);
    expect(run.inProcess).toMatchObject({ runs: 8, rounds: [expect.any(Number)], errors: 0, wrong: 0 });
    expect(run.checkpoint.steps).toBe(3);
    expect(run.checkpoint.finalBytes.mean).toBeGreaterThan(500);
    expect(run.checkpoint.writeMs.p50).toBeGreaterThan(0);
    const md = readFileSync(join(dir, 'queue', 'queue-report.md'), 'utf8');
    expect(md).toContain('## Queue mode');
    expect(md).toMatch(/\| 2 \| 8 \| [\d.]+ \| [\d.]+ \([\d.]+–[\d.]+\) \| [\d.]+ \| ×[\d.]+ \| 0 \/ 0 \|/);
    expect(md).toContain('| in-process, no queue (reference) | 8 |');
    expect(md).toMatch(/This machine has \d+ cores/);
  }, 90_000);
});
