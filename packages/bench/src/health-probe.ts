// The health probe: a small child process that the worker forks (health.ts). It asks the
// worker's GET /health one request at a time while the measured work runs and reports the
// latencies over IPC. It lives in its own process so that its timers, and so the send times,
// are not delayed by the worker's busy event loop: a slow answer is the worker's delay alone.
//   argv[2]: the health URL.  IPC in: {type:'start'}, {type:'stop'}.
//   IPC out: {type:'ready'} after a warm-up request, then {type:'result', ...HealthStats}.
import http from 'node:http';

export interface HealthStats {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Pause between one answer and the next request: an app's health checker polls, it does not flood. */
const GAP_MS = 10;

/** Nearest-rank percentiles of `latencies` (ms), rounded to 0.1 ms. */
export function healthStats(latencies: number[]): HealthStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number): number => {
    if (!sorted.length) return 0;
    const v = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
    return Number(v.toFixed(1));
  };
  return { count: sorted.length, p50Ms: at(50), p99Ms: at(99), maxMs: at(100) };
}

async function main(): Promise<void> {
  const url = new URL(process.argv[2] ?? '');
  // One keep-alive socket: the probe measures the worker's loop, not connection setup.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
        res.resume();
        res.once('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`health: HTTP ${res.statusCode}`))));
        res.once('error', reject);
      });
      req.once('error', reject);
    });
  const send = (message: object): void => {
    process.send?.(message);
  };
  // The parent gone (killed on a timeout): nothing left to measure.
  process.once('disconnect', () => process.exit(0));

  await get();
  send({ type: 'ready' });

  const latencies: number[] = [];
  let running = false;
  let loop: Promise<void> | undefined;
  const poll = async (): Promise<void> => {
    while (running) {
      latencies.push(await get());
      if (running) await new Promise((r) => setTimeout(r, GAP_MS));
    }
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'start' && !running) {
      running = true;
      loop = poll();
      // A failed request ends the polling; the stop below reports it.
      loop.catch(() => {});
    } else if (message.type === 'stop') {
      running = false;
      // The request in flight was sent during the work: it counts, so wait for it.
      void (loop ?? Promise.resolve()).then(
        () => {
          send({ type: 'result', ...healthStats(latencies) });
          agent.destroy();
          process.disconnect();
        },
        (error: unknown) => {
          send({ type: 'error', error: error instanceof Error ? error.message : String(error) });
          process.disconnect();
        },
      );
    }
  });
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.send?.({ type: 'error', error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
