// The producer side: submit runs, and handles to follow, await, cancel and approve them from
// any process (a handle is just the run id plus this queue's connections).
import { AgentAbortError } from '@smol/core';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectionError, createClient, whenReady, type RedisConnection } from './connection.js';
import { RunFailedError, RunNotFoundError } from './errors.js';
import { finishRun } from './worker.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, keys, type Keys, type QueuedRunEvent, type QueuedRunOutcome, type RunJobData } from './wire.js';

export interface AgentQueueOptions {
  connection: RedisConnection;
  /** Default 'smol-runs'. Producers and workers must agree. */
  queueName?: string;
  /** Default 'smol'. */
  prefix?: string;
  /** How long submit waits for a first connection before rejecting. Default 2 000 ms. */
  connectTimeoutMs?: number;
  /** Seconds a run cancelled before it started is kept. Default 86 400. */
  retentionSeconds?: number;
}

export interface SubmitOptions {
  /** This run's step limit, over the agent's. */
  maxSteps?: number;
  /** Shown to the model with the task (JSON only: it travels through Redis). */
  additionalArgs?: Record<string, unknown>;
}

/** One entry of a run's event stream; `id` is the Redis Stream id (use it as SSE `id:`/`Last-Event-ID`). */
export interface RunStreamEntry {
  id: string;
  /** The execution that wrote it: a step redone after a crash appears again with a higher attempt. */
  attempt: number;
  event: QueuedRunEvent;
}

/** Submits runs to named agents on whatever workers serve the queue. */
export class AgentQueue {
  readonly name: string;
  readonly keys: Keys;
  private readonly prefix: string;
  private bullQueue: Queue<RunJobData, QueuedRunOutcome> | undefined;
  /** @internal */ readonly redis: Redis;
  private readonly connection: RedisConnection;
  private readonly connectTimeoutMs: number;
  private readonly retention: number;
  private events: Promise<QueueEvents> | undefined;
  private connecting: Promise<void> | undefined;
  private readonly followers = new Set<Redis>();

