// pnpm bench: builds the packages, starts the simulated servers in their own processes, runs
// every measurement in a fresh worker process, writes bench-results/*.json and BENCHMARKS.md.
//   --quick            small N (1, 10, 100), short streams
//   --only smol,floor  runners (smol, smol-ai-sdk, floor, openai-sdk, ai-sdk, openai-agents)
//   --n 1000           only this N
//   --sections load,sequential,cpu,stream,long,code,abort
//   --timeout 120      seconds per run (default: 60, or 150 for N >= 10,000)
//   --results-dir DIR  where the JSON goes (default packages/bench/bench-results)
//   --rounds 9         interleaved rounds per runner at N >= 1,000 in the load section (the median is kept)
//   --no-build         skip the turbo build;  --no-md  leave BENCHMARKS.md alone
// pnpm bench --soak: memory of a long-running process instead (soak-run.ts):
//   --runs 100000 --code-runs 20000   ToolCallingAgent and CodeAgent runs (0 skips one)
//   --concurrency 100 --samples 100   runs in flight; samples over each soak
//   --soak-out DIR     charts and soak-report.md go here (default: docs/bench/*.svg and
//                      packages/bench/soak-report.md for the full counts, bench-results/soak otherwise)
// pnpm bench --queue: runs through @smol/bullmq and a private redis-server (queue-run.ts):
//   --runs 2000        runs per worker count;  --workers 1,2,4   worker processes per row
//   --concurrency 50   runs at once per worker; --latency-ms 0   the simulated model's latency
//   --rounds 3         measurements per row (median shown, with the range)
//   --queue-out FILE   the markdown section (default packages/bench/queue-report.md for the
//                      default counts, bench-results/queue/queue-report.md otherwise)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderMarkdown, evaluateTargets, collectEnvironment, type BenchResults, type AgentsEntry } from './report.ts';
import { runJob, runJsonScript, startLongServer, startMockCli, type JobResult, type Server } from './spawn.ts';
import { SDK_LOOP, medianResult, pairedRatios, roundOrder } from './median.ts';
import { runSoak, SOAK_DEFAULTS, type SoakOptions, type SoakRun } from './soak-run.ts';
import { QUEUE_DEFAULTS, type QueueBenchOptions } from './queue-options.ts';
import type { QueueBenchRun } from './queue-run.ts';
import type { AgentsJob } from './worker.ts';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = resolve(packageDir, '../..');
/** openai-sdk is a reference: the floor's loop through the `openai` SDK on smol's transport (no agent). */
/** smol-ai-sdk: smol's agent on @smol/ai-sdk's adapter over @ai-sdk/openai (what the adapter costs per step). */
export const ALL_RUNNERS = ['smol', 'smol-ai-sdk', 'floor', 'openai-sdk', 'ai-sdk', 'openai-agents'] as const;
const ALL_SECTIONS = ['load', 'sequential', 'cpu', 'stream', 'long', 'code', 'abort'] as const;
/** Sockets per origin for the floor: 1,024 gave the floor its best 10k wall time here (256: 12.7 s, 1,024: 6.4 s, 4,096: 7.6 s). */
const FLOOR_SOCKETS = 1024;
/**
 * Load runs from this N on get the health probe (health.ts). A health request costs the worker about
 * 0.4 ms of CPU on an idle loop here, and an idle loop gets one every ~11 ms: below 100 agents that
 * would be most of the run's CPU, at 100 up to ~10% of the floor's; at 1,000 and up under 1%, so
 * the probe starts at 1,000 (where the target is) and the CPU columns below it stay clean.
 */
const HEALTH_MIN_N = 1000;

