// pnpm bench --soak: ToolCallingAgent and CodeAgent runs through the simulated server, each in a
// fresh process run with --expose-gc, then charts (SVG), a markdown section and PASS/FAIL.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { collectEnvironment } from './report.ts';
import { evaluateSoak, renderSoakMarkdown, renderSoakSvg, type SoakEntry } from './soak-report.ts';
import type { SoakJob, SoakResult, SoakSample } from './soak.ts';
import { runJob, startMockCli, type Server } from './spawn.ts';

export const SOAK_DEFAULTS = { runs: 100_000, codeRuns: 20_000, concurrency: 100, samples: 100 };

export interface SoakOptions {
  runs: number;
  codeRuns: number;
  concurrency: number;
  samples: number;
  /** Where the SVG charts go. */
  outDir: string;
  /** The markdown section's file. */
  reportPath: string;
  /** The repository root: chart paths in the markdown are relative to it (BENCHMARKS.md's folder). */
  rootDir: string;
  resultsDir: string;
  timeoutS?: number;
  log: (line: string) => void;
}

export interface SoakRun {
  entries: SoakEntry[];
  markdown: string;
  files: string[];
}

export async function runSoak(o: SoakOptions): Promise<SoakRun> {
  const env = collectEnvironment();
  const plan = [
    { title: 'ToolCallingAgent', file: 'soak-tool-calling.svg', runner: 'smol' as const, runs: o.runs, scenario: 'tool' },
    { title: 'CodeAgent', file: 'soak-code.svg', runner: 'smol-code' as const, runs: o.codeRuns, scenario: 'code' },
  ].filter((p) => p.runs > 0);
  const entries: SoakEntry[] = [];
  const files: string[] = [];
  mkdirSync(o.outDir, { recursive: true });
  for (const p of plan) {
    const server: Server = await startMockCli(['--latency-ms', '0', '--scenario', p.scenario]);
    let result: SoakResult;
    try {
      o.log(`soak: ${p.title}, ${p.runs} runs, ${o.concurrency} in flight…`);
      const job: SoakJob = { kind: 'soak', runner: p.runner, runs: p.runs, concurrency: o.concurrency, baseURL: server.baseURL, samples: o.samples };
      // Generous: 50 ms per run (a busy 2-core machine did about 20 ms), plus a minute.
      const timeoutMs = (o.timeoutS ?? 60 + p.runs / 20) * 1000;
      const progressEvery = Math.max(1, Math.round(o.samples / 10));
      let seen = 0;
      const res = await runJob(job, timeoutMs, [], (line) => {
        if (!line.startsWith('SAMPLE ')) return;
        const s = JSON.parse(line.slice(7)) as SoakSample;
        if (seen++ % progressEvery === 0) o.log(`  ${p.title} ${String(s.runs).padStart(7)} runs  ${String(s.t).padStart(7)} s  heap ${s.heapMB} MB  rss ${s.rssMB} MB${s.workerHeapMB === undefined ? '' : `  workers' heap ${s.workerHeapMB} MB`}`);
      });
      if (res.status !== 'ok') throw new Error(`soak ${p.title} failed: ${res.status === 'timeout' ? `timeout after ${res.timeoutS} s` : res.error}`);
      result = res as unknown as SoakResult;
    } finally {
      await server.stop();
    }
    const svgPath = join(o.outDir, p.file);
    writeFileSync(svgPath, renderSoakSvg(`${p.title}: memory over ${p.runs.toLocaleString('en-US')} runs`, result));
    files.push(svgPath);
    const checks = evaluateSoak(result);
    entries.push({ title: p.title, result, checks, svg: relative(o.rootDir, svgPath) });
    o.log(`  ${p.title}: ${result.runs} runs in ${result.wallS} s, errors ${result.errors}, wrong ${result.wrong}${result.firstError ? ` (${result.firstError})` : ''}`);
    for (const c of checks) o.log(`${c.pass ? 'PASS' : 'FAIL'}  ${p.title}: ${c.name}: ${c.ref} → ${c.end} MB (×${c.ratio}, limit ×${c.limit})`);
  }
  const markdown = renderSoakMarkdown(entries, env);
  mkdirSync(dirname(o.reportPath), { recursive: true });
  writeFileSync(o.reportPath, `${markdown}\n`);
  files.push(o.reportPath);
  mkdirSync(o.resultsDir, { recursive: true });
  const stamp = env.date.replace(/[:.]/g, '-');
  writeFileSync(join(o.resultsDir, `soak-${stamp}.json`), JSON.stringify({ environment: env, options: { ...o, log: undefined }, entries }, null, 2));
  o.log(`wrote ${files.map((f) => relative(o.rootDir, f)).join(', ')}`);
  return { entries, markdown, files };
}
