// Soak job (in the measurement worker process, run with --expose-gc): many agent runs one after
// another through a fixed number of lanes, sampling the heap after a full GC and the RSS as they
// go. A long-running server should level off: the samples show whether it does.
import { loadRunner } from './worker.ts';
import { checkAnswer } from './work.ts';
import { gcTwice } from './measure.ts';

export interface SoakJob {
  kind: 'soak';
  /** 'smol' (ToolCallingAgent) or 'smol-code' (CodeAgent in @smol/sandbox). */
  runner: 'smol' | 'smol-code';
  runs: number;
  /** Agent runs in flight at once. */
  concurrency: number;
  baseURL: string;
  /** About how many samples to take over the runs. */
  samples: number;
}

export interface SoakSample {
  /** Runs finished when the sample was taken. */
  runs: number;
  /** Seconds since the soak started. */
  t: number;
  /** Main-thread heap in use after two full GCs. */
  heapMB: number;
  /** Process RSS (worker threads included). */
  rssMB: number;
  /** CodeAgent only: the sandbox workers' V8 heaps in use (not after a GC: a worker cannot be made to collect). */
  workerHeapMB?: number;
  /** CodeAgent only: the sandbox workers' WebAssembly memory. */
  wasmMB?: number;
  /** CodeAgent only: sandbox workers retired (recycled) so far. */
  retiredWorkers?: number;
}

export interface SoakResult {
  runner: string;
  runs: number;
  concurrency: number;
  wallS: number;
  errors: number;
  wrong: number;
  firstError?: string;
  samples: SoakSample[];
}

interface SandboxStats {
  heapUsedBytes?: number;
  wasmMemoryBytes: number;
  retiredEngines?: number;
}

const MB = 1024 * 1024;
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** The CodeAgent's default executor, for its stats; the runner's agent uses the same one. */
async function sandboxStats(): Promise<(() => Promise<SandboxStats>) | undefined> {
  const specifier = '@smol/sandbox';
  const mod = (await import(specifier)) as { getDefaultExecutor(): { stats(): Promise<SandboxStats> } };
  return () => mod.getDefaultExecutor().stats();
}

export async function soak(job: SoakJob, onSample: (s: SoakSample) => void = () => {}): Promise<SoakResult> {
  const runner = await loadRunner({ runner: job.runner, baseURL: job.baseURL, stream: false, sockets: 1024 });
  const check = runner.check ?? checkAnswer;
  const stats = job.runner === 'smol-code' ? await sandboxStats() : undefined;
  const every = Math.max(1, Math.floor(job.runs / Math.max(1, job.samples)));
  const samples: SoakSample[] = [];
  const t0 = performance.now();
  const sample = async (runs: number): Promise<void> => {
    gcTwice();
    const mem = process.memoryUsage();
    const s: SoakSample = { runs, t: round1((performance.now() - t0) / 1000), heapMB: round1(mem.heapUsed / MB), rssMB: round1(mem.rss / MB) };
    if (stats) {
      const st = await stats();
      s.workerHeapMB = round1((st.heapUsedBytes ?? 0) / MB);
      s.wasmMB = round1(st.wasmMemoryBytes / MB);
      s.retiredWorkers = st.retiredEngines ?? 0;
    }
    samples.push(s);
    onSample(s);
  };

  let errors = 0;
  let wrong = 0;
  let firstError: string | undefined;
  let next = 0;
  let done = 0;
  // One lane samples at a time; the others keep running (as in a server, the sample sees the
  // runs in flight too).
  let sampling: Promise<void> | undefined;
  const lane = async (): Promise<void> => {
    while (next < job.runs) {
      const i = next++;
      try {
        if (!check(await runner.runOne(i), i)) wrong++;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error);
      }
      done++;
      if (done % every === 0 || done === job.runs) {
        await sampling;
        sampling = sample(done);
        await sampling;
      }
    }
  };
  await sample(0);
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.runs) }, lane));
  const wallS = round1((performance.now() - t0) / 1000);
  await runner.close?.();
  return { runner: job.runner, runs: job.runs, concurrency: job.concurrency, wallS, errors, wrong, ...(firstError ? { firstError } : {}), samples };
}