export interface BenchOptions {
  quick: boolean;
  only: string[];
  n?: number;
  sections: string[];
  timeoutS?: number;
  resultsDir: string;
  build: boolean;
  md: boolean;
  chunks?: number[];
  /** Interleaved rounds per runner for the load section at N >= 1,000 (the targets'); the median is kept. */
  rounds: number;
  /** Set by --soak: run the soak instead of the benchmark. */
  soak?: SoakOptions;
  /** Set by --queue: the queue bench instead of the benchmark. */
  queue?: QueueBenchOptions;
  log: (line: string) => void;
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    // `pnpm bench -- --quick` passes the "--" through.
    args: argv.filter((a) => a !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      n: { type: 'string' },
      sections: { type: 'string' },
      timeout: { type: 'string' },
      'results-dir': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'no-md': { type: 'boolean', default: false },
      chunks: { type: 'string' },
      soak: { type: 'boolean', default: false },
      runs: { type: 'string' },
      'code-runs': { type: 'string' },
      concurrency: { type: 'string' },
      samples: { type: 'string' },
      'soak-out': { type: 'string' },
      queue: { type: 'boolean', default: false },
      workers: { type: 'string' },
      'latency-ms': { type: 'string' },
      'queue-out': { type: 'string' },
      rounds: { type: 'string' },
    },
    strict: true,
  });
  const list = (s: string | undefined, all: readonly string[]): string[] => {
    const items = s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [...all];
    for (const x of items) if (!all.includes(x)) throw new Error(`unknown "${x}"; expected one of ${all.join(', ')}`);
    return items;
  };
  const only = list(values.only, ALL_RUNNERS);
  const sections = list(values.sections, ALL_SECTIONS);
  const count = (s: string | undefined, name: string, fallback: number): number => {
    const v = s === undefined ? fallback : Number(s);
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a whole number >= 0, got "${s}"`);
    return v;
  };
  const resultsDir = resolve(values['results-dir'] ?? join(packageDir, 'bench-results'));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let soak: SoakOptions | undefined;
  if (values.soak) {
    const runs = count(values.runs, 'runs', SOAK_DEFAULTS.runs);
    const codeRuns = count(values['code-runs'], 'code-runs', SOAK_DEFAULTS.codeRuns);
    const full = runs === SOAK_DEFAULTS.runs && codeRuns === SOAK_DEFAULTS.codeRuns;
    // Like the benchmark's table, a smaller soak never overwrites the committed charts.
    const out = values['soak-out'] ? resolve(values['soak-out']) : full ? undefined : join(resultsDir, 'soak');
    soak = {
      runs,
      codeRuns,
      concurrency: Math.max(1, count(values.concurrency, 'concurrency', SOAK_DEFAULTS.concurrency)),
      samples: Math.max(2, count(values.samples, 'samples', SOAK_DEFAULTS.samples)),
      outDir: out ?? join(rootDir, 'docs', 'bench'),
      reportPath: out ? join(out, 'soak-report.md') : join(packageDir, 'soak-report.md'),
      rootDir,
      resultsDir,
      timeoutS: values.timeout ? Number(values.timeout) : undefined,
      log,
    };
  }
  let queue: QueueBenchOptions | undefined;
  if (values.queue) {
    if (values.soak) throw new Error('--queue and --soak are separate runs');
    const runs = Math.max(1, count(values.runs, 'runs', QUEUE_DEFAULTS.runs));
    const workers = values.workers ? values.workers.split(',').map((w) => count(w.trim(), 'workers', 1)) : QUEUE_DEFAULTS.workers;
    if (workers.some((w) => w < 1)) throw new Error('--workers takes counts >= 1, like 1,2,4');
    const concurrency = Math.max(1, count(values.concurrency, 'concurrency', QUEUE_DEFAULTS.concurrency));
    const full = runs === QUEUE_DEFAULTS.runs && workers.join() === QUEUE_DEFAULTS.workers.join() && concurrency === QUEUE_DEFAULTS.concurrency;
    queue = {
      runs,
      workers,
      concurrency,
      latencyMs: count(values['latency-ms'], 'latency-ms', QUEUE_DEFAULTS.latencyMs),
      rounds: Math.max(1, count(values.rounds, 'rounds', QUEUE_DEFAULTS.rounds)),
      probes: QUEUE_DEFAULTS.probes,
      // Like the soak, a smaller run never overwrites the committed section.
      reportPath: values['queue-out'] ? resolve(values['queue-out']) : full ? join(packageDir, 'queue-report.md') : join(resultsDir, 'queue', 'queue-report.md'),
      resultsDir,
      log,
    };
  }
  const partial = values.quick || !!values.only || !!values.n || !!values.sections || !!values.chunks;
  return {
    quick: values.quick ?? false,
    only,
    n: values.n ? Number(values.n) : undefined,
    sections,
    timeoutS: values.timeout ? Number(values.timeout) : undefined,
    resultsDir,
    build: !values['no-build'],
    // A partial run never overwrites the committed table.
    md: !values['no-md'] && !partial,
    chunks: values.chunks ? values.chunks.split(',').map(Number) : undefined,
    // 9: single rounds' ratios of smol to the SDK loop spread from 0.8 to 1.8 here, and a median of 5 moved by ±0.1 between runs.
    rounds: values.queue ? 1 : Math.max(1, count(values.rounds, 'rounds', 9)),
    soak,
    queue,
    log,
  };
}

function build(log: (l: string) => void): { sandbox: boolean } {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
  const turbo = (filter: string) => spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', `--filter=${filter}`, '--output-logs=errors-only'], { cwd: rootDir, env, stdio: 'inherit' });
  log('building @smol/bench and its dependencies (dist)…');
  if (turbo('@smol/bench...').status !== 0) throw new Error('build failed');
  // The CodeAgent section needs @smol/sandbox; it is optional while that package lands.
  return { sandbox: turbo('@smol/sandbox').status === 0 };
}

const field = (r: JobResult, key: string): unknown => (r as Record<string, unknown>)[key];

function short(r: Record<string, unknown>): string {
  if (r.status !== 'ok') return String(r.status === 'timeout' ? 'timeout' : r.error);
  const keys = ['wallMs', 'cpuPerStepMs', 'peakRssMB', 'kbPerAgent', 'errors', 'wrong', 'deltas', 'p99Ms'];
  const parts = keys.filter((k) => r[k] !== undefined).map((k) => `${k}=${String(r[k])}`);
  const loop = r.loopDelayMs as { p99: number } | undefined;
  if (loop) parts.push(`loopP99=${loop.p99}`);
  const health = r.health as { count: number; p50Ms: number; p99Ms: number; maxMs: number; error?: string } | undefined;
  if (health) parts.push(health.error ? `health(${health.error})` : `health(n=${health.count} p50=${health.p50Ms} p99=${health.p99Ms} max=${health.maxMs})`);
  return parts.join(' ');
}

export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const sandboxBuilt = o.build ? build(o.log).sandbox : true;
  const has = (s: string) => o.sections.includes(s);
  const ns = o.n ? [o.n] : o.quick ? [1, 10, 100] : [1, 10, 100, 1000, 10_000];
  const bigN = o.n ?? (o.quick ? 100 : 1000);
  const timeoutFor = (n: number) => (o.timeoutS ?? (n >= 10_000 ? 150 : 60)) * 1000;
  const results: BenchResults = { environment: collectEnvironment(), options: { ...o, log: undefined } as never, agents: [], paired: [], longStreams: [], code: [], abort: undefined, sandbox: undefined, targets: [], durationS: 0 };
  const servers: Server[] = [];
  const server = async (args: string[]) => {
    const s = await startMockCli(args);
    servers.push(s);
    return s;
  };
  try {
    const agentJob = async (section: AgentsEntry['section'], s: Server, runner: string, n: number, stream: boolean, sequential: boolean, label = '') => {
      const health = section === 'load' && !sequential && n >= HEALTH_MIN_N;
      const job: AgentsJob = { kind: 'agents', runner, n, baseURL: s.baseURL, stream, sequential, sockets: FLOOR_SOCKETS, warmup: 3, health, steady: section === 'load' };
      const result = await runJob(job, timeoutFor(n));
      o.log(`  ${section.padEnd(10)} ${runner.padEnd(13)} N=${String(n).padEnd(6)} ${short(result)}${label}`);
      return result;
    };
    const agentRun = async (section: AgentsEntry['section'], s: Server, latencyMs: number, runner: string, n: number, stream: boolean, sequential: boolean) => {
      const result = await agentJob(section, s, runner, n, stream, sequential);
      results.agents.push({ section, runner, n, latencyMs, stream, sequential, result });
    };
    if (has('load') || has('sequential') || has('stream')) {
      const s100 = await server(['--latency-ms', '100']);
      /**
       * Every runner's job at 100 ms, `rounds` times taken in turn (roundOrder), and each runner's
       * median recorded (median.ts). Returns the rounds, for the paired ratios.
       */
      const inRounds = async (section: 'load' | 'sequential', n: number, rounds: number): Promise<Map<string, JobResult[]>> => {
        const sequential = section === 'sequential';
        const taken = new Map<string, JobResult[]>(o.only.map((r) => [r, []]));
        for (let round = 1; round <= rounds; round++) {
          for (const r of roundOrder(o.only, round)) taken.get(r)!.push(await agentJob(section, s100, r, n, false, sequential, rounds > 1 ? ` round ${round}/${rounds}` : ''));
        }
        for (const r of o.only) {
          const result = medianResult(taken.get(r)!);
          if (rounds > 1) o.log(`  ${section.padEnd(10)} ${r.padEnd(13)} N=${String(n).padEnd(6)} median of ${rounds}: ${short(result)}`);
          results.agents.push({ section, runner: r, n, latencyMs: 100, stream: false, sequential, result });
        }
        return taken;
      };
      // The targets' sizes get interleaved rounds; a quick run gets one. The speedup's N is one of them.
      const speedupN = o.n ?? 10;
      const roundsAt = (n: number) => (n >= 1000 || (n === speedupN && has('sequential'))) && !o.quick ? o.rounds : 1;
      if (has('load')) {
        o.log('100 ms latency, concurrent agents:');
        for (const n of ns) {
          const taken = await inRounds('load', n, roundsAt(n));
          const paired = pairedRatios(taken.get('smol'), taken.get(SDK_LOOP));
          if (paired) results.paired!.push({ n, ...paired });
        }
      }
      if (has('sequential')) {
        o.log('100 ms latency, N agents one after the other (speedup):');
        if (!has('load') || !ns.includes(speedupN)) await inRounds('load', speedupN, roundsAt(speedupN));
        await inRounds('sequential', speedupN, roundsAt(speedupN));
      }
      if (has('stream')) {
        o.log('100 ms latency, streaming agents:');
        for (const r of o.only) if (r !== 'openai-sdk') await agentRun('stream', s100, 100, r, bigN, true, false);
      }
    }
    if (has('cpu')) {
      o.log('0 ms latency (framework CPU per step):');
      const s0 = await server(['--latency-ms', '0']);
      for (const r of o.only) await agentRun('cpu', s0, 0, r, bigN, false, false);
    }
    if (has('long')) {
      o.log('long streams (linear in chunks?):');
      const sl = await startLongServer();
      servers.push(sl);
      const chunks = o.chunks ?? (o.quick ? [1000, 10_000] : [10_000, 100_000]);
      const vias: ('model' | 'agent' | 'ai-sdk')[] = ['model', 'agent', ...(o.only.includes('ai-sdk') ? (['ai-sdk'] as const) : [])];
      for (const via of vias) {
        if (via !== 'ai-sdk' && !o.only.includes('smol')) continue;
        for (const c of chunks) {
          const result = await runJob({ kind: 'long-stream', via, chunks: c, baseURL: sl.baseURL }, timeoutFor(0));
          o.log(`  ${via.padEnd(7)} chunks=${String(c).padEnd(7)} ${short(result)} cpuMs=${String(field(result, 'cpuMs'))} rssDeltaMB=${String(field(result, 'rssDeltaMB'))}`);
          results.longStreams.push({ via, chunks: c, result });
        }
      }
    }
    if (has('code') && o.only.includes('smol')) {
      o.log('CodeAgent, concurrent code runs at 100 ms latency:');
      if (!sandboxBuilt) {
        o.log('  skipped: @smol/sandbox did not build');
        results.code.push({ n: bigN, result: { status: 'error', error: 'skipped: @smol/sandbox did not build' } });
      } else {
        const sc = await server(['--latency-ms', '100', '--scenario', 'code']);
        const job: AgentsJob = { kind: 'agents', runner: 'smol-code', n: bigN, baseURL: sc.baseURL, stream: false, sequential: false, sockets: FLOOR_SOCKETS, warmup: 3 };
        const result = await runJob(job, timeoutFor(bigN));
        o.log(`  smol-code N=${bigN} ${short(result)}`);
        results.code.push({ n: bigN, result });
        // @smol/sandbox's own event-loop bench: a spinning guest, and 1,000 sessions calling tools.
        const sandboxDir = join(rootDir, 'packages', 'sandbox');
        if (existsSync(join(sandboxDir, 'bench', 'event-loop.ts'))) {
          results.sandbox = await runJsonScript(join(sandboxDir, 'bench', 'event-loop.ts'), sandboxDir, timeoutFor(0));
          o.log(`  sandbox event loop: ${JSON.stringify(results.sandbox)}`);
        }
      }
    }
    if (has('abort') && o.only.includes('smol')) {
      o.log('abort promptness (arun aborted 30 ms into a 100 ms model call):');
      const sa = await server(['--latency-ms', '100']);
      const small = o.n !== undefined && o.n < 20;
      const result = await runJob({ kind: 'abort', baseURL: sa.baseURL, runs: small ? 2 : 20, concurrent: small ? o.n! : bigN }, timeoutFor(0));
      o.log(`  ${short(result)} concurrentAllRejectedMs=${String(field(result, 'concurrentAllRejectedMs'))}`);
      results.abort = result;
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  results.targets = evaluateTargets(results);
  results.durationS = Math.round((Date.now() - started) / 1000);
  mkdirSync(o.resultsDir, { recursive: true });
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify(results, null, 2);
  writeFileSync(join(o.resultsDir, `bench-${stamp}.json`), json);
  writeFileSync(join(o.resultsDir, 'latest.json'), json);
  for (const t of results.targets) o.log(`${t.pass === null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value} (limit ${t.limit})`);
  if (o.md) {
    writeFileSync(join(rootDir, 'BENCHMARKS.md'), renderMarkdown(results));
    o.log('wrote BENCHMARKS.md');
  }
  o.log(`done in ${results.durationS} s; results in ${o.resultsDir}`);
  return results;
}

/** pnpm bench --soak: builds (unless --no-build), then runs the soak with `o.log`. */
export async function runSoakBench(o: BenchOptions): Promise<SoakRun> {
  if (!o.soak) throw new Error('runSoakBench needs --soak');
  if (o.build) build(o.log);
  return runSoak({ ...o.soak, log: o.log });
}

/** pnpm bench --queue: builds (unless --no-build), then runs the queue bench with `o.log`. */
export async function runQueueBenchCli(o: BenchOptions): Promise<QueueBenchRun> {
  if (!o.queue) throw new Error('runQueueBenchCli needs --queue');
  if (o.build) build(o.log);
  // Loaded here: the package's dist exists only after the build above.
  const { runQueueBench } = await import('./queue-run.ts');
  return runQueueBench({ ...o.queue, log: o.log });
}

/** A soak fails when a target fails or a run went wrong. */
export function soakPassed(run: SoakRun): boolean {
  return run.entries.every((e) => e.checks.every((c) => c.pass) && e.result.errors + e.result.wrong === 0);
}

if (import.meta.main) {
  const options = parseOptions(process.argv.slice(2));
  // A failed soak, or a queue bench with failed runs, exits 2, so a script can rely on the exit code.
  const job = options.queue
    ? runQueueBenchCli(options).then((run) => (run.entries.every((e) => e.errors + e.wrong === 0) ? 0 : 2))
    : options.soak
      ? runSoakBench(options).then((run) => (soakPassed(run) ? 0 : 2))
      : runBench(options).then(() => 0);
  job.then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
