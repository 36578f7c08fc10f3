// The boundary between CodeAgent and whatever runs model-written JavaScript.
// Values crossing it are JSON-safe data; the executor never hands host objects to the code.

export interface CodeLimits {
  /** Wall time per execution. Default 30 000 ms. */
  timeoutMs: number;
  /** Memory for one session's heap. Default 64 MiB. */
  memoryBytes: number;
  /** Guest stack size. Default 256 KiB. */
  stackBytes: number;
  /** Logs + output kept per execution, in characters; the rest is cut with a note. Default 20 000. */
  maxOutputChars: number;
  /** Tool calls per execution. Default 100. */
  maxToolCalls: number;
}

export const DEFAULT_CODE_LIMITS: CodeLimits = Object.freeze({
  timeoutMs: 30_000,
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 256 * 1024,
  maxOutputChars: 20_000,
  maxToolCalls: 100,
});

/** Called when the code calls a tool (or managed agent): `await name({ ...args })`. */
export type HostToolCall = (name: string, args: unknown, signal: AbortSignal) => Promise<unknown>;

export interface CodeSessionOptions {
  /** Names exposed to the code as async functions taking one object argument. `final_answer` is always present. */
  toolNames: readonly string[];
  callTool: HostToolCall;
  /** Variables defined before the first execution (additionalArgs). JSON-safe. */
  variables?: Record<string, unknown>;
  limits?: Partial<CodeLimits>;
}

export interface CodeExecutionError {
  /** e.g. "TypeError", "InternalError", "TimeoutError", "MemoryLimitError", "ToolCallLimitError". */
  name: string;
  message: string;
  /** 1-based line in the executed snippet, when known. */
  line?: number;
  /** The source line that failed, when known. */
  source?: string;
}

export interface CodeExecutionResult {
  /** The value of the last expression, or the final answer. JSON-safe. */
  output: unknown;
  /** Captured console output (truncated to maxOutputChars). Kept when the code fails. */
  logs: string;
  /** true when the code called final_answer(value); `output` is that value. */
  isFinalAnswer: boolean;
  error?: CodeExecutionError;
}

/** One run's context: state persists across executions, until dispose(). */
export interface CodeSession {
  execute(code: string, options?: { signal?: AbortSignal }): Promise<CodeExecutionResult>;
  dispose(): Promise<void>;
}

export interface CodeExecutor {
  createSession(options: CodeSessionOptions): Promise<CodeSession>;
  /** Release shared resources (worker pool, WASM module). */
  close?(): Promise<void>;
}
