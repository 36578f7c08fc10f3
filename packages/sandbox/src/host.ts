// The host's end of one engine: a worker thread, or an engine on this thread.
// It routes messages to sessions, keeps a worker referenced only while something waits on
// it, and replaces nothing itself: when the engine dies it tells its sessions, and the
// executor's pool starts a new one for the next session.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { CodeLimits } from '@smol/core';
import { SandboxError } from './errors.ts';
import { Engine } from './engine.ts';
import {
  BUSY_INDEX,
  FLAGS_BYTE_OFFSET,
  sharedSize,
  type EngineInit,
  type EngineStats,
  type FromEngine,
  type ToEngine,
  type WireResult,
} from './protocol.ts';

export interface Channel {
  post(msg: ToEngine): void;
  /** A worker must keep the process alive only while the host waits on it. */
  setActive(active: boolean): void;
  terminate(): void;
}

type ChannelFactory = (init: EngineInit, onMessage: (msg: FromEngine) => void, onExit: (reason: string) => void) => Channel;

/** When the pool replaces an engine that works fine, so that a long-running process keeps a bounded footprint. */
export interface RecyclePolicy {
  /** Retire the engine once it has opened this many sessions. */
  afterSessions: number;
  /** Retire the engine when its thread's V8 heap, read as a session closes, is above this. */
  heapBytes: number;
  /** Called once when the engine is retired (recycled or quarantine-full). */
  onRetire(): void;
}

/** What a host needs from a session that lives on it. */
export interface SessionLink {
  onTool(msg: Extract<FromEngine, { type: 'tool' }>): void;
  onDone(eid: number, result: WireResult): void;
  onLost(reason: string): void;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const EMPTY_STATS: EngineStats = { liveContexts: 0, sessions: 0, quarantinedRuntimes: 0, wasmMemoryBytes: 0, heapUsedBytes: 0 };

const RETIRED = 'The sandbox engine was retired.';

// Execution ids are unique per process, so a stale abort flag never matches a new execution.
let lastEid = 0;

export class EngineHost {
  readonly flags: Int32Array;
  private readonly busy: Float64Array;
  private readonly channel: Channel;
  private readonly sessions = new Map<number, SessionLink>();
  private readonly freeSlots: number[] = [];
  private readonly waiters = new Map<string, Waiter>();
  private backlog: ToEngine[] | undefined = [];
  private active = 0;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private nextSid = 0;
  private nextRequest = 0;
  private opened = 0;
  dead: string | undefined;
  /**
   * Retiring: no new sessions; the engine ends when its last session closes, so a retirement
   * never interrupts an execution. Set when the engine holds too many quarantined runtimes,
   * or by the recycle policy.
   */
  retiring = false;

