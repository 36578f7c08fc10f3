import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import type { CodeExecutor, CodeLimits, CodeSession, CodeSessionOptions } from '@smol/core';
import { EngineHost, inProcessChannel, workerChannel, type RecyclePolicy } from './host.ts';
import { SandboxConfigError, SandboxError } from './errors.ts';
import { checkToolNames, resolveLimits, toJsonText } from './json.ts';
import { QuickJsSession } from './session.ts';

export interface QuickJsExecutorOptions {
  /** Defaults for every session; a session's own `limits` override them. */
  limits?: Partial<CodeLimits>;
  /** Worker threads in the pool. Default: min(2, availableParallelism()). */
  workers?: number;
  /** Sessions one worker (one WASM module) can hold at once. Default 4096. */
  sessionsPerWorker?: number;
  /**
   * Maximum of each worker's WebAssembly memory, shared by its sessions: the hard memory
   * bound (per-session limits are checked inside it). Default 1 GiB, at most 2 GiB.
   */
  workerMemoryBytes?: number;
  /** How long past its deadline a worker may stay busy before it is terminated and replaced. Default 1000 ms. */
  stuckWorkerGraceMs?: number;
  /**
   * V8 limits of each worker thread (Node's `Worker` `resourceLimits`), merged over the defaults
   * (`DEFAULT_WORKER_RESOURCE_LIMITS`). Guest code lives in the WebAssembly memory, which these do
   * not count; they bound the worker's own JavaScript heap.
   */
  resourceLimits?: ResourceLimits;
  /**
   * Replace a worker after it has hosted this many sessions. The worker takes no new sessions
   * and ends once its open ones are disposed, so no execution is interrupted. Default 2000;
   * `Infinity` turns it off.
   */
  recycleAfterSessions?: number;
  /**
   * Replace a worker whose V8 heap (read as each session closes, so only between sessions) is
   * above this many bytes, the same way. Default 96 MiB; `Infinity` turns it off. Keep it below
   * `resourceLimits.maxOldGenerationSizeMb`, or the worker may run out of heap first.
   */
  recycleHeapBytes?: number;
}

/** The workers' default V8 limits. The old generation stays well above `recycleHeapBytes`' default. */
export const DEFAULT_WORKER_RESOURCE_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  maxOldGenerationSizeMb: 192,
  maxYoungGenerationSizeMb: 16,
  stackSizeMb: 4,
});
const DEFAULT_RECYCLE_AFTER_SESSIONS = 2000;
const DEFAULT_RECYCLE_HEAP_BYTES = 96 * 1024 * 1024;

export interface QuickJsExecutorStats {
  /** Live engines (workers, or 1 in process). */
  engines: number;
  /** Open sessions, as the host counts them. */
  sessions: number;
  /** QuickJS contexts alive in the engines, as they count them. */
  liveContexts: number;
  /** Runtimes kept after an interrupt instead of freed (reclaimed when their engine retires). */
  quarantinedRuntimes: number;
  /** Sum of the engines' WebAssembly memory sizes. */
  wasmMemoryBytes: number;
  /** Sum of the engines' V8 heaps in use (for InProcessQuickJsExecutor: the calling thread's). */
  heapUsedBytes: number;
  /** Engines retired since the executor was created (recycled, or holding too many quarantined runtimes). */
  retiredEngines: number;
}

const DEFAULT_SESSIONS_PER_WORKER = 4096;
const MAX_WASM_MEMORY = 2 * 1024 * 1024 * 1024;
const DEFAULT_WASM_MEMORY = 1024 * 1024 * 1024;

abstract class PoolExecutor implements CodeExecutor {
  protected hosts: EngineHost[] = [];
  protected readonly limits: Partial<CodeLimits> | undefined;
  protected readonly sessionsPerWorker: number;
  protected readonly wasmMemoryBytes: number;
  protected readonly recycle: RecyclePolicy;
  private retired = 0;
  private closed = false;

  constructor(options: QuickJsExecutorOptions, protected readonly size: number) {
    this.limits = options.limits;
    resolveLimits(options.limits); // fail fast on bad limits
    this.sessionsPerWorker = Math.max(1, Math.floor(options.sessionsPerWorker ?? DEFAULT_SESSIONS_PER_WORKER));
    this.wasmMemoryBytes = Math.min(MAX_WASM_MEMORY, options.workerMemoryBytes ?? DEFAULT_WASM_MEMORY);
    this.recycle = {
      afterSessions: positive(options.recycleAfterSessions ?? DEFAULT_RECYCLE_AFTER_SESSIONS, 'recycleAfterSessions'),
      heapBytes: positive(options.recycleHeapBytes ?? DEFAULT_RECYCLE_HEAP_BYTES, 'recycleHeapBytes'),
      onRetire: () => void this.retired++,
    };
  }

  protected abstract spawn(): EngineHost;

