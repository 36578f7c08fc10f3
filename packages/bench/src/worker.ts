// One measurement in a fresh process: the orchestrator (bench.ts) spawns this file with a JSON
// job as argv[2] and reads the line "RESULT {json}" from stdout.
//   kind "agents":      N agent runs of one runner, concurrently or one after the other
//   kind "long-stream": one stream of N chunks through a model, an agent or a peer
//   kind "abort":       how soon an aborted arun rejects
//   kind "soak":        many runs, sampling heap and RSS (a "SAMPLE {json}" line each)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { checkAnswer, type Runner, type RunnerFactory } from './work.ts';
import { gcTwice, measure, type Measurement } from './measure.ts';
import { longStream, type LongStreamJob } from './long-stream.ts';
import { abortPromptness, type AbortJob } from './abort.ts';
import { soak, type SoakJob } from './soak.ts';
import { startHealthCheck, type HealthCheck } from './health.ts';
import { startGCProfile, type GCSummary } from './gc-profile.ts';

export interface AgentsJob {
  kind: 'agents';
  runner: string;
  n: number;
  baseURL: string;
  stream: boolean;
  sequential: boolean;
  /** Sockets per origin for the floor. */
  sockets: number;
  /** Warm-up rounds before measuring (JIT, lazy imports): each runs min(N, 10) agents at once. */
  warmup: number;
  /** Measure a GET /health on this process's event loop during the work (health.ts). */
  health?: boolean;
  /** Write a CPU profile of the measured work only (after the warm-up) to this file (profile.ts). */
  profileFile?: string;
  /** Report the collector's work during the measured work (gc-profile.ts), as `gc`. */
  gc?: boolean;
  /**
   * Measure CPU, wall time and the loop's delay at V8's steady state (see STEADY_CALLS): at N of
   * 1,000 or more, when the measured work makes fewer model calls than that, it runs again once
   * the process has made as many, and that second window is what is reported, but for memory,
   * which stays the first's.
   */
  steady?: boolean;
}

/**
 * Model calls after which V8 has optimized the request path. With --trace-opt its optimizing
 * compiler still compiles hot functions (the SDK's request building, smol's loop) between calls
 * 10,000 and 20,000 of a process, for every runner. A window of a few thousand calls inside that
 * stretch measures compilation as much as the work, and where it falls moves from run to run.
 */
export const STEADY_CALLS = 20_000;

export type Job = AgentsJob | LongStreamJob | AbortJob | SoakJob;

export async function loadRunner(job: Pick<AgentsJob, 'runner' | 'baseURL' | 'stream' | 'sockets'> & { fetch?: typeof fetch }): Promise<Runner> {
  const mod = (await import(`./runners/${job.runner}.ts`)) as { createRunner: RunnerFactory };
  return mod.createRunner({ baseURL: job.baseURL, stream: job.stream, sockets: job.sockets, fetch: job.fetch });
}

type Outcome = 'ok' | 'wrong' | 'error';