  constructor(options: AgentQueueOptions) {
    const queueName = options.queueName ?? DEFAULT_QUEUE;
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    this.connection = options.connection;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.retention = options.retentionSeconds ?? 86_400;
    this.keys = keys(prefix, queueName);
    this.name = queueName;
    this.prefix = prefix;
    // A producer fails fast: no offline queue, so a dead Redis is an error, not a hang.
    this.redis = createClient(options.connection, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  }

  /** @internal BullMQ's Queue under this producer (created once connected). */
  get queue(): Queue<RunJobData, QueuedRunOutcome> {
    if (!this.bullQueue) {
      this.bullQueue = new Queue<RunJobData, QueuedRunOutcome>(this.name, { connection: this.redis, prefix: this.prefix });
      this.bullQueue.on('error', () => {});
      this.bullQueue.setMaxListeners(0); // every waiting result() listens for a while
    }
    return this.bullQueue;
  }

  /** Queues a task for the agent registered under `agent` on the workers; resolves to the run's handle. */
  async submit(agent: string, task: string, options: SubmitOptions = {}): Promise<RunHandle> {
    await this.ready();
    const runId = crypto.randomUUID();
    const data: RunJobData = { runId, agent, task, maxSteps: options.maxSteps, additionalArgs: options.additionalArgs };
    try {
      await this.redis.hset(this.keys.run(runId), 'agent', agent, 'job', runId, 'status', 'queued');
      await this.queue.add(agent, data, { jobId: runId, removeOnComplete: { age: this.retention }, removeOnFail: { age: this.retention } });
    } catch (error) {
      throw this.redis.status === 'ready' ? error : connectionError(this.connection, error);
    }
    return new RunHandle(this, runId);
  }

  /** The handle of a run submitted anywhere (by its id). */
  handle(runId: string): RunHandle {
    return new RunHandle(this, runId);
  }

  /** Closes this producer's connections (runs go on on the workers). */
  async close(): Promise<void> {
    const events = this.events;
    this.events = undefined;
    if (events) await (await events.catch(() => undefined))?.close().catch(() => {});
    for (const follower of this.followers) follower.disconnect();
    await this.bullQueue?.close().catch(() => {});
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** @internal */
  ready(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    // One wait shared by every caller that arrives while connecting.
    this.connecting ??= whenReady(this.redis, this.connection, this.connectTimeoutMs).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** @internal One QueueEvents per producer: BullMQ's own completion events, for every handle. */
  queueEvents(): Promise<QueueEvents> {
    this.events ??= (async () => {
      // BullMQ does not close a connection it was given: close() does (it is a follower).
      const events = new QueueEvents(this.name, { connection: this.follower(), prefix: this.prefix });
      events.on('error', () => {});
      events.setMaxListeners(0); // one listener per waiting result()
      await events.waitUntilReady();
      return events;
    })();
    return this.events;
  }

  /** @internal A connection for one blocking stream reader. */
  follower(): Redis {
    const client = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    client.on('error', () => {});
    this.followers.add(client);
    client.once('end', () => this.followers.delete(client));
    return client;
  }

  /** @internal */
  retentionSeconds(): number {
    return this.retention;
  }
}

/** A queued run, from any process: await its result, follow its events, cancel it, answer its approvals. */
export class RunHandle {
  constructor(
    private readonly owner: AgentQueue,
    readonly runId: string,
  ) {}

  /**
   * Resolves when the run ends (the stored result: the same for every caller) or pauses for
   * approval (state 'awaiting_approval'; answer with approve()). Rejects with AgentAbortError
   * when cancelled, RunFailedError when the run failed.
   */
  async result(): Promise<QueuedRunOutcome> {
    const { redis, keys: k, queue } = this.owner;
    await this.owner.ready();
    const events = await this.owner.queueEvents();
    for (let missing = 0; ; ) {
      const [outcome, paused, jobId] = await redis.hmget(k.run(this.runId), 'outcome', 'paused', 'job');
      if (outcome) return settle(JSON.parse(outcome) as QueuedRunOutcome);
      if (paused) return JSON.parse(paused) as QueuedRunOutcome;
      if (!jobId) throw new RunNotFoundError(`No queued run ${this.runId} (never submitted, or expired).`);
      const job = await Job.fromId<RunJobData, QueuedRunOutcome>(queue, jobId);
      if (!job) {
        // Removed after finishing, between the two reads: read the record again, once.
        if (++missing > 1) throw new RunNotFoundError(`Run ${this.runId}'s job ${jobId} is gone and left no result.`);
        continue;
      }
      missing = 0;
      const failed = await job.waitUntilFinished(events).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failed !== undefined) {
        const [after] = await redis.hmget(k.run(this.runId), 'outcome');
        if (after) return settle(JSON.parse(after) as QueuedRunOutcome);
        // BullMQ failed the job itself (e.g. stalled too often): no worker stored an outcome.
        throw new RunFailedError(`Run ${this.runId} failed in the queue: ${(failed as Error).message ?? String(failed)}`, { runId: this.runId, errorName: 'QueueJobFailed' });
      }
    }
  }

  /**
   * The run's events from after `fromId` ('0' = from the start), each once, until the run ends.
   * A client that reconnects passes the last id it saw and misses nothing.
   */
  async *events(fromId = '0', options: { signal?: AbortSignal } = {}): AsyncGenerator<RunStreamEntry, void, undefined> {
    const { keys: k } = this.owner;
    await this.owner.ready();
    const reader = this.owner.follower();
    const { signal } = options;
    const onAbort = () => reader.disconnect();
    signal?.addEventListener('abort', onAbort, { once: true });
    let last = fromId;
    try {
      while (!signal?.aborted) {
        const reply = (await reader.xread('COUNT', 500, 'BLOCK', 5_000, 'STREAMS', k.events(this.runId), last)) as [string, [string, string[]][]][] | null;
        if (!reply) {
          // Nothing new: stop if the run ended long ago and its stream expired.
          if ((await reader.exists(k.run(this.runId))) === 0) return;
          continue;
        }
        for (const [id, fields] of reply[0][1]) {
          last = id;
          const entry: RunStreamEntry = { id, attempt: Number(field(fields, 'a') ?? 1), event: JSON.parse(field(fields, 'e') ?? '{}') as QueuedRunEvent };
          yield entry;
          if (entry.event.type === 'run_end') return;
        }
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      reader.disconnect();
    }
  }

  /**
   * Cancels the run: a queued run is removed; a running one is aborted on whichever worker holds
   * it (Redis pub/sub); a paused one ends. Resolves once the cancel is published.
   */
  async cancel(reason = 'cancelled by the producer'): Promise<void> {
    const { redis, keys: k, queue } = this.owner;
    await this.owner.ready();
    const runKey = k.run(this.runId);
    await redis.hset(runKey, 'cancelled', reason);
    const [jobId, status] = await redis.hmget(runKey, 'job', 'status');
    const removed = jobId ? await queue.remove(jobId) : 0;
    if (removed === 1 || status === 'awaiting_approval') {
      // No worker holds it: end it here.
      await finishRun(redis, k, this.runId, { runId: this.runId, state: 'cancelled', reason, attempt: 0 }, 10_000, this.owner.retentionSeconds());
    }
    await redis.publish(k.cancelChannel, this.runId);
  }

  /** Answers a run paused on approvals (decision per call id); any worker resumes it. */
  async approve(decisions: Record<string, boolean>): Promise<void> {
    const { redis, keys: k, queue } = this.owner;
    await this.owner.ready();
    const runKey = k.run(this.runId);
    const [paused, agent, resumes] = await redis.hmget(runKey, 'paused', 'agent', 'resumes');
    if (!paused || !agent) throw new RunNotFoundError(`Run ${this.runId} is not waiting for an approval.`);
    const jobId = `${this.runId}-r${Number(resumes ?? 0) + 1}`;
    // Whoever clears `paused` first answers; a second approve() of the same pause is refused.
    const cleared = await redis.hdel(runKey, 'paused');
    if (cleared === 0) throw new RunNotFoundError(`Run ${this.runId}'s approval was already answered.`);
    await redis.multi().hincrby(runKey, 'resumes', 1).hset(runKey, 'job', jobId, 'status', 'queued').exec();
    const data: RunJobData = { runId: this.runId, agent, decisions };
    const retention = this.owner.retentionSeconds();
    await queue.add(agent, data, { jobId, removeOnComplete: { age: retention }, removeOnFail: { age: retention } });
  }
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function settle(outcome: QueuedRunOutcome): QueuedRunOutcome {
  if (outcome.state === 'cancelled') throw new AgentAbortError(`Run ${outcome.runId} was cancelled: ${outcome.reason}`, { reason: outcome.reason });
  if (outcome.state === 'failed') {
    throw new RunFailedError(`Run ${outcome.runId} failed: ${outcome.error.name}: ${outcome.error.message}`, { runId: outcome.runId, errorName: outcome.error.name });
  }
  return outcome;
}