  async createSession(options: CodeSessionOptions): Promise<CodeSession> {
    if (this.closed) throw new SandboxError('This executor is closed.');
    const toolNames = checkToolNames(options.toolNames);
    const limits = resolveLimits(this.limits, options.limits);
    const variables = options.variables ?? {};
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
      throw new SandboxConfigError('variables must be an object of JSON data');
    }
    let variablesJson: string;
    try {
      variablesJson = toJsonText(variables, 'variables') ?? '{}';
    } catch (error) {
      throw new SandboxConfigError((error as Error).message, { cause: error });
    }
    const session = new QuickJsSession(() => this.pick(), options, toolNames, variablesJson, limits);
    await session.attach();
    return session;
  }

  async stats(): Promise<QuickJsExecutorStats> {
    const live = this.hosts.filter((h) => !h.dead);
    const all = await Promise.all(live.map((h) => h.stats()));
    return {
      engines: live.length,
      sessions: live.reduce((n, h) => n + h.sessionCount, 0),
      liveContexts: all.reduce((n, s) => n + s.liveContexts, 0),
      quarantinedRuntimes: all.reduce((n, s) => n + s.quarantinedRuntimes, 0),
      wasmMemoryBytes: all.reduce((n, s) => n + s.wasmMemoryBytes, 0),
      heapUsedBytes: all.reduce((n, s) => n + s.heapUsedBytes, 0),
      retiredEngines: this.retired,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const hosts = this.hosts;
    this.hosts = [];
    for (const h of hosts) h.kill('The sandbox executor was closed.');
  }

  /** The engine with the fewest sessions; dead engines are replaced here, lazily. */
  private pick(): EngineHost {
    if (this.closed) throw new SandboxError('This executor is closed.');
    this.hosts = this.hosts.filter((h) => !h.dead);
    // Retiring engines keep their sessions but do not count toward the pool's size.
    let active = this.hosts.filter((h) => !h.retiring).length;
    for (; active < this.size; active++) this.hosts.push(this.spawn());
    // Fewest sessions, preferring an engine that is not inside a slice right now (its open
    // would wait for that slice to end).
    const load = (h: EngineHost) => h.sessionCount + (h.busyNow ? this.sessionsPerWorker : 0);
    let best: EngineHost | undefined;
    for (const h of this.hosts) if (h.hasRoom && (!best || load(h) < load(best))) best = h;
    if (!best) {
      throw new SandboxError(`The sandbox pool is full (${this.size} x ${this.sessionsPerWorker} sessions); dispose sessions or raise workers/sessionsPerWorker.`);
    }
    return best;
  }
}

/** Keys the test hook on QuickJsExecutor; index.ts does not export it, so it stays off the public API. */
export const hangWorkerForTest = Symbol('smol.sandbox.hangWorkerForTest');

/** Runs each session's QuickJS context in a pool of worker threads. */
export class QuickJsExecutor extends PoolExecutor {
  private readonly graceMs: number;
  private readonly channel: ReturnType<typeof workerChannel>;

  constructor(options: QuickJsExecutorOptions = {}) {
    super(options, Math.max(1, Math.floor(options.workers ?? Math.min(2, availableParallelism()))));
    this.graceMs = options.stuckWorkerGraceMs ?? 1000;
    this.channel = workerChannel({ ...DEFAULT_WORKER_RESOURCE_LIMITS, ...options.resourceLimits });
  }

  protected spawn(): EngineHost {
    return new EngineHost(this.channel, this.sessionsPerWorker, this.wasmMemoryBytes, this.graceMs, this.recycle);
  }

  override async close(): Promise<void> {
    const g = globalThis as Record<symbol, unknown>;
    if (g[DEFAULT_KEY] === this) delete g[DEFAULT_KEY];
    await super.close();
  }

  /** Test hook, not exported from the package: make one worker spin like one stuck in native code. */
  [hangWorkerForTest](index = 0): void {
    this.hosts[index]?.hang();
  }
}

/**
 * Runs QuickJS on the calling thread: no workers, so a long snippet blocks the event loop
 * until its deadline. For tests and for environments without worker_threads.
 */
export class InProcessQuickJsExecutor extends PoolExecutor {
  constructor(options: Omit<QuickJsExecutorOptions, 'workers' | 'stuckWorkerGraceMs' | 'resourceLimits' | 'recycleHeapBytes'> = {}) {
    super(options, 1);
  }

  protected spawn(): EngineHost {
    // The heap here is the caller's own: only the session count recycles the engine (its WASM memory).
    const recycle = { ...this.recycle, heapBytes: Infinity };
    return new EngineHost(inProcessChannel, this.sessionsPerWorker, this.wasmMemoryBytes, undefined, recycle);
  }
}

// On globalThis under a registered symbol, so two copies of this package share one pool.
const DEFAULT_KEY = Symbol.for('smol.sandbox.defaultExecutor');

/** The process-wide executor with default options, created on first use. Its workers never keep the process alive. */
export function getDefaultExecutor(): QuickJsExecutor {
  const g = globalThis as Record<symbol, unknown>;
  let executor = g[DEFAULT_KEY] as QuickJsExecutor | undefined;
  if (!executor) {
    executor = new QuickJsExecutor();
    g[DEFAULT_KEY] = executor;
  }
  return executor;
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new SandboxConfigError(`${name} must be a number > 0 (Infinity turns it off)`);
  return value;
}
