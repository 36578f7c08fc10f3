// pnpm --filter @smol/bench run compare: CPU per step of some runners, alternated over several
// rounds in fresh processes, median and range, to tell a change from the machine's noise. The
// ratio to the last runner is the median of each round's ratio (neighbours in time share the
// machine's speed); each round starts one runner later. A runner may carry environment variables for its process: smol+NAME=value.
//   --runners smol,openai-sdk  --n 1000[,10000]  --latency 0  --rounds 5  --out FILE (a markdown section)
//   --health: a health request on each runner's event loop meanwhile, as `pnpm bench` does at N ≥ 1,000
//   --gc: the collector's work in each measured window too (gc-profile.ts), and with --out, its table
//   --cold: measure the first window after the warm-up even at N ≥ 1,000, not the steady state's (worker.ts, STEADY_CALLS)
// The collector's share (gc-report.md, which BENCHMARKS.md keeps):
//   --runners smol,openai-sdk+SMOL_BENCH_SDK_PROMPT=smol,openai-sdk --n 1000 --latency 100 --gc --out gc-report.md
// The prompt's share of smol's cost (prompt-report.md, which BENCHMARKS.md keeps):
//   --runners smol,openai-sdk+SMOL_BENCH_SDK_PROMPT=smol,openai-sdk --n 1000,10000 --latency 100 --out prompt-report.md
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median, medianDifference, medianRatio } from './median.ts';
import type { GCSummary } from './gc-profile.ts';
import { runJob, runnerSpec, startMockCli } from './spawn.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    runners: { type: 'string', default: 'smol,openai-sdk' },
    n: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '5' },
    out: { type: 'string' },
    health: { type: 'boolean', default: false },
    gc: { type: 'boolean', default: false },
    cold: { type: 'boolean', default: false },
  },
});
const specs = values.runners!.split(',');
const ns = values.n!.split(',').map(Number);
const rounds = Number(values.rounds);
const started = Date.now();
/** Per model call: scavenge pause µs, KB promoted, other collector pauses µs; and scavenges per 1,000 calls. */
type GCSamples = { scavengeUs: number[]; promotedKB: number[]; otherUs: number[]; scavenges: number[] };
type Samples = { cpu: number[]; main: number[]; wall: number[]; kb: number[]; p99: number[]; gc: GCSamples };
const rows: { n: number; spec: string; s: Samples; cpuRatio: number; wallRatio: number }[] = [];
const server = await startMockCli(['--latency-ms', values.latency!]);
try {
  for (const n of ns) {
    const samples = new Map<string, Samples>(specs.map((r) => [r, { cpu: [], main: [], wall: [], kb: [], p99: [], gc: { scavengeUs: [], promotedKB: [], otherUs: [], scavenges: [] } }]));
    for (let round = 0; round < rounds; round++) {
      // Each round starts one runner later: no runner always follows the same one.
      for (const spec of [...specs.slice(round % specs.length), ...specs.slice(0, round % specs.length)]) {
        const { runner, env } = runnerSpec(spec);
        const r = await runJob({ kind: 'agents', runner, n, baseURL: server.baseURL, stream: false, sequential: false, sockets: 1024, warmup: 3, health: values.health, gc: values.gc, steady: !values.cold }, 150_000, [], undefined, env);
        if (r.status !== 'ok') throw new Error(`${spec}: ${JSON.stringify(r)}`);
        const s = samples.get(spec)!;
        s.cpu.push(r.cpuPerStepMs as number);
        s.main.push((r.cpuMainThreadMs as number) / (r.steps as number));
        s.wall.push(r.wallMs as number);
        s.kb.push(r.kbPerAgent as number);
        s.p99.push((r.loopDelayMs as { p99: number }).p99);
        const gc = r.gc as GCSummary | undefined;
        if (gc) {
          const calls = r.steps as number;
          s.gc.scavengeUs.push((gc.scavengeMs * 1000) / calls);
          s.gc.promotedKB.push(gc.promotedKB / calls);
          s.gc.otherUs.push((gc.otherMs * 1000) / calls);
          s.gc.scavenges.push((gc.scavenges * 1000) / calls);
        }
      }
    }
    const base = samples.get(specs[specs.length - 1])!;
    for (const [spec, s] of samples) {
      const cpuRatio = medianRatio(s.cpu, base.cpu);
      const wallRatio = medianRatio(s.wall, base.wall);
      const mainRatio = medianRatio(s.main, base.main);
      rows.push({ n, spec, s, cpuRatio, wallRatio });
      const range = (xs: number[]) => `${Math.min(...xs)}–${Math.max(...xs)}`;
      process.stdout.write(
        `N=${String(n).padEnd(6)} ${spec.padEnd(22)} CPU ms/step ${median(s.cpu).toFixed(3)} (${range(s.cpu)}) ÷ ${specs[specs.length - 1]} ${cpuRatio.toFixed(2)}x, main thread ${median(s.main).toFixed(3)} (${mainRatio.toFixed(2)}x)` +
          `  wall ms ${median(s.wall)} (${wallRatio.toFixed(2)}x)  KB/agent ${median(s.kb)}  loop p99 ${median(s.p99)}` +
          (values.gc ? `  scavenge µs/call ${median(s.gc.scavengeUs).toFixed(1)}  promoted KB/call ${median(s.gc.promotedKB).toFixed(2)}  other GC µs/call ${median(s.gc.otherUs).toFixed(1)}` : '') +
          '\n',
      );
    }
  }
} finally {
  await server.stop();
}