  constructor(
    factory: ChannelFactory,
    readonly slots: number,
    wasmMemoryBytes: number,
    private readonly stuckGraceMs: number | undefined,
    private readonly recycle?: RecyclePolicy,
  ) {
    const shared = new SharedArrayBuffer(sharedSize(slots));
    this.busy = new Float64Array(shared, 0, 1);
    this.flags = new Int32Array(shared, FLAGS_BYTE_OFFSET, slots);
    for (let i = slots - 1; i >= 0; i--) this.freeSlots.push(i);
    this.channel = factory(
      { shared, slots, wasmMemoryBytes },
      (msg) => this.onMessage(msg),
      (reason) => this.fail(reason),
    );
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** A QuickJS slice is running in the engine right now. */
  get busyNow(): boolean {
    return this.busy[BUSY_INDEX] !== 0;
  }

  get hasRoom(): boolean {
    return !this.dead && !this.retiring && this.freeSlots.length > 0;
  }

  newEid(): number {
    lastEid = lastEid >= 0x7fffffff ? 1 : lastEid + 1;
    return lastEid;
  }

  post(msg: ToEngine): void {
    if (this.dead) return;
    if (this.backlog) this.backlog.push(msg);
    else this.channel.post(msg);
  }

  /** Something now waits on the engine (an open, an execution, …). */
  begin(): void {
    if (this.active++ > 0 || this.dead) return;
    this.channel.setActive(true);
    if (this.stuckGraceMs !== undefined) {
      const every = Math.max(20, Math.min(250, this.stuckGraceMs / 2));
      this.watchdog = setInterval(() => this.checkStuck(), every);
      this.watchdog.unref();
    }
  }

  end(): void {
    if (this.active === 0 || --this.active > 0) return;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    if (!this.dead) this.channel.setActive(false);
  }

  async open(link: SessionLink, toolNames: string[], variablesJson: string, limits: CodeLimits): Promise<{ sid: number; slot: number }> {
    const slot = this.freeSlots.pop();
    if (this.dead || slot === undefined) throw new SandboxError(this.dead ?? 'No free session slot on this sandbox engine.');
    const sid = ++this.nextSid;
    Atomics.store(this.flags, slot, 0);
    this.sessions.set(sid, link);
    // Counted at the open, so the pool places no session beyond the limit here.
    if (this.recycle && ++this.opened >= this.recycle.afterSessions) this.retire();
    try {
      await this.request(`open:${sid}`, { type: 'open', sid, slot, toolNames, variablesJson, limits });
    } catch (error) {
      this.sessions.delete(sid);
      if (!this.dead) this.freeSlots.push(slot);
      throw error;
    }
    return { sid, slot };
  }

  async close(sid: number, slot: number): Promise<void> {
    if (!this.sessions.delete(sid) || this.dead) return;
    // The slot is free at once: the engine handles messages in order, so it closes this
    // session before it opens another one in the same slot.
    this.freeSlots.push(slot);
    if (this.retiring && this.sessions.size === 0) return this.kill(RETIRED);
    await this.request(`close:${sid}`, { type: 'close', sid }).catch(() => undefined);
  }

  /** No new sessions here; end once the last one has closed (at once when there is none). */
  private retire(): void {
    if (this.retiring || this.dead) return;
    this.retiring = true;
    this.recycle?.onRetire();
    if (this.sessions.size === 0) this.kill(RETIRED);
  }

  async stats(): Promise<EngineStats> {
    if (this.dead) return EMPTY_STATS;
    const id = ++this.nextRequest;
    return (await this.request(`stats:${id}`, { type: 'stats', id })) as EngineStats;
  }

  /** Ends the engine: its sessions are told they lost their state. */
  kill(reason: string): void {
    if (this.dead) return;
    this.channel.terminate();
    this.fail(reason);
  }

  /** Test hook: make the engine spin like a worker stuck in native code. */
  hang(): void {
    this.post({ type: 'hang' });
  }

  private request(key: string, msg: ToEngine): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiters.set(key, { resolve, reject });
      this.begin();
      this.post(msg);
    });
  }

  private answer(key: string, value: unknown, error?: Error): void {
    const waiter = this.waiters.get(key);
    if (!waiter) return;
    this.waiters.delete(key);
    this.end();
    if (error) waiter.reject(error);
    else waiter.resolve(value);
  }

  private onMessage(msg: FromEngine): void {
    switch (msg.type) {
      case 'ready': {
        const backlog = this.backlog ?? [];
        this.backlog = undefined;
        for (const m of backlog) this.channel.post(m);
        return;
      }
      case 'opened':
        return this.answer(`open:${msg.sid}`, undefined, msg.error && new SandboxError(msg.error.message));
      case 'closed':
        // Between sessions: the only moment the heap is checked, so no execution is cut short.
        if (this.recycle && msg.heapUsedBytes > this.recycle.heapBytes) this.retire();
        return this.answer(`close:${msg.sid}`, undefined);
      case 'stats':
        return this.answer(`stats:${msg.id}`, msg.stats);
      case 'tool':
        return this.sessions.get(msg.sid)?.onTool(msg);
      case 'done':
        return this.sessions.get(msg.sid)?.onDone(msg.eid, msg.result);
      case 'fatal':
        return this.kill(`The sandbox engine failed (${msg.message}).`);
      case 'retire':
        return this.retire();
    }
  }

  private checkStuck(): void {
    const deadline = this.busy[BUSY_INDEX];
    if (deadline && Date.now() > deadline + this.stuckGraceMs!) {
      this.kill('A sandbox worker was stuck past its deadline and was restarted.');
    }
  }

  private fail(reason: string): void {
    if (this.dead) return;
    this.dead = reason;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.active = 0;
    const error = new SandboxError(reason);
    for (const [key, waiter] of this.waiters) {
      if (key.startsWith('open:')) waiter.reject(error);
      else waiter.resolve(key.startsWith('stats:') ? EMPTY_STATS : undefined);
    }
    this.waiters.clear();
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of sessions) s.onLost(reason);
  }
}

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

let liveWorkers = 0;

/** Worker threads started and not yet exited, in this process (for tests: no leaked workers). */
export function liveWorkerCount(): number {
  return liveWorkers;
}

export function workerChannel(resourceLimits: ResourceLimits): ChannelFactory {
  return (init, onMessage, onExit) => {
    const worker = new Worker(WORKER_URL, { workerData: init, resourceLimits });
    liveWorkers++;
    worker.on('message', onMessage);
    worker.on('error', (error) => onExit(`The sandbox worker failed: ${error.message}`));
    worker.on('exit', (code) => {
      liveWorkers--;
      onExit(`The sandbox worker exited (code ${code}).`);
    });
    worker.unref();
    return {
      post: (msg) => worker.postMessage(msg),
      setActive: (active) => (active ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
    };
  };
}

/** The engine on this thread: QuickJS blocks the event loop while it runs. */
export const inProcessChannel: ChannelFactory = (init, onMessage, onExit) => {
  let engine: Engine | undefined;
  let stopped = false;
  Engine.create(init, (msg) => queueMicrotask(() => !stopped && onMessage(msg))).then(
    (e) => {
      engine = e;
      if (!stopped) onMessage({ type: 'ready' });
    },
    (error: unknown) => onExit(`The sandbox engine could not start: ${String(error)}`),
  );
  return {
    // Asynchronous like a worker, so no engine code runs inside a host callback.
    post: (msg) => queueMicrotask(() => !stopped && engine?.handle(msg)),
    setActive: () => {},
    terminate: () => {
      stopped = true;
      engine = undefined;
    },
  };
};
