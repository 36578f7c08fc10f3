// Messages between the host (main thread) and an engine (a worker, or in-process for tests).
// Everything here crosses postMessage, so it is plain data; guest values travel as JSON text.
import type { CodeExecutionError, CodeLimits } from '@smol/core';

export type ToEngine =
  | { type: 'open'; sid: number; slot: number; toolNames: string[]; variablesJson: string; limits: CodeLimits }
  | { type: 'exec'; sid: number; eid: number; code: string }
  | { type: 'toolResult'; sid: number; eid: number; callId: number; json?: string; error?: ErrorInfo }
  | { type: 'abort'; sid: number; eid: number }
  | { type: 'close'; sid: number }
  | { type: 'stats'; id: number }
  /** Test hook: the engine spins forever, like a worker stuck past its deadline. */
  | { type: 'hang' };

export type FromEngine =
  | { type: 'ready' }
  | { type: 'opened'; sid: number; error?: ErrorInfo }
  | { type: 'tool'; sid: number; eid: number; callId: number; name: string; argsJson: string }
  | { type: 'done'; sid: number; eid: number; result: WireResult }
  /** heapUsedBytes: the engine thread's V8 heap after the close, for the host's recycling. */
  | { type: 'closed'; sid: number; heapUsedBytes: number }
  | { type: 'stats'; id: number; stats: EngineStats }
  | { type: 'fatal'; message: string }
  /** The engine holds too many quarantined runtimes: place no new sessions on it. */
  | { type: 'retire' };

export interface ErrorInfo {
  name: string;
  message: string;
}

/** A CodeExecutionResult with the output still as JSON text (undefined output: no text). */
export interface WireResult {
  outputJson?: string;
  logs: string;
  isFinalAnswer: boolean;
  error?: CodeExecutionError;
}

export interface EngineStats {
  /** QuickJS contexts alive in this engine (one per open session, none after dispose). */
  liveContexts: number;
  sessions: number;
  /** Runtimes kept instead of freed after an interrupt, until the engine is retired. */
  quarantinedRuntimes: number;
  /** Bytes of the engine's WebAssembly memory (it only grows). */
  wasmMemoryBytes: number;
  /** V8 heap in use on the engine's thread (garbage not yet collected included). */
  heapUsedBytes: number;
}

// Layout of the SharedArrayBuffer each engine shares with its host. The host writes an
// execution id into its session's abort slot; the engine's interrupt handler reads it, which
// works while the worker's event loop is blocked inside QuickJS.
export const BUSY_INDEX = 0; // Float64 at byte 0: deadline (ms epoch) of the slice running now, 0 when idle
export const FLAGS_BYTE_OFFSET = 8; // Int32 abort slots from here on

export function sharedSize(slots: number): number {
  return FLAGS_BYTE_OFFSET + 4 * slots;
}

export interface EngineInit {
  shared: SharedArrayBuffer;
  slots: number;
  /** Maximum of the engine's fixed WebAssembly.Memory: the hard bound for all its sessions. */
  wasmMemoryBytes: number;
}