async function agents(job: AgentsJob): Promise<Record<string, unknown>> {
  const runner = await loadRunner(job);
  const check = runner.check ?? checkAnswer;
  let firstError: string | undefined;
  let agentsRun = 0;
  /** One agent run; never throws, and says how it went. */
  const one = async (i: number): Promise<Outcome> => {
    agentsRun++;
    try {
      return check(await runner.runOne(i), i) ? 'ok' : 'wrong';
    } catch (error) {
      firstError ??= error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error);
      return 'error';
    }
  };
  // Warm-up: JIT and lazy imports (rounds of up to 10 agents), then, for N >= 100, one round of up
  // to 1,000 agents so that the socket pool is warm, as in a server that has been running.
  // Memory is measured from the baseline taken before that wide round.
  let next = -1;
  const wide = Math.min(job.n, 1000);
  for (let round = 0; round < job.warmup; round++) await Promise.all(Array.from({ length: Math.min(job.n, 10) }, () => one(next--)));
  // The health server and its probe start before the baseline, so their memory is not the run's.
  const health: HealthCheck | undefined = job.health ? await startHealthCheck() : undefined;
  gcTwice();
  const baseline = process.memoryUsage();
  if (job.n >= 100 && job.warmup > 0) await Promise.all(Array.from({ length: wide }, () => one(next--)));
  // A second window at the steady state when the first is short and falls inside V8's warm-up. From
  // 1,000 agents only, where the rounds to get there are quick (1,000 at once); at 10,000 the
  // window alone makes 30,000 calls, most of them past the warm-up.
  const steady = job.steady === true && !job.sequential && job.n >= 1000 && job.n * runner.stepsPerAgent < STEADY_CALLS;
  /** The measured work, its probes on when this is the window reported. */
  const window = async (reported: boolean): Promise<{ m: Measurement; outcomes: Outcome[]; gc?: GCSummary; profile?: unknown }> => {
    let outcomes: Outcome[] = [];
    const profiler = reported && job.profileFile ? await startProfiler() : undefined;
    let gc: GCSummary | undefined;
    // `one` never throws, so begin() always meets its end().
    const { m } = await measure(async () => {
      // After measure's own full GCs: only the work's collections are counted.
      const stopGC = reported && job.gc ? startGCProfile() : undefined;
      // The probe polls exactly while the work runs; its CPU is in its own process, not counted.
      if (reported) health?.begin();
      if (job.sequential) {
        for (let i = 0; i < job.n; i++) outcomes.push(await one(i));
      } else {
        const all: Promise<Outcome>[] = new Array(job.n);
        for (let i = 0; i < job.n; i++) all[i] = one(i);
        outcomes = await Promise.all(all);
      }
      if (reported) health?.end();
      gc = stopGC?.();
    }, baseline);
    return { m, outcomes, gc, profile: profiler ? await profiler.stop() : undefined };
  };
  const first = await window(!steady);
  let reported = first;
  if (steady) {
    while (agentsRun * runner.stepsPerAgent < STEADY_CALLS) await Promise.all(Array.from({ length: wide }, () => one(next--)));
    reported = await window(true);
  }
  // Both windows' runs count: one that failed in the first is not forgotten.
  const outcomes = steady ? [...first.outcomes, ...reported.outcomes] : first.outcomes;
  const count = (what: Outcome): number => outcomes.filter((o) => o === what).length;
  const { gc } = reported;
  // Memory stays the first window's: the rounds since grew the heap, and V8 keeps freed pages.
  const memory = { rssBaseMB: first.m.rssBaseMB, peakRssMB: first.m.peakRssMB, rssDeltaMB: first.m.rssDeltaMB, peakHeapMB: first.m.peakHeapMB, heapDeltaMB: first.m.heapDeltaMB };
  const m = { ...reported.m, ...memory };
  const steps = job.n * runner.stepsPerAgent;
  const perStep = (cpuMs: number): number => Number((cpuMs / steps).toFixed(3));
  // The first window's CPU too, for the record: how much of it was V8's warm-up.
  const firstWindow = steady ? { cpuPerStepMs: perStep(first.m.cpuMs), wallMs: first.m.wallMs } : undefined;
  if (reported.profile) writeFileSync(job.profileFile!, JSON.stringify(reported.profile));
  // A failed probe loses the health numbers, not the run's measurement.
  const healthStats = await health?.result().catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
  await runner.close?.();
  return {
    ...m,
    steps,
    cpuPerStepMs: perStep(m.cpuMs),
    kbPerAgent: Number(((m.rssDeltaMB * 1024) / job.n).toFixed(1)),
    errors: count('error'),
    wrong: count('wrong'),
    ...(firstWindow ? { firstWindow } : {}),
    ...(healthStats ? { health: healthStats } : {}),
    ...(gc ? { gc } : {}),
    ...(firstError ? { firstError } : {}),
  };
}

/** V8's sampling profiler in this process (every 100 µs), from now until stop(). */
async function startProfiler(): Promise<{ stop(): Promise<unknown> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  let result: Record<string, unknown>;
  if (job.kind === 'agents') result = await agents(job);
  else if (job.kind === 'long-stream') result = await longStream(job);
  else if (job.kind === 'abort') result = await abortPromptness(job);
  else if (job.kind === 'soak') result = { ...(await soak(job, (s) => process.stdout.write(`SAMPLE ${JSON.stringify(s)}\n`))) };
  else throw new Error(`unknown job ${JSON.stringify(job)}`);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
