import type { RunSnapshot } from './runner/run-context.js';

// Every error carries a Symbol.for marker, so `isInstance` works even when two copies of
// @smol/core end up in one process (instanceof would not).
const AGENT_ERROR = Symbol.for('smol.error');

function hasMarker(value: unknown, kind: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const kinds = (value as Record<symbol, unknown>)[AGENT_ERROR];
  return Array.isArray(kinds) && kinds.includes(kind);
}

export class AgentError extends Error {
  static readonly kind: string = 'AgentError';
  readonly [AGENT_ERROR]: string[];
  /** When this error ended a run: the step it failed in (the run's memory keeps every finished step). */
  stepNumber?: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    // The chain of kinds from this class up to AgentError, for isInstance across copies.
    const kinds: string[] = [];
    for (let c = new.target as unknown as { kind?: string } | null; c && c.kind; c = Object.getPrototypeOf(c)) {
      if (!kinds.includes(c.kind)) kinds.push(c.kind);
    }
    this[AGENT_ERROR] = kinds;
  }

  static isInstance<T extends abstract new (...args: any[]) => AgentError>(this: T & { readonly kind: string }, value: unknown): value is InstanceType<T> {
    return hasMarker(value, this.kind);
  }

  toJSON(): { name: string; message: string } {
    return { name: this.name, message: this.message };
  }
}

/** The model's output could not be parsed (bad tool-call JSON, no code block, …). */
export class AgentParsingError extends AgentError {
  static override readonly kind: string = 'AgentParsingError';
}

/** Something went wrong while executing the model's action. */
export class AgentExecutionError extends AgentError {
  static override readonly kind: string = 'AgentExecutionError';
}

/** The model called a tool wrongly: unknown name or invalid arguments. */
export class AgentToolCallError extends AgentExecutionError {
  static override readonly kind: string = 'AgentToolCallError';
}

/** A tool threw while running. */
export class AgentToolExecutionError extends AgentExecutionError {
  static override readonly kind: string = 'AgentToolExecutionError';
}

/** The run used all its steps. */
export class AgentMaxStepsError extends AgentError {
  static override readonly kind: string = 'AgentMaxStepsError';
}

/**
 * The model call failed (after retries). This one ends the run. When a provider answered,
 * its status, retryability and name are here too (copied from the ModelError cause).
 */
export class AgentGenerationError extends AgentError {
  static override readonly kind: string = 'AgentGenerationError';
  readonly status?: number;
  readonly retryable: boolean;
  readonly provider?: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const cause = options?.cause;
    const model = ModelError.isInstance(cause) ? cause : undefined;
    this.status = model?.status;
    this.retryable = model?.retryable ?? false;
    this.provider = model?.provider;
  }
}

/** The run was aborted through its signal or interrupted. `reason` is the abort reason. */
export class AgentAbortError extends AgentError {
  static override readonly kind: string = 'AgentAbortError';
  readonly reason: unknown;
  constructor(message: string, options?: { cause?: unknown; reason?: unknown }) {
    super(message, options);
    this.reason = options?.reason;
  }
}

/** Invalid agent or tool configuration, found at construction. */
export class AgentConfigError extends AgentError {
  static override readonly kind: string = 'AgentConfigError';
}

/**
 * A provider call failed. Keeps the status and whether a retry may help,
 * never the request headers (no API key may reach a message, log or span).
 */
export class ModelError extends AgentError {
  static override readonly kind: string = 'ModelError';
  readonly status?: number;
  readonly retryable: boolean;
  /** Milliseconds the server asked us to wait (Retry-After / retry-after-ms), if any. */
  readonly retryAfterMs?: number;
  /** The provider that answered ('openai', 'anthropic', …), when known. */
  readonly provider?: string;
  constructor(
    message: string,
    options: { status?: number; retryable?: boolean; retryAfterMs?: number; provider?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
  }
}

/** The model does not implement streaming. */
export class ModelStreamingNotSupportedError extends ModelError {
  static override readonly kind: string = 'ModelStreamingNotSupportedError';
}

/** Turn an abort reason into the AgentAbortError the user sees. */
export function toAbortError(signal: AbortSignal): AgentAbortError {
  const reason = signal.reason;
  if (AgentAbortError.isInstance(reason)) return reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return new AgentAbortError(`Run aborted: ${why}`, { reason, cause: reason });
}

/** A run paused on tool calls that need a human's approval. `snapshot` resumes it (agent.resume). */
export class AgentApprovalPendingError extends AgentError {
  static override readonly kind: string = 'AgentApprovalPendingError';
  constructor(
    message: string,
    readonly snapshot: RunSnapshot,
  ) {
    super(message);
  }
}

/** Tool arguments failed validation; the loop turns it into an observation for the model. */
export class ToolArgumentsError extends AgentError {
  static override readonly kind: string = 'ToolArgumentsError';
}

const ERROR_KINDS: Record<string, new (message: string) => AgentError> = {
  AgentError,
  AgentParsingError,
  AgentExecutionError,
  AgentToolCallError,
  AgentToolExecutionError,
  AgentMaxStepsError,
  AgentGenerationError,
  AgentAbortError,
  AgentConfigError,
  ModelError,
  ModelStreamingNotSupportedError,
  ToolArgumentsError,
};

/** Rebuilds an error stored in a serialised memory ({name, message}). */
export function errorFromJSON(value: { name?: string; message?: string }): AgentError {
  const Kind = ERROR_KINDS[value.name ?? ''] ?? AgentError;
  return new Kind(value.message ?? '');
}
