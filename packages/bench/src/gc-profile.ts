// The collector's work during a measured window, from V8's GC profiler (node:v8 GCProfiler): how
// many scavenges, how long they paused the main thread, and how many bytes they promoted to the
// old generation. A scavenge copies what is still alive, so what a runner holds across an await
// (a call in flight) is what costs it here; its helper threads' CPU is in the process's CPU time
// but not in these pauses.
import { GCProfiler, type GCProfilerResult, type HeapSpaceStatistics } from 'node:v8';

export interface GCSummary {
  scavenges: number;
  /** Main-thread pause of the scavenges, ms. */
  scavengeMs: number;
  /** Bytes the scavenges moved into the old generation (old and large-object spaces), KB. */
  promotedKB: number;
  /** Main-thread pause of everything that is not a scavenge (full collections, incremental marking steps, weak callbacks), ms. */
  otherMs: number;
}

const OLD = new Set(['old_space', 'large_object_space']);
const oldBytes = (spaces: HeapSpaceStatistics[]): number => spaces.reduce((sum, s) => (OLD.has(s.spaceName) ? sum + s.spaceUsedSize : sum), 0);

/** Totals over a profile's collections (`cost` is in µs). */
export function summarizeGC(statistics: GCProfilerResult['statistics']): GCSummary {
  const out: GCSummary = { scavenges: 0, scavengeMs: 0, promotedKB: 0, otherMs: 0 };
  for (const s of statistics) {
    if (s.gcType !== 'Scavenge') {
      out.otherMs += s.cost / 1000;
      continue;
    }
    out.scavenges++;
    out.scavengeMs += s.cost / 1000;
    out.promotedKB += Math.max(0, oldBytes(s.afterGC.heapSpaceStatistics) - oldBytes(s.beforeGC.heapSpaceStatistics)) / 1024;
  }
  return out;
}

/** Profiles the collector from now until the returned function is called. */
export function startGCProfile(): () => GCSummary {
  const profiler = new GCProfiler();
  profiler.start();
  return () => summarizeGC(profiler.stop().statistics);
}
