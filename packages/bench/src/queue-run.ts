// pnpm bench --queue: agent runs through @smol/bullmq against the simulated server, with 1, 2 and
// 4 worker processes (runs per second and the ratios), then what a checkpoint costs per step.
// Redis is a private Debian redis-server (@smol/testing/redis); the producer is this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentQueue } from '@smol/bullmq';
import { startRedisServer, type RedisServer } from '@smol/testing/redis';
import { Redis } from 'ioredis';
import { collectEnvironment } from './report.ts';
import { startMockCli, type Server } from './spawn.ts';
import { loadRunner } from './worker.ts';
import { checkAnswer, taskFor } from './work.ts';
import type { QueueWorkerJob } from './queue-worker.ts';
import type { QueueBenchOptions } from './queue-options.ts';

export { QUEUE_DEFAULTS, type QueueBenchOptions } from './queue-options.ts';

const here = dirname(fileURLToPath(import.meta.url));
export interface QueueEntry {
  workers: number;
  runs: number;
  wallS: number;
  runsPerS: number;
  /** Model calls (= steps = checkpoints) per second. */
  stepsPerS: number;
  errors: number;
  wrong: number;
  firstError?: string;
  /** Bytes Redis received per run (every command: BullMQ's, checkpoints, events). */
  redisBytesInPerRun: number;
  /** runs/s of every round; the entry itself is the median round. */
  rounds: number[];
}

export interface CheckpointCost {
  steps: number;
  /** The snapshot after the run's last step (memory grows with each step). */
  finalBytes: { mean: number; max: number };
  /** One checkpoint write as the worker does it: the JSON, then MULTI(HSET checkpoint, XADD event) EXEC. */
  stringifyMs: number;
  writeMs: { p50: number; p99: number; mean: number };
  /** The same write with 50 in flight (a busy worker). */
  writeMsConcurrent: { p50: number; p99: number; mean: number };
}

/** The same runs in one process without a queue (the bench's `smol` runner, `concurrency` at once): the reference. */
export interface InProcessEntry {
  runs: number;
  wallS: number;
  runsPerS: number;
  /** runs/s of every round; the entry is the median. */
  rounds: number[];
  errors: number;
  wrong: number;
}

/** The reference: `runs` runs of the in-process `smol` runner in this process, `concurrency` at once. */
async function inProcessRound(server: Server, o: QueueBenchOptions): Promise<{ wallS: number; errors: number; wrong: number }> {
  const runner = await loadRunner({ runner: 'smol', baseURL: server.baseURL, stream: false, sockets: 1024 });
  let errors = 0;
  let wrong = 0;
  const pool = async (items: number[]) => {
    let next = 0;
    const lane = async () => {
      while (next < items.length) {
        const i = items[next++]!;
        try {
          if (!checkAnswer(await runner.runOne(i), i)) wrong++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, items.length) }, lane));
  };
  await pool(Array.from({ length: Math.min(o.runs, 20) }, (_, i) => -1 - i)); // warm-up, as for one worker
  errors = 0;
  wrong = 0;
  const started = performance.now();
  await pool(Array.from({ length: o.runs }, (_, i) => i));
  const wallS = (performance.now() - started) / 1000;
  await runner.close?.();
  return { wallS, errors, wrong };
}

export interface QueueBenchRun {
  environment: ReturnType<typeof collectEnvironment>;
  options: Omit<QueueBenchOptions, 'log'>;
  inProcess: InProcessEntry;
  entries: QueueEntry[];
  checkpoint: CheckpointCost;
  markdown: string;
}