if (values.out) {
  const last = specs[specs.length - 1];
  const date = new Date().toISOString().slice(0, 10);
  const seconds = Math.round((Date.now() - started) / 1000);
  const withPrompt = specs.some((spec) => spec.includes('+SMOL_BENCH_SDK_PROMPT=smol'));
  const command = `\`pnpm --filter @smol/bench run compare --runners ${values.runners} --n ${values.n} --latency ${values.latency} --rounds ${rounds}${values.gc ? ' --gc' : ''}${values.cold ? ' --cold' : ''}\``;
  const method =
    `Each runner runs N agents at ${values.latency} ms latency in a fresh process, ${rounds} rounds, alternated; a value is the median of its rounds, ` +
    `a ratio or a difference the median of the rounds' ratios or differences to **${last}**. ` +
    (withPrompt
      ? "`+NAME=value` is an environment variable of that runner's process: `SMOL_BENCH_SDK_PROMPT=smol` makes the SDK loop send the system prompt and task line a ToolCallingAgent sends by default, " +
        "so the rows tell the prompt's share of smol's cost from the rest (the agent loop, ApiModel, conversions, the run's signal). "
      : '') +
    "The range is the lowest and highest round: one runner's rounds differ by more than most differences between runners here, so read a few percent as noise. " +
    "The main thread's CPU is the process's minus V8's helper threads (the collector's, the optimizing compiler's). " +
    (values.cold
      ? 'Each value is from the first window after the warm-up (`--cold`), which at 1,000 agents falls inside V8\'s own warm-up.'
      : "At N of 1,000 or more each value is from V8's steady state: a window under 20,000 model calls runs again once the process has made that many (memory stays the first window's).");
  const gcMethod =
    " The collector's columns come from V8's GC profiler over the measured work only: the scavenges' main-thread pause and the bytes they promoted to the old generation, " +
    'per model call. A scavenge copies what is alive, so what a run holds while its call is in flight is what it costs; ' +
    "the scavenger's helper threads add CPU that these pauses leave out and the CPU column counts.";
  const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
  const lines = [
    values.gc ? "## The collector's share of smol's cost" : withPrompt ? "## The prompt's share of smol's cost" : '## Compare: runners side by side',
    '',
    `Generated by ${command} on ${date} (${seconds} s). ${method}${values.gc ? gcMethod : ''}`,
    '',
    `| N | runner | CPU ms/step (range) | CPU ÷ ${last} | main thread ms/step | wall s | wall ÷ ${last} | KB/agent |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.n.toLocaleString('en-US')} | ${r.spec} | ${median(r.s.cpu).toFixed(3)} (${Math.min(...r.s.cpu).toFixed(3)}–${Math.max(...r.s.cpu).toFixed(3)}) | ${r.cpuRatio.toFixed(2)}x | ${median(r.s.main).toFixed(3)} | ` +
        `${(median(r.s.wall) / 1000).toFixed(2)} | ${r.wallRatio.toFixed(2)}x | ${median(r.s.kb).toFixed(1)} |`,
    ),
    '',
  ];
  if (values.gc) {
    const baseOf = (n: number) => rows.find((r) => r.n === n && r.spec === last)!.s.gc;
    lines.push(
      `| N | runner | scavenge pause µs/call | − ${last} | promoted KB/call | − ${last} | scavenges per 1,000 calls | other collector pauses µs/call |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((r) => {
        const g = r.s.gc;
        const b = baseOf(r.n);
        return (
          `| ${r.n.toLocaleString('en-US')} | ${r.spec} | ${median(g.scavengeUs).toFixed(1)} | ${signed(medianDifference(g.scavengeUs, b.scavengeUs), 1)} | ` +
          `${median(g.promotedKB).toFixed(2)} | ${signed(medianDifference(g.promotedKB, b.promotedKB), 2)} | ${median(g.scavenges).toFixed(1)} | ${median(g.otherUs).toFixed(1)} |`
        );
      }),
      '',
    );
  }
  writeFileSync(resolve(process.cwd(), values.out), lines.join('\n'));
  process.stdout.write(`wrote ${values.out}\n`);
}
