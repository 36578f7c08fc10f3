// The server's runs: each one's events in a bounded buffer (so a client that reconnects with
// Last-Event-ID misses nothing), its status and result, and the limits on how many run at once.
import type { AgentEvent, AgentRun, RunSnapshot } from '@smol/core';
import { errorJSON, errorStatus, eventSSE, resultJSON, type AbortCause } from './wire.js';

export type RunStatus = 'running' | 'success' | 'max_steps_error' | 'awaiting_approval' | 'failed' | 'cancelled';

export interface BufferedEvent {
  id: number;
  event: string;
  /** JSON text. */
  data: string;
}

export interface RunLimits {
  maxEventsPerRun: number;
  runTimeoutMs: number;
  keepFinishedRunsMs: number;
  maxFinishedRuns: number;
}

/** One run as the server knows it; it outlives the AgentRun (and a resumed run continues it). */
export class RunRecord {
  status: RunStatus = 'running';
  /** The JSON of the result or the error, once the run ended (or paused). */
  outcome?: { status: number; body: Record<string, unknown> };
  /** Set while paused on approvals: what agent.resume() takes. */
  snapshot?: RunSnapshot;
  abortCause?: AbortCause;
  endedAt?: number;
  run?: AgentRun;
  /** Removes the record once it has been kept long enough. */
  expiry?: ReturnType<typeof setTimeout>;
  readonly createdAt = Date.now();
  #events: BufferedEvent[] = [];
  #nextId = 1;
  #waiters = new Set<() => void>();
  #settled!: () => void;
  /** Resolves when the current segment of the run ends (finished, failed or paused). */
  settled: Promise<void>;

  constructor(
    readonly id: string,
    readonly agent: string,
    readonly task: string,
    private readonly maxEvents: number,
  ) {
    this.settled = new Promise((resolve) => (this.#settled = resolve));
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** Id of the last event so far (0 before the first). */
  get lastEventId(): number {
    return this.#nextId - 1;
  }

  push(event: string, data: unknown): void {
    this.#events.push({ id: this.#nextId++, event, data: JSON.stringify(data) });
    // Bounded: the oldest events go first. A client that asks for them is told about the gap.
    if (this.#events.length > this.maxEvents) this.#events.splice(0, this.#events.length - this.maxEvents);
    this.#wake();
  }

  /** Events after `lastId`; `missed` counts the ones that were dropped from the buffer. */
  since(lastId: number): { events: BufferedEvent[]; missed: number } {
    const first = this.#events[0]?.id ?? this.#nextId;
    const missed = Math.max(0, first - lastId - 1);
    const start = Math.max(0, lastId + 1 - first);
    return { events: start >= this.#events.length ? [] : this.#events.slice(start), missed };
  }

  /** Resolves on the next event or status change, or after `ms`, or when `signal` aborts. */
  changed(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Starts a new segment (a resumed run). */
  reopen(): void {
    this.status = 'running';
    this.outcome = undefined;
    this.snapshot = undefined;
    this.abortCause = undefined;
    this.endedAt = undefined;
    clearTimeout(this.expiry);
    this.settled = new Promise((resolve) => (this.#settled = resolve));
  }

  end(status: RunStatus, outcome: { status: number; body: Record<string, unknown> }): void {
    this.status = status;
    this.outcome = outcome;
    this.endedAt = Date.now();
    this.run = undefined;
    this.#settled();
    this.#wake();
  }

  /** Status for GET /api/runs/{id}. */
  toJSON(): Record<string, unknown> {
    return {
      runId: this.id,
      agent: this.agent,
      task: this.task,
      status: this.status,
      lastEventId: this.lastEventId,
      createdAt: new Date(this.createdAt).toISOString(),
      ...(this.outcome ? { result: this.outcome.body } : {}),
    };
  }
}

/** A second consumer of a run's raw events (the AI SDK UI stream), fed as the registry drives the run. */
export interface RunTap {
  push(event: AgentEvent): void;
  end(): void;
  fail(error: unknown): void;
}

/** Every run the server knows, and the count of those running (the concurrency limit). */
export class RunRegistry {
  readonly #runs = new Map<string, RunRecord>();
  #active = 0;
  #idle = new Set<() => void>();

  constructor(private readonly limits: RunLimits) {}

  get active(): number {
    return this.#active;
  }

  get(id: string): RunRecord | undefined {
    return this.#runs.get(id);
  }

  all(): IterableIterator<RunRecord> {
    return this.#runs.values();
  }

  create(id: string, agent: string, task: string): RunRecord {
    const record = new RunRecord(id, agent, task, this.limits.maxEventsPerRun);
    this.#runs.set(id, record);
    return record;
  }

  /**
   * Drives the run to its end (or pause), filling the record's buffer. The server is the one
   * consumer of the run's events; clients follow the buffer at their own pace, so a slow client
   * holds back nobody.
   */
  drive(record: RunRecord, run: AgentRun, tap?: RunTap): void {
    this.#active++;
    record.run = run;
    const timer = setTimeout(() => this.abort(record, 'timeout', `it ran longer than its time limit (${this.limits.runTimeoutMs} ms)`), this.limits.runTimeoutMs);
    void (async () => {
      try {
        for await (const event of run) {
          const sse = eventSSE(event);
          if (sse) record.push(sse.event, sse.data);
          tap?.push(event);
        }
        const result = await run.result;
        const body = resultJSON(result, record.agent);
        if (result.state === 'awaiting_approval') record.snapshot = result.snapshot;
        record.push('done', body);
        record.end(result.state, { status: 200, body });
        tap?.end();
      } catch (error) {
        tap?.fail(error);
        const cause = record.abortCause;
        const body = errorJSON(error, cause);
        record.push('run_error', body);
        record.end(cause === 'cancelled' || cause === 'disconnected' || cause === 'shutdown' ? 'cancelled' : 'failed', { status: errorStatus(error, cause), body });
      } finally {
        clearTimeout(timer);
        this.#active--;
        this.#retain(record);
        if (this.#active === 0) for (const w of [...this.#idle]) w();
      }
    })();
  }

  /** Aborts a running run, remembering why (cancelled, client gone, time limit, shutdown). */
  abort(record: RunRecord, cause: AbortCause, reason: string): boolean {
    if (!record.run) return false;
    record.abortCause ??= cause;
    record.run.interrupt(reason);
    return true;
  }

  /** Resolves when no run is active, or after `ms`; true when idle. */
  async idle(ms: number): Promise<boolean> {
    if (this.#active === 0) return true;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#idle.delete(done);
        resolve(this.#active === 0);
      };
      const timer = setTimeout(done, ms);
      this.#idle.add(done);
    });
  }

  /** Finished runs stay for a while (results, late followers, approvals), then go; never more than the cap. */
  #retain(record: RunRecord): void {
    const ttl = record.status === 'awaiting_approval' ? Math.max(this.limits.keepFinishedRunsMs, 3_600_000) : this.limits.keepFinishedRunsMs;
    clearTimeout(record.expiry);
    record.expiry = setTimeout(() => {
      if (!record.running) this.#runs.delete(record.id);
    }, ttl);
    record.expiry.unref();
    let finished = 0;
    for (const r of this.#runs.values()) if (!r.running) finished++;
    for (const r of this.#runs.values()) {
      if (finished <= this.limits.maxFinishedRuns) break;
      if (!r.running) {
        // Its expiry timer would keep it (and its events) in memory until the TTL: cleared with it.
        clearTimeout(r.expiry);
        this.#runs.delete(r.id);
        finished--;
      }
    }
  }
}
