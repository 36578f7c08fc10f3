// pnpm bench --queue's options and defaults: apart from queue-run.ts, whose imports need the
// packages' dist (built by the bench itself before it runs).
export const QUEUE_DEFAULTS = { runs: 2_000, workers: [1, 2, 4], concurrency: 50, latencyMs: 0, probes: 500, rounds: 3 };

export interface QueueBenchOptions {
  runs: number;
  workers: number[];
  /** Runs at once per worker process. */
  concurrency: number;
  /** The simulated model's latency per call. */
  latencyMs: number;
  /** Measurements per worker count (fresh workers each time); the table shows the median and the range. */
  rounds: number;
  /** Checkpoint writes timed by the probe. */
  probes: number;
  reportPath: string;
  resultsDir: string;
  log: (line: string) => void;
}

