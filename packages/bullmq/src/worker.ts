// Workers: take runs from the BullMQ queue and run them on registered agents, checkpointing
// after every finished step, writing every event to the run's stream, and listening for cancels.
import { AgentAbortError, type AgentRun, type MultiStepAgent, type RunSnapshot } from '@smol/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createClient, type RedisConnection } from './connection.js';
import { RunSnapshotError, UnknownAgentError } from './errors.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, eventToJSON, keys, type Keys, type QueuedRunOutcome, type RunJobData } from './wire.js';

/** An agent instance, or a factory called once per job (code never travels through Redis). */
export type AgentSource = MultiStepAgent<any> | (() => MultiStepAgent<any> | Promise<MultiStepAgent<any>>);

export interface AgentWorkerOptions {
  connection: RedisConnection;
  /** Agents this worker runs, by the name producers submit to. */
  agents: Record<string, AgentSource>;
  /** Default 'smol-runs'. Producers and workers must agree. */
  queueName?: string;
  /** Key prefix (BullMQ's and this package's keys). Default 'smol'. */
  prefix?: string;
  /** Runs at once on this worker. Default 10. */
  concurrency?: number;
  /** BullMQ's job lock: a worker that stops renewing it for this long is presumed dead. Default 30 000 ms. */
  lockDuration?: number;
  /** How often BullMQ looks for jobs of dead workers. Default 30 000 ms. */
  stalledInterval?: number;
  /** Times a run may be recovered from dead workers before it fails. Default 3. */
  maxStalledCount?: number;
  /** Entries kept in each run's event stream (approximately). Default 10 000. */
  maxEvents?: number;
  /** Seconds a finished run's record and events are kept. Default 86 400 (a day). */
  retentionSeconds?: number;
  /** Start taking jobs at once. Default true; otherwise call run(). */
  autorun?: boolean;
}

/**
 * Runs queued agent runs. Any number of workers on any number of machines may serve one queue;
 * BullMQ's stalled-job recovery hands the runs of a dead worker to another one, which continues
 * from the last checkpoint.
 */
export class AgentWorker {
  /** @internal BullMQ's Worker. */
  readonly worker: Worker<RunJobData, QueuedRunOutcome>;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly bullConnection: Redis;
  private readonly keys: Keys;
  private readonly agents: Map<string, AgentSource>;
  private readonly active = new Map<string, AbortController>();
  private readonly maxEvents: number;
  private readonly retention: number;

