// Measuring one piece of work inside a worker: wall time, client CPU, peak RSS (sampled),
// heap, and the event loop's delay.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface Measurement {
  wallMs: number;
  /** User + system CPU of this process during the work. */
  cpuMs: number;
  /** The system (kernel) part of cpuMs: page faults, sockets. */
  cpuSystemMs: number;
  /** The main thread's part of cpuMs; the rest is V8's helper threads (collector, optimizing compiler) and libuv's pool. Undefined before Node 23.9. */
  cpuMainThreadMs?: number;
  rssBaseMB: number;
  peakRssMB: number;
  /** Peak RSS minus the RSS before the work. */
  rssDeltaMB: number;
  peakHeapMB: number;
  heapDeltaMB: number;
  loopDelayMs: { p50: number; p99: number; max: number };
}

const MB = 1024 * 1024;

/** Full GCs when node runs with --expose-gc (the workers do). */
export function gcTwice(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/**
 * Runs `work` once and measures it, after a GC. Memory is compared with `baseline` when given
 * (taken before a warm-up that grew the heap: V8 keeps freed pages, so a baseline taken after
 * a big warm-up hides the run's memory), else with the memory after the GC.
 */
export async function measure<T>(work: () => Promise<T>, baseline?: NodeJS.MemoryUsage): Promise<{ value: T; m: Measurement }> {
  gcTwice();
  const base = baseline ?? process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = setInterval(() => {
    try {
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
      const heap = process.memoryUsage().heapUsed;
      if (heap > peakHeap) peakHeap = heap;
    } catch {
      // EMFILE: reading the RSS needs a file descriptor; the run under test took them all.
    }
  }, 20);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  // Node 23.9+; the bench runs on the Node 24 the repo installs, but the packages support 22.
  const threadCpu = (process as { threadCpuUsage?: (previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);
  const main0 = threadCpu?.();
  const t0 = performance.now();
  const value = await work();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const main = threadCpu?.(main0);
  loop.disable();
  clearInterval(sample);
  const end = process.memoryUsage();
  peakRss = Math.max(peakRss, end.rss);
  peakHeap = Math.max(peakHeap, end.heapUsed);
  const ms = (ns: number): number => (Number.isFinite(ns) ? round(ns / 1e6, 1) : 0);
  return {
    value,
    m: {
      wallMs: round(wallMs, 1),
      cpuMs: round((cpu.user + cpu.system) / 1000, 1),
      cpuSystemMs: round(cpu.system / 1000, 1),
      ...(main && { cpuMainThreadMs: round((main.user + main.system) / 1000, 1) }),
      rssBaseMB: round(base.rss / MB, 1),
      peakRssMB: round(peakRss / MB, 1),
      rssDeltaMB: round((peakRss - base.rss) / MB, 2),
      peakHeapMB: round(peakHeap / MB, 1),
      heapDeltaMB: round((peakHeap - base.heapUsed) / MB, 2),
      loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
    },
  };
}
