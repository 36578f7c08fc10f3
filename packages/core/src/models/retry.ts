import { AgentAbortError, AgentConfigError, ModelError, toAbortError } from '../errors.js';

/** How a provider call is retried: how often (`maxRetries`) and how long to wait between attempts (the backoff). */
export interface RetryOptions extends RetryBackoff {
  /** Retries after the first attempt (the official SDKs' meaning). Default 2; 0 disables retries. */
  maxRetries: number;
}

/** The waits between attempts. */
export interface RetryBackoff {
  /** Base of the first wait. Default 1000 ms. */
  initialDelayMs: number;
  /** No wait is longer than this; a server asking for longer ends the retries. Default 30 000 ms. */
  maxDelayMs: number;
  /** Growth of the base wait per attempt. Default 2. */
  factor: number;
  /** Full jitter (a uniform wait in [0, base]) when true, the base wait itself when false. Default true. */
  jitter: boolean;
}

export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxRetries: 2,
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: true,
});

function isComplete(o: Partial<RetryOptions>): o is RetryOptions {
  return typeof o.maxRetries === 'number' && typeof o.initialDelayMs === 'number' && typeof o.maxDelayMs === 'number' && typeof o.factor === 'number' && typeof o.jitter === 'boolean';
}

/** Complete options from a partial set. */
export function resolveRetryOptions(options?: Partial<RetryOptions>): Readonly<RetryOptions> {
  if (!options) return DEFAULT_RETRY_OPTIONS;
  if (Object.isFrozen(options) && isComplete(options)) return options;
  const resolved = { ...DEFAULT_RETRY_OPTIONS };
  for (const key of Object.keys(options) as (keyof RetryOptions)[]) if (options[key] !== undefined) (resolved as Record<string, unknown>)[key] = options[key];
  if (!(resolved.maxRetries >= 0)) throw new AgentConfigError(`maxRetries must be 0 or more, not ${String(options.maxRetries)}.`);
  resolved.maxRetries = Math.floor(resolved.maxRetries);
  return Object.freeze(resolved);
}

type HeaderSource = Headers | { get(name: string): string | null } | Record<string, string | string[] | number | undefined | null>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, unknown>;
  let value = record[name];
  if (value === undefined) {
    for (const key in record) if (key.toLowerCase() === name) value = record[key];
  }
  if (Array.isArray(value)) value = value[0];
  return value == null ? undefined : String(value);
}

/**
 * Milliseconds a server asks the client to wait: `retry-after-ms`, else `Retry-After`
 * as seconds or as an HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: HeaderSource | null | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = header(headers, 'retry-after')?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

const CONNECTION_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH',
  'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/** A network failure before or during the exchange: undici's `TypeError('fetch failed')` or a socket error code. */
export function isConnectionError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
  }
  return false;
}

/** Whether another attempt may succeed: ModelError.retryable (429, 5xx), or a connection error. */
export function isRetryableError(error: unknown): boolean {
  if (AgentAbortError.isInstance(error)) return false;
  if (ModelError.isInstance(error)) return error.retryable;
  return isConnectionError(error);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1), or undefined when no retry
 * should happen because the server asked for a longer wait than `maxDelayMs`.
 */
export function retryDelay(attempt: number, options: Readonly<RetryOptions>, error?: unknown, random: () => number = Math.random): number | undefined {
  const asked = ModelError.isInstance(error) ? error.retryAfterMs : undefined;
  if (asked !== undefined && Number.isFinite(asked) && asked >= 0) return asked <= options.maxDelayMs ? asked : undefined;
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (attempt - 1));
  return options.jitter ? Math.floor(random() * base) : base;
}

/**
 * Resolves after `ms`, or rejects with the AgentAbortError of `signal` as soon as it aborts.
 * Either way the timer is cleared and the listener removed.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(toAbortError(signal));
  return new Promise<void>((resolve, reject) => {
    if (!signal) {
      setTimeout(resolve, ms);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(toAbortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryInfo {
  /** The attempt that failed, from 1. */
  attempt: number;
  error: unknown;
  delayMs: number;
}

export interface WithRetryOptions {
  retry?: Partial<RetryOptions>;
  signal?: AbortSignal;
  /** Default: isRetryableError. */
  isRetryable?: (error: unknown) => boolean;
  /** Called before each wait, e.g. for logging. */
  onRetry?: (info: RetryInfo) => void;
  /** For tests: the jitter source. */
  random?: () => number;
}

/**
 * Calls `fn`, turning a synchronous throw into a rejection: a promise chain's stand-in for an async
 * function's body (which would keep a suspended frame while the promise is pending).
 */
export function callAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs, or the attempts run out.
 * An abort (of `signal`) is never retried: it rejects with the AgentAbortError at once.
 */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, options: WithRetryOptions = {}): Promise<T> {
  const policy = resolveRetryOptions(options.retry);
  const { signal } = options;
  const retryable = options.isRetryable ?? isRetryableError;
  // A promise chain, not an async loop: a model call in flight keeps no suspended frame here
  // (thousands of runs wait in this function at once).
  const from = (attempt: number): Promise<T> => {
    if (signal?.aborted) return Promise.reject(toAbortError(signal));
    return callAsync(() => fn(attempt)).catch((error: unknown) => {
      const delayMs = retryWaitOrThrow(error, attempt, policy, signal, retryable, options.random);
      options.onRetry?.({ attempt, error, delayMs });
      return sleep(delayMs, signal).then(() => from(attempt + 1));
    });
  };
  return from(1);
}

export interface StreamRetryState {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** Whether the attempt had yielded output: then another attempt would repeat it, so the error is thrown. */
  yielded: boolean;
  retry: Readonly<RetryOptions>;
  signal?: AbortSignal;
  random?: () => number;
}

/**
 * The retry step of a streaming loop (ApiModel and the LiteLLM router share it): after a failed
 * attempt, throws `error` when it must not be retried (output already yielded, not retryable,
 * retries used up, the server asks for too long a wait) or rejects with the AgentAbortError of an
 * aborted signal; otherwise waits the backoff. Written as a helper rather than a wrapping
 * generator so each delta crosses one generator, not two.
 */
export async function retryStreamOrThrow(error: unknown, state: StreamRetryState): Promise<void> {
  const { signal } = state;
  if (signal?.aborted) throw toAbortError(signal);
  if (state.yielded) throw error;
  await sleep(retryWaitOrThrow(error, state.attempt, state.retry, signal, isRetryableError, state.random), signal);
}

/**
 * The one retry rule: after attempt `attempt` (from 1) failed with `error`, the wait before the
 * next. Throws instead when there is no next: the AgentAbortError of an aborted signal, or
 * `error` itself when it is not retryable, the retries are used up, or the server asks for a
 * longer wait than `maxDelayMs`.
 */
export function retryWaitOrThrow(
  error: unknown,
  attempt: number,
  policy: Readonly<RetryOptions>,
  signal: AbortSignal | undefined,
  retryable: (error: unknown) => boolean = isRetryableError,
  random?: () => number,
): number {
  if (signal?.aborted) throw toAbortError(signal);
  if (attempt > policy.maxRetries || !retryable(error)) throw error;
  const delayMs = retryDelay(attempt, policy, error, random);
  if (delayMs === undefined) throw error;
  return delayMs;
}