  constructor(options: AgentWorkerOptions) {
    const queueName = options.queueName ?? DEFAULT_QUEUE;
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    this.keys = keys(prefix, queueName);
    this.agents = new Map(Object.entries(options.agents));
    this.maxEvents = options.maxEvents ?? 10_000;
    this.retention = options.retentionSeconds ?? 86_400;
    // Commands wait through a Redis restart (ioredis reconnects with backoff) instead of failing a run.
    this.redis = createClient(options.connection, { maxRetriesPerRequest: null });
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (_channel: string, runId: string) => {
      this.active.get(runId)?.abort(new AgentAbortError('Run cancelled from the queue.', { reason: 'cancelled' }));
    });
    void this.subscriber.subscribe(this.keys.cancelChannel).catch(() => {});
    // BullMQ does not close a connection it was given: close() does.
    this.bullConnection = this.redis.duplicate();
    this.bullConnection.on('error', () => {});
    this.worker = new Worker<RunJobData, QueuedRunOutcome>(queueName, (job) => this.process(job), {
      connection: this.bullConnection,
      prefix,
      concurrency: options.concurrency ?? 10,
      // Only what was given: an explicit undefined would override BullMQ's defaults.
      ...(options.lockDuration !== undefined ? { lockDuration: options.lockDuration } : {}),
      ...(options.stalledInterval !== undefined ? { stalledInterval: options.stalledInterval } : {}),
      maxStalledCount: options.maxStalledCount ?? 3,
      autorun: options.autorun ?? true,
    });
    this.worker.on('error', () => {});
    // BullMQ fails a job on its own when it stalled too often: give that run its outcome and run_end too.
    this.worker.on('failed', (job, error) => {
      if (!job) return;
      const outcome: QueuedRunOutcome = { runId: job.data.runId, state: 'failed', error: { name: 'QueueJobFailed', message: error.message }, attempt: job.attemptsStarted ?? 1 };
      void this.finish(job.data.runId, outcome).catch(() => {});
    });
  }

  /** Starts taking jobs (when created with autorun: false). */
  run(): Promise<void> {
    return this.worker.run();
  }

  /** Resolves once connected and subscribed to cancellations. */
  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
    await this.subscriber.subscribe(this.keys.cancelChannel);
  }

  /** Stops taking jobs and waits for the active ones (`force`: do not wait; they are recovered elsewhere). */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
    this.subscriber.disconnect();
    this.bullConnection.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async process(job: Job<RunJobData, QueuedRunOutcome>): Promise<QueuedRunOutcome> {
    const { runId } = job.data;
    const runKey = this.keys.run(runId);
    // Executions of this job: 2 or more means a worker died and the step in flight is redone.
    const attempt = await this.redis.hincrby(runKey, `attempts:${job.id}`, 1);
    const [done, cancelled] = await this.redis.hmget(runKey, 'outcome', 'cancelled');
    if (done) return JSON.parse(done) as QueuedRunOutcome;
    if (cancelled) return this.finish(runId, { runId, state: 'cancelled', reason: 'cancelled before it started', attempt });

    const controller = new AbortController();
    this.active.set(runId, controller);
    try {
      const agent = await this.agentFor(job.data.agent);
      const run = await this.startRun(agent, job.data, attempt, controller.signal);
      await this.redis.hset(runKey, 'status', 'running');
      const streamKey = this.keys.events(runId);
      for await (const event of run) {
        const entry = ['MAXLEN', '~', String(this.maxEvents), '*', 'e', eventToJSON(event), 'a', String(attempt)] as const;
        if (event.type === 'action_step' || event.type === 'planning_step') {
          // The checkpoint and its event land together: a run resumed from it repeats neither.
          await this.redis.multi().hset(runKey, 'checkpoint', JSON.stringify(run.toJSON())).xadd(streamKey, ...entry).exec();
        } else {
          await this.redis.xadd(streamKey, ...entry);
        }
      }
      const result = await run.result;
      if (result.state === 'awaiting_approval') {
        const outcome: QueuedRunOutcome = { runId, state: 'awaiting_approval', pendingApprovals: result.pendingApprovals ?? [], attempt };
        await this.redis
          .multi()
          .hset(runKey, 'checkpoint', JSON.stringify(result.snapshot), 'paused', JSON.stringify(outcome), 'status', 'awaiting_approval')
          .xadd(streamKey, 'MAXLEN', '~', String(this.maxEvents), '*', 'e', JSON.stringify({ type: 'run_paused', pendingApprovals: outcome.pendingApprovals }), 'a', String(attempt))
          .exec();
        return outcome;
      }
      const { state, output, actionSteps, tokenUsage } = result;
      return await this.finish(runId, { runId, state, output, actionSteps, tokenUsage, attempt });
    } catch (error) {
      if (controller.signal.aborted) return this.finish(runId, { runId, state: 'cancelled', reason: 'cancelled while running', attempt });
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      await this.finish(runId, { runId, state: 'failed', error: { name, message }, attempt });
      // BullMQ shows the job as failed; retrying would not help (the run's own retries are done).
      throw new UnrecoverableError(`${name}: ${message}`);
    } finally {
      this.active.delete(runId);
    }
  }

  private async agentFor(name: string): Promise<MultiStepAgent<any>> {
    const source = this.agents.get(name);
    if (!source) {
      throw new UnknownAgentError(`No agent named "${name}" is registered on this worker (known: ${[...this.agents.keys()].join(', ') || 'none'}).`);
    }
    return typeof source === 'function' ? await source() : source;
  }

  /** Resumes from the run's checkpoint; a new run first gets one (step 1), so every attempt resumes. */
  private async startRun(agent: MultiStepAgent<any>, data: RunJobData, attempt: number, signal: AbortSignal): Promise<AgentRun<unknown>> {
    const runKey = this.keys.run(data.runId);
    let raw = await this.redis.hget(runKey, 'checkpoint');
    if (raw === null) {
      if (data.task === undefined) throw new RunSnapshotError(`Run ${data.runId} has no checkpoint to resume from.`);
      const fresh = agent.start(data.task, { maxSteps: data.maxSteps, additionalArgs: data.additionalArgs }).toJSON();
      raw = JSON.stringify({ ...fresh, runId: data.runId });
      // Two workers racing on a falsely stalled job keep the first checkpoint.
      await this.redis.hsetnx(runKey, 'checkpoint', raw);
      raw = (await this.redis.hget(runKey, 'checkpoint')) ?? raw;
    }
    const snapshot = parseSnapshot(raw, data.runId);
    try {
      return agent.resume(snapshot, { attempt, signal, decisions: data.decisions });
    } catch (error) {
      throw new RunSnapshotError(`Run ${data.runId}'s checkpoint cannot be resumed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Stores the final outcome once (the first writer wins), appends run_end, and sets the expiry. */
  private async finish(runId: string, outcome: QueuedRunOutcome): Promise<QueuedRunOutcome> {
    return finishRun(this.redis, this.keys, runId, outcome, this.maxEvents, this.retention);
  }
}

export async function finishRun(redis: Redis, k: Keys, runId: string, outcome: QueuedRunOutcome, maxEvents: number, retention: number): Promise<QueuedRunOutcome> {
  const runKey = k.run(runId);
  const streamKey = k.events(runId);
  const replies = await redis.multi().hsetnx(runKey, 'outcome', JSON.stringify(outcome)).hget(runKey, 'outcome').exec();
  const won = replies?.[0]?.[1] === 1;
  const stored = replies?.[1]?.[1] as string | null | undefined;
  if (!won) return stored ? (JSON.parse(stored) as QueuedRunOutcome) : outcome;
  await redis
    .multi()
    .hset(runKey, 'status', outcome.state)
    .hdel(runKey, 'paused')
    .xadd(streamKey, 'MAXLEN', '~', String(maxEvents), '*', 'e', JSON.stringify({ type: 'run_end', outcome }), 'a', String(outcome.attempt))
    .expire(runKey, retention)
    .expire(streamKey, retention)
    .exec();
  return outcome;
}

function parseSnapshot(raw: string, runId: string): RunSnapshot {
  let snapshot: RunSnapshot;
  try {
    snapshot = JSON.parse(raw) as RunSnapshot;
  } catch (error) {
    throw new RunSnapshotError(`Run ${runId}'s checkpoint is not valid JSON.`, { cause: error });
  }
  if (!snapshot || typeof snapshot !== 'object' || snapshot.schemaVersion !== 1) {
    throw new RunSnapshotError(`Run ${runId}'s checkpoint has schema version ${String((snapshot as { schemaVersion?: unknown })?.schemaVersion)}; this worker reads version 1.`);
  }
  return snapshot;
}
