// One QuickJS WebAssembly module and the sessions (contexts) living in it. It runs inside a
// worker thread (worker.ts), or on the calling thread for InProcessQuickJsExecutor. It speaks
// only in messages, so both cases share every line of the sandbox logic.
import { getHeapStatistics } from 'node:v8';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import { GuestSession } from './guest-session.ts';
import { BUSY_INDEX, FLAGS_BYTE_OFFSET, type EngineInit, type FromEngine, type ToEngine } from './protocol.ts';

const PAGE = 64 * 1024;
const MIN_PAGES = 256; // the module declares 16 MiB as its initial memory
const MAX_PAGES = 32768; // and 2 GiB as its maximum
// Quarantined runtimes (see GuestSession.disposeContext) an engine may hold before it asks to
// be retired: the host then places no new sessions here and ends it once its sessions are gone.
const RETIRE_AFTER = 32;

export class Engine {
  readonly flags: Int32Array;
  readonly busy: Float64Array;
  readonly module: QuickJSWASMModule;
  readonly memory: WebAssembly.Memory;
  readonly post: (msg: FromEngine) => void;
  private readonly sessions = new Map<number, GuestSession>();
  private readonly quarantined: QuickJSRuntime[] = [];
  private broken = false;

  private constructor(module: QuickJSWASMModule, memory: WebAssembly.Memory, init: EngineInit, post: (msg: FromEngine) => void) {
    this.module = module;
    this.memory = memory;
    this.post = post;
    this.busy = new Float64Array(init.shared, 0, 1);
    this.flags = new Int32Array(init.shared, FLAGS_BYTE_OFFSET, init.slots);
  }

  static async create(init: EngineInit, post: (msg: FromEngine) => void): Promise<Engine> {
    // setMemoryLimit on a QuickJS runtime does not bound the total in this build (emscripten's
    // malloc_usable_size is 0, so QuickJS undercounts); a fixed WebAssembly.Memory does.
    const pages = Math.min(MAX_PAGES, Math.max(MIN_PAGES, Math.floor(init.wasmMemoryBytes / PAGE)));
    const memory = new WebAssembly.Memory({ initial: MIN_PAGES, maximum: pages });
    const silent = () => {};
    const module = await newQuickJSWASMModuleFromVariant(
      newVariant(RELEASE_SYNC, { wasmMemory: memory, emscriptenModule: { print: silent, printErr: silent } as object }),
    );
    const engine = new Engine(module, memory, init, post);
    // Emscripten's malloc grows this memory through memory.grow(). Refusing a growth makes
    // malloc fail, which QuickJS turns into a clean "out of memory" in the guest: this is
    // where a session's allocation in one slice is bounded, at the moment it happens.
    const grow = memory.grow.bind(memory);
    memory.grow = (pages: number) => {
      const session = engine.current;
      if (session && !session.allowGrowth(pages * PAGE)) throw new RangeError('sandbox memory limit');
      try {
        return grow(pages);
      } catch (error) {
        session?.outOfMemory(); // the module's maximum is reached
        throw error;
      }
    };
    return engine;
  }

  /** The session running a QuickJS slice right now, if any. */
  current: GuestSession | undefined;

  /** Keeps a runtime that may hold leaked objects alive instead of freeing it. */
  quarantine(rt: QuickJSRuntime): void {
    this.quarantined.push(rt);
    if (this.quarantined.length === RETIRE_AFTER) this.post({ type: 'retire' });
  }

  /** Wall-clock deadline of the QuickJS slice running now, for the host's stuck-worker watchdog. */
  markBusy(deadline: number): void {
    this.busy[BUSY_INDEX] = deadline;
  }

  handle(msg: ToEngine): void {
    if (this.broken) return;
    try {
      this.dispatch(msg);
    } catch (error) {
      // Anything escaping the session code means the WASM module itself failed (an abort,
      // "memory access out of bounds", …). Its memory can no longer be trusted: report and
      // stop; the host replaces this engine and fails only the sessions that lived here.
      this.broken = true;
      this.markBusy(0);
      this.post({ type: 'fatal', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }

  private dispatch(msg: ToEngine): void {
    switch (msg.type) {
      case 'open': {
        const session = new GuestSession(this, msg.sid, msg.slot, msg.toolNames, msg.variablesJson, msg.limits);
        try {
          session.open();
        } catch (error) {
          this.post({ type: 'opened', sid: msg.sid, error: { name: 'SandboxError', message: describe(error) } });
          return;
        }
        this.sessions.set(msg.sid, session);
        this.post({ type: 'opened', sid: msg.sid });
        return;
      }
      case 'exec': {
        const session = this.sessions.get(msg.sid);
        if (session) session.execute(msg.eid, msg.code);
        else this.post({ type: 'done', sid: msg.sid, eid: msg.eid, result: closedResult() });
        return;
      }
      case 'toolResult':
        this.sessions.get(msg.sid)?.toolResult(msg.eid, msg.callId, msg.json, msg.error);
        return;
      case 'abort':
        this.sessions.get(msg.sid)?.abort(msg.eid);
        return;
      case 'close': {
        const session = this.sessions.get(msg.sid);
        this.sessions.delete(msg.sid);
        session?.close();
        this.post({ type: 'closed', sid: msg.sid, heapUsedBytes: getHeapStatistics().used_heap_size });
        return;
      }
      case 'stats': {
        let liveContexts = 0;
        for (const s of this.sessions.values()) if (s.hasContext) liveContexts++;
        const stats = {
          liveContexts,
          sessions: this.sessions.size,
          quarantinedRuntimes: this.quarantined.length,
          wasmMemoryBytes: this.memory.buffer.byteLength,
          heapUsedBytes: getHeapStatistics().used_heap_size,
        };
        this.post({ type: 'stats', id: msg.id, stats });
        return;
      }
      case 'hang': {
        // Test hook: behave like a worker stuck in native code past its deadline.
        this.markBusy(Date.now());
        for (;;) {
          /* spin until the host terminates this worker */
        }
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function closedResult() {
  return {
    logs: '',
    isFinalAnswer: false,
    error: { name: 'SandboxError', message: 'This sandbox session is closed.' },
  };
}
