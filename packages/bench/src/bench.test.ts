// CI smoke test: the harness runs end to end with tiny N (smol and the floor, 0 ms latency,
// short streams, abort). It proves the harness works; it asserts no speed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOptions, runBench } from './bench.ts';
import { renderMarkdown } from './report.ts';

const dir = mkdtempSync(join(tmpdir(), 'smol-bench-'));
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
});
