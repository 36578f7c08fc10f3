// pnpm --filter @smol/bench run profile: a CPU profile of one runner's measured work only (after
// the warm-up; V8's sampler every 100 µs, in the worker), default smol at N=1,000 and 0 ms
// latency with the server in its own process, then the top self-time functions and packages.
//   --runner floor  --n 10000  --latency 100  --stream  --top 30  --no-build  (a runner may carry environment variables: openai-sdk+NAME=value)
//   --against openai-sdk  --rounds 3  --out FILE: where the runner's CPU beyond the other's goes, in µs
//     per model call by package and by function (medians of the rounds' differences; the runners
//     alternate), and, with --out, as a markdown section that BENCHMARKS.md keeps (profile-report.md)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summarize, type CpuProfile, type SelfTime } from './cpuprofile.ts';
import { median, medianDifference } from './median.ts';
import { runJob, runnerSpec, startMockCli } from './spawn.ts';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    runner: { type: 'string', default: 'smol' },
    against: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    n: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '0' },
    top: { type: 'string', default: '25' },
    out: { type: 'string' },
    stream: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

if (!values['no-build']) {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
  const r = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@smol/bench...', '--output-logs=errors-only'], { cwd: resolve(packageDir, '../..'), env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const dir = join(packageDir, 'bench-results', 'profiles');
mkdirSync(dir, { recursive: true });
const out = (line: string) => process.stdout.write(`${line}\n`);
const n = Number(values.n);
const top = Number(values.top);
const rounds = Number(values.rounds);
const runners = values.against ? [values.runner!, values.against] : [values.runner!];
const started = Date.now();

/** Self time in µs per model call, by package and by function (name and place). */
interface PerCall {
  totalUs: number;
  areas: Map<string, number>;
  functions: Map<string, number>;
}

const taken = new Map<string, PerCall[]>(runners.map((r) => [r, []]));
const server = await startMockCli(['--latency-ms', values.latency!]);
try {
  for (let round = 0; round < rounds; round++) {
    // Each round starts one runner later: neither always follows the other.
    for (const spec of round % 2 ? [...runners].reverse() : runners) {
      const { runner, env } = runnerSpec(spec);
      const profileFile = join(dir, `${runner}-n${n}-${Date.now()}.cpuprofile`);
      const job = { kind: 'agents', runner, n, baseURL: server.baseURL, stream: values.stream!, sequential: false, sockets: 1024, warmup: 3, profileFile, steady: true } as const;
      const result = await runJob(job, 300_000, [], undefined, env);
      if (result.status !== 'ok') throw new Error(`${spec}: ${JSON.stringify(result)}`);
      const calls = result.steps as number;
      // The profiler's session turns the samples into a profile at the end: that is not the runner's work.
      const s = summarize(JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile, Infinity, 'node:inspector');
      const us = (list: SelfTime[]) => new Map(list.map((x) => [x.where ? `${x.name}  ${x.where}` : x.name, (x.ms * 1000) / calls]));
      const areas = us(s.areas);
      const p: PerCall = { totalUs: [...areas.values()].reduce((a, b) => a + b, 0), areas, functions: us(s.functions) };
      taken.get(spec)!.push(p);
      out(`${spec} N=${n} latency=${values.latency} ms${values.stream ? ' streamed' : ''}: CPU ${result.cpuPerStepMs} ms per call (process), ${p.totalUs.toFixed(1)} µs per call sampled on the main thread (${profileFile})`);
    }
  }
} finally {
  await server.stop();
}

const fixed = (x: number) => x.toFixed(1);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${fixed(x)}`;
const [first, other] = runners;
if (!other) {
  const [p] = taken.get(first)!;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  out('\nself time by package, µs per model call:');
  for (const [name, us] of sorted(p.areas)) out(`  ${fixed(us).padStart(8)}  ${name}`);
  out('\ntop functions by self time, µs per model call:');
  for (const [name, us] of sorted(p.functions)) out(`  ${fixed(us).padStart(8)}  ${name}`);
} else {
  // Per key: each runner's median, and the median of the rounds' differences.
  const compare = (pick: (p: PerCall) => Map<string, number>) => {
    const keys = new Set(runners.flatMap((r) => taken.get(r)!.flatMap((p) => [...pick(p).keys()])));
    return [...keys]
      .map((key) => {
        const a = taken.get(first)!.map((p) => pick(p).get(key) ?? 0);
        const b = taken.get(other)!.map((p) => pick(p).get(key) ?? 0);
        return { key, a: median(a), b: median(b), diff: medianDifference(a, b) };
      })
      .sort((x, y) => y.diff - x.diff);
  };
  const areas = compare((p) => p.areas);
  const functions = compare((p) => p.functions);
  // The total too is the median of the rounds' differences, like every other row.
  const [total] = compare((p) => new Map([['**all sampled**', p.totalUs]]));
  const row = (r: { key: string; a: number; b: number; diff: number }) => `| ${r.key.replace(/\|/g, '\\|')} | ${fixed(r.a)} | ${fixed(r.b)} | ${signed(r.diff)} |`;
  const head = `| | ${first} µs/call | ${other} µs/call | difference |\n| --- | --- | --- | --- |`;
  const moved = functions.filter((f) => Math.abs(f.diff) >= 0.5);
  const md = [
    `## Where ${first}'s CPU beyond ${other} goes (steady-state profile)`,
    '',
    `Generated by \`pnpm --filter @smol/bench run profile --runner ${first} --against ${other} --n ${n} --latency ${values.latency} --rounds ${rounds}\` on ${new Date().toISOString().slice(0, 10)} (${Math.round((Date.now() - started) / 1000)} s). ` +
      `Each runner runs N agents in a fresh process, as in the load section; V8's sampling profiler (every 100 µs) covers the measured work only, after the warm-up, so module loading and first compilations are not in it. ` +
      `Values are main-thread self time per model call, medians over the rounds (the runners alternate); a difference is the median of the rounds' differences. ` +
      'The collector row is its work on the main thread; its helper threads and the optimizing compiler run on other threads, which the CPU per step in the tables above counts and a profile does not. ' +
      "The profiler samples the main thread by the clock, not by its CPU time: a native call that waits in the kernel is charged for the wait as well (writeUtf8String, the socket write that wakes the server's process, differs even between runners that write the same bytes). " +
      'Read a difference under a few µs as noise.',
    '',
    head,
    row(total),
    ...areas.filter((r) => Math.abs(r.diff) >= 0.5 || r.a >= 5).map(row),
    '',
    `By function, where the difference is at least 0.5 µs per call (${first} spends more at the top, less at the bottom):`,
    '',
    head,
    ...moved.slice(0, top).map(row),
    ...(moved.length > top ? ['| … | | | |', ...moved.slice(Math.max(top, moved.length - 5)).map(row)] : []),
    '',
  ].join('\n');
  out(`\n${md}`);
  if (values.out) {
    writeFileSync(resolve(values.out), md);
    out(`wrote ${resolve(values.out)}`);
  }
}