function startWorker(job: QueueWorkerJob): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(here, 'queue-worker.ts'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`queue worker did not start within 30 s: ${out.slice(-1000)}`)), 30_000);
    const onData = () => {
      if (!out.includes('ready\n')) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(child);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`queue worker exited (${code}) before it was ready: ${out.slice(-1000)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function bytesIn(client: Redis): Promise<number> {
  const info = await client.info('stats');
  return Number(/total_net_input_bytes:(\d+)/.exec(info)?.[1] ?? 0);
}

/** `runs` runs through `workers` worker processes; the first `warmup` runs are not timed. */
async function measure(redis: RedisServer, client: Redis, server: Server, workers: number, o: QueueBenchOptions): Promise<{ entry: QueueEntry; sample: string[] }> {
  const queueName = `bench-${workers}w-${crypto.randomUUID().slice(0, 8)}`;
  const children: ChildProcess[] = [];
  const queue = new AgentQueue({ connection: redis.url, queueName });
  try {
    children.push(...(await Promise.all(Array.from({ length: workers }, () => startWorker({ redis: redis.url, queue: queueName, baseURL: server.baseURL, concurrency: o.concurrency })))));
    let errors = 0;
    let wrong = 0;
    let firstError: string | undefined;
    const one = async (i: number): Promise<string> => {
      const handle = await queue.submit('lookup', taskFor(i));
      try {
        const result = await handle.result();
        if (result.state !== 'success' || !checkAnswer(result.output, i)) wrong++;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error);
      }
      return handle.runId;
    };
    // Warm-up: JIT, connections, BullMQ's scripts loaded in every worker.
    await Promise.all(Array.from({ length: Math.min(o.runs, 20 * workers) }, (_, i) => one(-1 - i)));
    errors = 0;
    wrong = 0;
    const before = await bytesIn(client);
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: o.runs }, (_, i) => one(i)));
    const wallS = (performance.now() - started) / 1000;
    const redisBytesInPerRun = Math.round(((await bytesIn(client)) - before) / o.runs);
    const round = (x: number) => Math.round(x * 10) / 10;
    const entry: QueueEntry = { workers, runs: o.runs, wallS: round(wallS), runsPerS: round(o.runs / wallS), stepsPerS: round((o.runs * 3) / wallS), errors, wrong, firstError, redisBytesInPerRun, rounds: [] };
    return { entry, sample: ids.slice(0, 100).map((id) => queue.keys.run(id)) };
  } finally {
    await queue.close();
    await Promise.all(children.map(stopChild));
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: r(at(0.5)), p99: r(at(0.99)), mean: r(s.reduce((a, b) => a + b, 0) / s.length) };
};

/** Sizes of stored checkpoints, then the worker's checkpoint write replayed `probes` times. */
async function checkpointCost(client: Redis, runKeys: string[], probes: number): Promise<CheckpointCost> {
  const sizes = await Promise.all(runKeys.map((k) => client.hstrlen(k, 'checkpoint')));
  const raw = (await client.hget(runKeys[0]!, 'checkpoint'))!;
  const snapshot = JSON.parse(raw) as { stepNumber?: number };
  const event = JSON.stringify({ type: 'action_step', step: { type: 'action', stepNumber: 3, observations: 'definition of …' } });
  const write = (i: number) => {
    const json = JSON.stringify(snapshot);
    return client.multi().hset(`probe:run:${i}`, 'checkpoint', json).xadd(`probe:run:${i}:events`, 'MAXLEN', '~', '10000', '*', 'e', event, 'a', '1').exec();
  };
  let t = performance.now();
  for (let i = 0; i < 200; i++) JSON.stringify(snapshot);
  const stringifyMs = (performance.now() - t) / 200;
  const sequential: number[] = [];
  for (let i = 0; i < probes; i++) {
    t = performance.now();
    await write(i % 50);
    sequential.push(performance.now() - t);
  }
  const concurrent: number[] = [];
  const lane = async (l: number) => {
    for (let i = 0; i < probes / 50; i++) {
      const s = performance.now();
      await write(l);
      concurrent.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: 50 }, (_, l) => lane(l)));
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    // stepNumber is the next step to run.
    steps: Math.max(0, (snapshot.stepNumber ?? 1) - 1),
    finalBytes: { mean: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length), max: Math.max(...sizes) },
    stringifyMs: r(stringifyMs),
    writeMs: stats(sequential),
    writeMsConcurrent: stats(concurrent),
  };
}

export function renderQueueMarkdown(run: Omit<QueueBenchRun, 'markdown'>): string {
  const { environment: env, options: o, entries, checkpoint: c, inProcess: ref } = run;
  const base = entries.find((e) => e.workers === 1)?.runsPerS;
  const rows = entries.map((e) => `| ${e.workers} | ${e.runs} | ${e.wallS} | ${e.runsPerS} (${Math.min(...e.rounds)}–${Math.max(...e.rounds)}) | ${e.stepsPerS} | ${base ? `×${(e.runsPerS / base).toFixed(2)}` : '–'} | ${e.errors} / ${e.wrong} | ${(e.redisBytesInPerRun / 1024).toFixed(1)} KiB |`);
  return [
    '## Queue mode: runs across worker processes (@smol/bullmq)',
    '',
    `\`pnpm bench --queue\`: ${o.runs.toLocaleString('en-US')} ToolCallingAgent runs (3 model calls, so 3 steps and 3 checkpoints each) submitted at once by one producer, run by ${o.workers.join(", ")} worker processes (${o.concurrency} runs at once each) against the simulated server at ${o.latencyMs} ms latency, through a private \`redis-server\` (append-only, \`appendfsync everysec\`). Each measurement starts fresh worker processes and a fresh queue, after a warm-up of 20 runs per worker; the time runs from the first submit to the last result. Each row is the median of ${o.rounds} measurement${o.rounds === 1 ? '' : 's'} (the range in brackets); errors count every round.`,
    '',
    '| workers | runs | wall (s) | runs/s (range) | steps/s | vs 1 worker | errors / wrong | Redis bytes in per run |',
    '|---|---|---|---|---|---|---|---|',
    ...(ref ? [`| in-process, no queue (reference) | ${ref.runs} | ${ref.wallS} | ${ref.runsPerS} (${Math.min(...ref.rounds)}–${Math.max(...ref.rounds)}) | ${Math.round(ref.runsPerS * 30) / 10} | – | ${ref.errors} / ${ref.wrong} | – |`] : []),
    ...rows,
    '',
    ...(ref
      ? [
          `The reference row runs the same agent on the same server in the producer's process with no queue, ${o.concurrency} runs at once (like one worker). The gap to the 1-worker row is what the queue costs on one machine: submitting, BullMQ's job handling, a checkpoint and an event per step in Redis, and the producer awaiting every result.`,
          '',
        ]
      : []),
    `**This machine has ${env.cores} cores** (${env.cpu}, load average ${env.loadAverage} at the start), shared by the producer, the simulated server, Redis and every worker: more worker processes than cores cannot add CPU, so the ratios show what the queue costs and how it behaves under contention, not how it scales across machines. On separate machines each worker brings its own cores; Redis (one core) is then the shared resource.`,
    '',
    '### What a checkpoint costs per step',
    '',
    `After every finished step the worker writes the run's snapshot and that step's event in one \`MULTI\`/\`EXEC\`. Measured on the stored checkpoints of the runs above and by replaying that write (${o.probes} times) against the same Redis:`,
    '',
    '| | |',
    '|---|---|',
    `| snapshot after ${c.steps} steps (the whole memory as JSON) | ${c.finalBytes.mean.toLocaleString('en-US')} bytes mean, ${c.finalBytes.max.toLocaleString('en-US')} max (≈ ${Math.round(c.finalBytes.mean / Math.max(1, c.steps)).toLocaleString('en-US')} bytes per step of memory) |`,
    `| \`JSON.stringify\` of that snapshot | ${c.stringifyMs} ms |`,
    `| the write, one at a time (a round trip to Redis on 127.0.0.1) | p50 ${c.writeMs.p50} ms, p99 ${c.writeMs.p99} ms, mean ${c.writeMs.mean} ms |`,
    `| the write, 50 in flight (a busy worker) | p50 ${c.writeMsConcurrent.p50} ms, p99 ${c.writeMsConcurrent.p99} ms, mean ${c.writeMsConcurrent.mean} ms |`,
    '',
    "A snapshot holds the run's whole memory, so it grows with every step: a long run's later checkpoints cost more bytes than its first. The write is awaited before the run's next step; it is small next to a real model call (hundreds of ms).",
    '',
    `Node ${env.node}, ${env.os}, ${env.date.slice(0, 10)}.`,
  ].join('\n');
}

