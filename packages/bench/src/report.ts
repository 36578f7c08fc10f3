// The results' shape, the targets (smol against the SDK loop and the peers of the same run) and BENCHMARKS.md.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import type { JobResult } from './spawn.ts';
import { SDK_LOOP } from './median.ts';

export interface AgentsEntry {
  section: 'load' | 'sequential' | 'cpu' | 'stream';
  runner: string;
  n: number;
  latencyMs: number;
  stream: boolean;
  sequential: boolean;
  result: JobResult;
}

export interface Target {
  name: string;
  value: string;
  limit: string;
  /** null when the run did not measure it. */
  pass: boolean | null;
}

export interface BenchResults {
  environment: ReturnType<typeof collectEnvironment>;
  options: Record<string, unknown>;
  agents: AgentsEntry[];
  /** smol over the SDK loop, the median of per-round ratios (they run next to each other), for the load sizes run in rounds. */
  paired?: { n: number; rounds: number; cpu: number; wall: number; memory: number }[];
  longStreams: { via: string; chunks: number; result: JobResult }[];
  code: { n: number; result: JobResult }[];
  abort: JobResult | undefined;
  /** @smol/sandbox's own bench/event-loop.ts, when the package has it. */
  sandbox?: JobResult;
  targets: Target[];
  durationS: number;
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A report the soak or queue bench wrote in packages/bench, or undefined. */
function committedReport(file: string): string | undefined {
  try {
    return readFileSync(join(packageDir, file), 'utf8');
  } catch {
    return undefined;
  }
}
/** From the bench's own node_modules: some packages (openai, @openai/agents) do not export their package.json. */
const version = (name: string): string => {
  try {
    return (JSON.parse(readFileSync(join(packageDir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
};

export function collectEnvironment() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    /** 1-minute load average when the bench started: other work on the machine skews the numbers. */
    loadAverage: Number(os.loadavg()[0].toFixed(2)),
    versions: Object.fromEntries(['@smol/core', '@smol/openai', '@smol/testing', 'openai', 'ai', '@ai-sdk/openai', '@openai/agents', 'zod', 'undici'].map((n) => [n, version(n)])),
  };
}

type Ok = Extract<JobResult, { status: 'ok' }>;
const ok = (r: JobResult | undefined): Ok | undefined => (r?.status === 'ok' ? r : undefined);
const num = (r: JobResult | undefined, key: string): number | undefined => {
  const v = ok(r)?.[key];
  return typeof v === 'number' ? v : undefined;
};
const p99 = (r: JobResult | undefined): number | undefined => (ok(r)?.loopDelayMs as { p99: number } | undefined)?.p99;
/** The health probe's p99 (health.ts): load runs of N >= 100. */
const healthP99 = (r: JobResult | undefined): number | undefined => (ok(r)?.health as { p99Ms: number } | undefined)?.p99Ms;

function find(res: BenchResults, section: AgentsEntry['section'], runner: string, n?: number): AgentsEntry | undefined {
  return res.agents.find((e) => e.section === section && e.runner === runner && (n === undefined || e.n === n));
}

function speedup(res: BenchResults, runner: string, n = 10): number | undefined {
  const seq = num(find(res, 'sequential', runner, n)?.result, 'wallMs');
  const con = num(find(res, 'load', runner, n)?.result, 'wallMs');
  return seq && con ? seq / con : undefined;
}

const f = (x: number | undefined, d = 2): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

/** The TypeScript peers smol must be ahead of on every measure. */
export const PEERS = ['ai-sdk', 'openai-agents'] as const;

type Metric = { get: (r: JobResult | undefined) => number | undefined; show: (x: number) => string };
const METRICS = {
  cpu: { get: (r) => num(r, 'cpuPerStepMs'), show: (x) => `${f(x, 3)} ms` },
  wall: { get: (r) => num(r, 'wallMs'), show: (x) => `${f(x / 1000)} s` },
  memory: { get: (r) => num(r, 'kbPerAgent'), show: (x) => `${f(x, 1)} KB/agent` },
  loop: { get: (r) => p99(r), show: (x) => `${f(x, 1)} ms` },
  health: { get: (r) => healthP99(r), show: (x) => `${f(x, 1)} ms` },
} satisfies Record<string, Metric>;

/** The lowest value among the peers measured at `n` (lower is better for every metric), and each peer's own. */
function bestPeer(res: BenchResults, section: AgentsEntry['section'], n: number, metric: Metric) {
  const all = PEERS.map((runner) => ({ runner, value: metric.get(find(res, section, runner, n)?.result) }));
  const measured = all.filter((p): p is { runner: (typeof PEERS)[number]; value: number } => p.value !== undefined);
  const best = measured.length ? measured.reduce((a, b) => (b.value < a.value ? b : a)) : undefined;
  return { best, all };
}

export function evaluateTargets(res: BenchResults): Target[] {
  const t: Target[] = [];
  const add = (name: string, value: number | undefined, limit: number | undefined, unit: string, below = true, limitText?: string) => {
    const pass = value === undefined || limit === undefined ? null : below ? value <= limit : value >= limit;
    t.push({ name, value: value === undefined ? 'not measured' : `${f(value)}${unit}`, limit: limitText ?? (limit === undefined ? 'not measured' : `${f(limit)}${unit}`), pass });
  };
  const load = (runner: string, n: number): JobResult | undefined => find(res, 'load', runner, n)?.result;
  // smol's value over the SDK loop's at the same N, within `factor` (a tiny epsilon: 1.15 stays a pass). Where
  // the two ran in rounds side by side, the ratio is the median of the rounds' ratios; the medians' ratio is shown too.
  const vsSdk = (name: string, metric: Metric, key: 'cpu' | 'wall' | 'memory', n: number, factor: number) => {
    const s = metric.get(load('smol', n));
    const k = metric.get(load(SDK_LOOP, n));
    const ofMedians = s === undefined || k === undefined ? undefined : k > 0 ? s / k : s > 0 ? Infinity : 1;
    const paired = res.paired?.find((p) => p.n === n);
    const ratio = paired ? paired[key] : ofMedians;
    const shown = ratio === undefined || !Number.isFinite(ratio) ? '' : paired ? ` (${f(ratio)}x, median of ${paired.rounds} rounds' ratios; ${f(ofMedians)}x of the medians)` : ` (${f(ratio)}x)`;
    t.push({
      name,
      value: s === undefined ? 'not measured' : `${metric.show(s)}${shown}`,
      limit: k === undefined ? 'not measured' : `${metric.show(k * factor)} (SDK loop ${metric.show(k)})`,
      pass: ratio === undefined ? null : ratio <= factor + 1e-9,
    });
  };
  vsSdk('CPU per step, N=1,000 at 100 ms (≤ 1.15x SDK loop)', METRICS.cpu, 'cpu', 1000, 1.15);
  vsSdk('10,000 agents: wall time (≤ 1.15x SDK loop)', METRICS.wall, 'wall', 10_000, 1.15);
  vsSdk('10,000 agents: memory per agent (≤ 1.10x SDK loop)', METRICS.memory, 'memory', 10_000, 1.1);
  const lS = p99(load('smol', 1000));
  const lK = p99(load(SDK_LOOP, 1000));
  add('1,000 agents: event-loop p99 (≤ SDK loop + 50 ms)', lS, lK === undefined ? undefined : lK + 50, ' ms', true, lK === undefined ? undefined : `${f(lK + 50)} ms (SDK loop ${f(lK)} ms)`);
  add('1,000 agents: health p99 on the same event loop (≤ 100 ms)', healthP99(load('smol', 1000)), 100, ' ms');
  const peerTargets: [string, Metric, number][] = [
    ['CPU per step at 1,000', METRICS.cpu, 1000],
    ['wall at 10,000', METRICS.wall, 10_000],
    ['memory at 10,000', METRICS.memory, 10_000],
    ['loop p99 at 1,000', METRICS.loop, 1000],
    ['health p99 at 1,000', METRICS.health, 1000],
  ];
  for (const [what, metric, n] of peerTargets) {
    const s = metric.get(load('smol', n));
    const { best, all } = bestPeer(res, 'load', n, metric);
    const each = all.map((p) => `${p.runner} ${p.value === undefined ? 'not measured' : metric.show(p.value)}`).join(', ');
    t.push({
      name: `Ahead of every peer: ${what}`,
      value: s === undefined ? 'not measured' : `${metric.show(s)}${best && best.value > 0 ? ` (${f(s / best.value)}x best peer)` : ''}`,
      limit: best ? `< ${metric.show(best.value)} (${each})` : 'not measured',
      pass: s === undefined || !best ? null : s < best.value,
    });
  }
  add('Speedup of 10 concurrent over sequential (≥ 9.5x)', speedup(res, 'smol'), find(res, 'sequential', 'smol', 10) ? 9.5 : undefined, 'x', false);
  add('Aborted arun rejects (max of 20, ≤ 50 ms)', num(res.abort, 'maxMs'), res.abort ? 50 : undefined, ' ms');
  for (const via of ['model', 'agent']) {
    const runs = res.longStreams.filter((l) => l.via === via).sort((a, b) => a.chunks - b.chunks);
    if (runs.length < 2) continue;
    const [a, b] = [runs[0], runs[runs.length - 1]];
    const expected = b.chunks / a.chunks;
    const cpuA = num(a.result, 'cpuMs');
    const cpuB = num(b.result, 'cpuMs');
    const ratio = cpuA && cpuB ? cpuB / cpuA : undefined;
    add(`Long stream via ${via}: CPU ${b.chunks}/${a.chunks} chunks (linear ≈ ${expected}x, ≤ ${1.3 * expected}x)`, ratio, 1.3 * expected, 'x');
    const memA = num(a.result, 'rssDeltaMB');
    const memB = num(b.result, 'rssDeltaMB');
    add(`Long stream via ${via}: RSS growth ${b.chunks}/${a.chunks} chunks (≤ ${1.3 * expected}x)`, memA && memB ? memB / memA : undefined, 1.3 * expected, 'x');
  }
  return t;
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: string[], rows: (string | number)[][]): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

/** A cell for a failed or timed-out run. */
function status(r: JobResult | undefined): string | undefined {
  if (!r) return '–';
  if (r.status === 'timeout') return `timeout (${r.timeoutS} s)`;
  if (r.status === 'error') return `error: ${r.error.replace(/\|/g, '/').slice(0, 120)}`;
  return undefined;
}

/** "1.23x", or "–" when either side is missing. */
const times = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b <= 0 ? '–' : `${f(a / b)}x`);

function agentsTable(res: BenchResults, section: AgentsEntry['section']): string {
  const entries = res.agents.filter((e) => e.section === section);
  // The health probe runs in load jobs of N >= 100 only: no column where nothing has it.
  const withHealth = entries.some((e) => healthP99(e.result) !== undefined);
  const head = ['N', 'runner', 'wall s', 'wall ÷ floor', 'wall ÷ SDK loop', 'wall ÷ best peer', 'CPU ms/step', 'CPU ÷ floor', 'CPU ÷ SDK loop', 'CPU ÷ best peer', 'peak RSS MB', 'KB/agent', 'KB ÷ SDK loop', 'KB ÷ best peer', 'loop p99 ms', ...(withHealth ? ['health p99 ms'] : []), 'failed runs'];
  const rows = entries.map((e) => {
    const bad = status(e.result);
    if (bad) return [e.n.toLocaleString('en-US'), e.runner, bad, ...head.slice(3).map(() => '')];
    const isPeer = (PEERS as readonly string[]).includes(e.runner);
    const other = (runner: string) => find(res, section, runner, e.n)?.result;
    // Each ratio: this row's value over the floor's, the SDK loop's, the best peer's (blank on a peer's own row).
    const ratios = (metric: Metric) => {
      const v = metric.get(e.result);
      return [times(v, metric.get(other('floor'))), times(v, metric.get(other(SDK_LOOP))), isPeer ? '' : times(v, bestPeer(res, section, e.n, metric).best?.value)];
    };
    const [wallFloor, wallSdk, wallPeer] = ratios(METRICS.wall);
    const [cpuFloor, cpuSdk, cpuPeer] = ratios(METRICS.cpu);
    const [, kbSdk, kbPeer] = ratios(METRICS.memory);
    const errors = (num(e.result, 'errors') ?? 0) + (num(e.result, 'wrong') ?? 0);
    return [
      e.n.toLocaleString('en-US'),
      e.runner,
      f(num(e.result, 'wallMs')! / 1000),
      wallFloor,
      wallSdk,
      wallPeer,
      f(num(e.result, 'cpuPerStepMs'), 3),
      cpuFloor,
      cpuSdk,
      cpuPeer,
      f(num(e.result, 'peakRssMB'), 0),
      f(num(e.result, 'kbPerAgent'), 0),
      kbSdk,
      kbPeer,
      f(p99(e.result), 0),
      ...(withHealth ? [f(healthP99(e.result), 1)] : []),
      errors,
    ];
  });
  return table(head, rows);
}

/** smol's CPU per step split into the floor's work, the openai SDK's pipeline and smol's own share, per N ≥ 100. */
function costSplit(res: BenchResults): string | undefined {
  const rows: (string | number)[][] = [];
  for (const e of res.agents) {
    // Below 100 agents the whole run is a few ms of CPU: too coarse to split.
    if (e.section !== 'load' || e.runner !== 'smol' || e.n < 100) continue;
    const [smol, floor, sdk] = ['smol', 'floor', 'openai-sdk'].map((r) => num(find(res, 'load', r, e.n)?.result, 'cpuPerStepMs'));
    if (smol === undefined || floor === undefined || sdk === undefined) continue;
    const pct = (x: number): string => `${f((100 * x) / smol, 0)}%`;
    rows.push([e.n.toLocaleString('en-US'), f(smol, 3), `${f(floor, 3)} (${pct(floor)})`, `${f(sdk - floor, 3)} (${pct(sdk - floor)})`, `${f(smol - sdk, 3)} (${pct(smol - sdk)})`, `${f(sdk / floor, 2)}x`]);
  }
  if (!rows.length) return undefined;
  return (
    'The floor\'s work (HTTP and JSON), the `openai` SDK\'s request pipeline on top of it (openai-sdk minus floor), and smol\'s own share ' +
    '(smol minus openai-sdk: the agent loop, ApiModel, its larger prompt, the run\'s signal). The last column is the bare SDK loop against the floor: ' +
    'any runner whose every request goes through the official SDK costs at least that much.\n\n' +
    table(['N', 'smol ms/step', 'floor', 'openai SDK pipeline', "smol's own", 'SDK loop ÷ floor'], rows)
  );
}

export function renderMarkdown(res: BenchResults): string {
  const env = res.environment;
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push('Generated by `pnpm bench` (packages/bench). Do not edit by hand: run the bench again.', '');
  out.push(
    'The simulated server (`smol-mock-llm`, @smol/testing) runs in its own process on the same machine. Each agent makes 3 model calls ' +
      '(two `lookup` tool calls, then the answer). Every measurement runs in a fresh Node process: a warm-up (3 rounds of up to 10 agents, then for N ≥ 100 one round of up to 1,000 agents so the socket pool is warm), a GC, then the work. ' +
      'V8 goes on optimizing the request path (the SDK\'s and smol\'s) until a process has made about 20,000 model calls, so in the load rows at N=1,000 the work runs a second time once the process has made that many, ' +
      'and CPU, wall time, loop delay and health are that second window\'s (memory stays the first\'s: the rounds in between grew the heap); the first window\'s CPU, which includes the compiler\'s, is in bench-results. ' +
      `The load rows at N ≥ 1,000 and the speedup's runs at N=10 (where the targets are) are medians of ${Number(res.options.rounds) || 3} rounds taken in turn across the runners, ` +
      'each round starting one runner later: this machine\'s speed drifts by tens of percent within minutes, and one run each could put two rivals in different stretches. ' +
      'In each round smol and the SDK loop run next to each other (the loop first in even rounds), and the targets against the SDK loop take the median of the rounds\' ratios: neighbours in time share the machine\'s speed. ' +
      'CPU is the client process only (`process.cpuUsage`), per model call. KB/agent is the peak RSS during the work (sampled every 20 ms) minus the RSS after the small warm-up rounds and a GC, over N. ' +
      'The loop p99 comes from `monitorEventLoopDelay` (10 ms resolution). ' +
      'The health p99 is what an app\'s health endpoint next to its agents sees: during the work of every 100 ms load run with N ≥ 100, the worker serves a plain `node:http` GET /health on its own event loop, ' +
      'and a probe in a child process (outside the busy loop, so its own timers stay on time; its CPU is not counted) sends one request at a time on a keep-alive socket, 10 ms apart, from the start of the work to its end; ' +
      'the latency is from sending to the full response. The **floor** is a hand-written loop on `node:http` keep-alive ' +
      '(1,024 sockets per origin, its fastest setting here); smol runs with its defaults (the shared keep-alive transport, 1,024 sockets per origin); ' +
      '**openai-sdk** is a reference, not a peer: the floor\'s loop through the `openai` SDK on smol\'s transport, without an agent (what OpenAIServerModel sits on); ' +
      'the peers (**ai-sdk**: `generateText`/`streamText` with tools and a step limit; **openai-agents**: `run()` on `OpenAIChatCompletionsModel`, tracing off) run on their default transport, the global fetch, ' +
      'with undici\'s global dispatcher capped at 1,024 connections per origin like the floor (uncapped, they hit the 20,000 open-files limit at 10,000 agents: EMFILE).',
    '',
  );
  out.push('## Machine and versions', '');
  out.push(`- ${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB, ${env.os}; client and server share the cores.`);
  out.push(`- Node ${env.node}; ${Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  out.push(`- Run on ${env.date.slice(0, 10)}; the whole bench took ${res.durationS} s; the load average was ${env.loadAverage} when it started (${env.cores} cores; other work on the machine skews the numbers).`, '');
  out.push('## Targets (smol against the SDK loop and the peers of the same run)', '');
  out.push(
    'smol keeps the official `openai` SDK on every request, so its reference is the bare SDK loop on smol\'s transport (**openai-sdk**) of the same run; ' +
      'the **floor** stays in the tables as the physical limit. "Best peer" is the better of **ai-sdk** and **openai-agents** at the same N; the limit column lists both.',
    '',
  );
  out.push(table(['target', 'smol', 'limit', 'result'], res.targets.map((t) => [t.name, t.value, t.limit, t.pass === null ? 'not measured' : t.pass ? '**PASS**' : '**FAIL**'])), '');
  if (res.targets.some((t) => t.pass === false)) {
    out.push(
      "A **FAIL** is explained further down: where smol's CPU per step goes, the instruction count, the prompt's and the collector's shares of smol's cost, and the profile against the SDK loop.",
      '',
    );
  }
  out.push(
    'Reading the tables: **openai-sdk** minus **floor** is what the `openai` SDK and the fetch layer cost per call; **smol** minus **openai-sdk** is ' +
      "smol's own cost (the agent loop, ApiModel, conversions, tool validation, the run's signal). `pnpm --filter @smol/bench run profile` shows where it goes. " +
      'Each ratio column is the row\'s value over the floor\'s, the SDK loop\'s (openai-sdk) or the best peer\'s (the lower of ai-sdk and openai-agents) at the same N; the best-peer ratio is blank on the peers\' own rows.',
    '',
  );
  const split = costSplit(res);
  if (split) out.push('## Where smol\'s CPU per step goes (100 ms latency)', '', split, '');
  out.push('## 100 ms latency, N concurrent agents', '', agentsTable(res, 'load'), '');
  const seq = res.agents.filter((e) => e.section === 'sequential');
  if (seq.length) {
    out.push('## Speedup at N=10: concurrent over sequential', '');
    out.push(table(['runner', 'sequential s', 'concurrent s', 'speedup'], seq.map((e) => [e.runner, f((num(e.result, 'wallMs') ?? NaN) / 1000), f((num(find(res, 'load', e.runner, e.n)?.result, 'wallMs') ?? NaN) / 1000), `${f(speedup(res, e.runner, e.n))}x`])), '');
  }
  if (res.agents.some((e) => e.section === 'cpu')) out.push('## 0 ms latency: framework CPU per step', '', agentsTable(res, 'cpu'), '');
  if (res.agents.some((e) => e.section === 'stream')) out.push('## Streaming agents, 100 ms latency (tokens streamed, every event drained)', '', agentsTable(res, 'stream'), '');
  if (res.longStreams.length) {
    out.push('## Long streams: one stream of N chunks (16 characters each), 0 ms latency', '');
    out.push(
      '`model`: `OpenAIServerModel.agenerateStream` (content chunks). `agent`: a streaming `ToolCallingAgent` run whose `final_answer` argument arrives in N fragments. ' +
        '`ai-sdk`: `streamText` for comparison. Linear growth means about 10x from 10^4 to 10^5 chunks.',
      '',
    );
    const rows = res.longStreams.map((l) => {
      const first = res.longStreams.find((x) => x.via === l.via);
      const bad = status(l.result);
      if (bad) return [l.via, l.chunks.toLocaleString('en-US'), bad, '', '', '', ''];
      const cpu = num(l.result, 'cpuMs')!;
      const c0 = num(first?.result, 'cpuMs');
      return [l.via, l.chunks.toLocaleString('en-US'), f(cpu, 0), c0 && first !== l ? `${f(cpu / c0, 1)}x` : '', f(num(l.result, 'cpuPerKChunksMs')), f(num(l.result, 'rssDeltaMB'), 1), f(num(l.result, 'heapDeltaMB'), 1)];
    });
    out.push(table(['via', 'chunks', 'CPU ms', 'CPU ratio', 'CPU ms per 1k chunks', 'RSS delta MB', 'heap delta MB'], rows), '');
  }
  if (res.code.length) {
    out.push('## CodeAgent: concurrent code runs, 100 ms latency (2 model calls each, QuickJS sandbox)', '');
    out.push(table(['N', 'wall s', 'CPU ms/step', 'peak RSS MB', 'KB/agent', 'loop p99 ms', 'failed runs'], res.code.map((c) => status(c.result) ? [c.n, status(c.result)!, '', '', '', '', ''] : [c.n, f(num(c.result, 'wallMs')! / 1000), f(num(c.result, 'cpuPerStepMs'), 3), f(num(c.result, 'peakRssMB'), 0), f(num(c.result, 'kbPerAgent'), 0), f(p99(c.result), 0), (num(c.result, 'errors') ?? 0) + (num(c.result, 'wrong') ?? 0)])), '');
  }
  if (res.sandbox) {
    const sb = ok(res.sandbox);
    out.push("@smol/sandbox's own event-loop bench (`packages/sandbox/bench/event-loop.ts`): the host's event loop while a guest spins `while (true) {}` until its deadline, and 1,000 sessions each calling a tool twice.", '');
    if (!sb) out.push(status(res.sandbox)!, '');
    else {
      const spin = sb.spin as { wallMs: number; p99Ms: number; maxMs: number };
      const many = sb.many as { sessions: number; wallMs: number; createPerSessionMs: number; p99Ms: number; maxMs: number; liveContextsAfter: number };
      out.push(table(['spinning guest: loop p99 / max ms', `${many.sessions} sessions: wall ms`, 'create ms/session', 'loop p99 / max ms', 'contexts left'], [[`${spin.p99Ms} / ${spin.maxMs}`, many.wallMs, many.createPerSessionMs, `${many.p99Ms} / ${many.maxMs}`, many.liveContextsAfter]]), '');
    }
  }
  if (res.abort) {
    const a = res.abort;
    out.push('## Abort promptness', '');
    out.push('An `arun` on the 100 ms server is aborted 30 ms into its first model call; the time is from `abort()` to the rejection.', '');
    out.push(status(a) ?? table(['runs one at a time', 'p50 ms', 'p99 ms', 'max ms', `${num(a, 'concurrent')} runs aborted by one signal: all rejected after`], [[num(a, 'runs')!, f(num(a, 'p50Ms')), f(num(a, 'p99Ms')), f(num(a, 'maxMs')), `${f(num(a, 'concurrentAllRejectedMs'), 1)} ms`]]), '');
  }
  // The soak, the queue bench, the instruction count, the prompt's and the collector's shares and the profile against
  // the SDK loop are separate runs (`--soak`, `--queue`, `run instructions`, `run compare --out`, `run compare --gc --out`, `run profile --out`):
  // their last full reports are kept as they are.
  for (const file of ['instructions-report.md', 'prompt-report.md', 'gc-report.md', 'profile-report.md', 'soak-report.md', 'queue-report.md']) {
    const section = committedReport(file);
    if (section) out.push(section.trimEnd(), '');
  }
  out.push('## Commands', '');
  out.push('```sh', 'pnpm bench                                   # everything (about 35 minutes); writes bench-results/*.json and this file', 'pnpm bench --quick                           # N = 1, 10, 100 and short streams', 'pnpm bench --only smol,floor --n 1000        # some runners (smol, floor, openai-sdk, ai-sdk, openai-agents), one N', 'pnpm bench --sections load,cpu,long          # some sections (load, sequential, cpu, stream, long, code, abort)', 'pnpm --filter @smol/bench run profile        # CPU profile of the smol runner\'s measured work at N=1,000, 0 ms latency, with a summary (--runner, --n, --latency; --against openai-sdk --rounds 5 --out: the section on where smol\'s CPU beyond the SDK loop goes)', 'pnpm --filter @smol/bench run compare        # CPU per step of smol and the SDK loop, alternated over 5 rounds: medians, ranges, paired ratios (--runners, --n, --latency, --rounds, --out: the section on the prompt\'s share; --gc: the collector\'s work too, and its section)', 'pnpm --filter @smol/bench run heap           # live heap per in-flight agent (--runner, --n, --call 3: at the third model call, --snapshot FILE)', 'pnpm --filter @smol/bench run instructions   # instructions per model call of smol and the SDK loop, by valgrind (the Instructions section)', 'pnpm --filter @smol/bench run allocations    # bytes allocated per model call, by function, smol against the SDK loop', 'pnpm bench --soak                            # memory of a long-running process (the Soak section)', 'pnpm bench --queue                           # runs through @smol/bullmq and Redis (the Queue mode section)', '```', '');
  return out.join('\n');
}