export async function runQueueBench(o: QueueBenchOptions): Promise<QueueBenchRun> {
  const environment = collectEnvironment();
  const [redis, server] = await Promise.all([startRedisServer(), startMockCli(['--latency-ms', String(o.latencyMs)])]);
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    o.log(`in-process reference: ${o.runs} runs, no queue, ${o.concurrency} at once…`);
    const refRounds: { wallS: number; errors: number; wrong: number }[] = [];
    for (let r = 0; r < o.rounds; r++) refRounds.push(await inProcessRound(server, o));
    const refSorted = [...refRounds].sort((a, b) => a.wallS - b.wallS);
    const refMedian = refSorted[Math.floor((refSorted.length - 1) / 2)]!;
    const perS = (wallS: number) => Math.round((o.runs / wallS) * 10) / 10;
    const inProcess: InProcessEntry = {
      runs: o.runs,
      wallS: Math.round(refMedian.wallS * 10) / 10,
      runsPerS: perS(refMedian.wallS),
      rounds: refRounds.map((r) => perS(r.wallS)),
      errors: refRounds.reduce((n, r) => n + r.errors, 0),
      wrong: refRounds.reduce((n, r) => n + r.wrong, 0),
    };
    o.log(`  median ${inProcess.runsPerS} runs/s of [${inProcess.rounds.join(', ')}]; errors ${inProcess.errors}, wrong ${inProcess.wrong}`);
    const entries: QueueEntry[] = [];
    let sample: string[] = [];
    for (const workers of o.workers) {
      o.log(`queue: ${o.runs} runs, ${workers} worker process${workers === 1 ? '' : 'es'} × ${o.concurrency} at once…`);
      const measured: QueueEntry[] = [];
      for (let r = 0; r < o.rounds; r++) {
        const m = await measure(redis, client, server, workers, o);
        measured.push(m.entry);
        sample = m.sample;
      }
      const sorted = [...measured].sort((a, b) => a.runsPerS - b.runsPerS);
      const e: QueueEntry = { ...sorted[Math.floor((sorted.length - 1) / 2)]!, rounds: measured.map((m) => m.runsPerS) };
      // Failures of any round count.
      e.errors = measured.reduce((n, m) => n + m.errors, 0);
      e.wrong = measured.reduce((n, m) => n + m.wrong, 0);
      e.firstError = measured.find((m) => m.firstError)?.firstError;
      entries.push(e);
      o.log(`  ${workers} workers: median ${e.runsPerS} runs/s of [${e.rounds.join(', ')}] (${e.stepsPerS} steps/s) in ${e.wallS} s; errors ${e.errors}, wrong ${e.wrong}${e.firstError ? ` (${e.firstError})` : ''}; Redis in ${e.redisBytesInPerRun} bytes/run`);
    }
    o.log('checkpoint cost…');
    const checkpoint = await checkpointCost(client, sample, o.probes);
    o.log(`  snapshot ${checkpoint.finalBytes.mean} bytes after ${checkpoint.steps} steps; write p50 ${checkpoint.writeMs.p50} ms (50 in flight: p50 ${checkpoint.writeMsConcurrent.p50} ms)`);
    const { log: _log, ...options } = o;
    const partial = { environment, options, inProcess, entries, checkpoint };
    const markdown = renderQueueMarkdown(partial);
    mkdirSync(dirname(o.reportPath), { recursive: true });
    writeFileSync(o.reportPath, `${markdown}\n`);
    mkdirSync(o.resultsDir, { recursive: true });
    writeFileSync(join(o.resultsDir, `queue-${environment.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(partial, null, 2));
    o.log(`wrote ${o.reportPath}`);
    return { ...partial, markdown };
  } finally {
    client.disconnect();
    await Promise.all([redis.stop(), server.stop()]);
  }
}
