import { AgentConfigError, toAbortError } from '../errors.js';

export interface RateLimiterOptions {
  /** Requests allowed per minute. Omit for no request limit. */
  requestsPerMinute?: number;
  /** Tokens (input + output, as recorded with recordTokens) allowed per minute. Omit for no token limit. */
  tokensPerMinute?: number;
  /**
   * Requests that may start back to back after an idle period. Default: one second's worth
   * (`requestsPerMinute / 60`, at least 1), which is how providers quantise per-minute limits.
   */
  burst?: number;
}

/**
 * What ApiModel needs from a rate limiter: `RateLimiter` in one process, or one a fleet shares
 * (@smol/bullmq's RedisRateLimiter).
 */
export interface ModelRateLimiter {
  /** Resolves when a request may start; rejects with the AgentAbortError if `signal` aborts first. */
  acquire(options?: { signal?: AbortSignal }): Promise<void>;
  /** Counts tokens a finished request used against the token limit. */
  recordTokens(n: number): void;
  /** A provider answered 429 with Retry-After: start nothing for `ms` (every model sharing this limiter). */
  pause?(ms: number): void | Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  prev: Waiter | null;
  next: Waiter | null;
}

/**
 * Token buckets for requests and tokens, shared by any number of models and concurrent calls.
 * Waiters are served first in, first out from a linked list, with one timer for the head of
 * the queue; an aborted waiter unlinks itself and leaves no listener behind. O(1) per acquire.
 */
export class RateLimiter implements ModelRateLimiter {
  readonly requestsPerMinute: number;
  readonly tokensPerMinute: number;
  private readonly requestRate: number; // per ms
  private readonly tokenRate: number; // per ms
  private readonly burst: number;
  private requests: number;
  private tokens: number;
  private last: number;
  private head: Waiter | null = null;
  private tail: Waiter | null = null;
  private size = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pausedUntil = 0;

  constructor(options: RateLimiterOptions = {}) {
    const rpm = options.requestsPerMinute ?? Infinity;
    const tpm = options.tokensPerMinute ?? Infinity;
    if (!(rpm > 0) || !(tpm > 0)) throw new AgentConfigError('RateLimiter: requestsPerMinute and tokensPerMinute must be positive numbers.');
    this.requestsPerMinute = rpm;
    this.tokensPerMinute = tpm;
    this.requestRate = rpm / 60_000;
    this.tokenRate = tpm / 60_000;
    this.burst = Math.max(1, options.burst ?? Math.floor(rpm / 60));
    this.requests = this.burst;
    this.tokens = tpm;
    this.last = performance.now();
  }

  /** Callers waiting for a slot. */
  get pending(): number {
    return this.size;
  }

  /** True when an acquire() now would start at once: no queue, and a request and tokens are available. Takes nothing. */
  get ready(): boolean {
    if (this.head !== null || this.pausedUntil > performance.now()) return false;
    if (this.requestRate === Infinity && this.tokenRate === Infinity) return true;
    this.refill();
    return (this.requestRate === Infinity || this.requests >= 1) && (this.tokenRate === Infinity || this.tokens > 0);
  }

  /** Resolves when a request may start; rejects with the AgentAbortError if `signal` aborts first. */
  acquire(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(toAbortError(signal));
    if (this.head === null && this.take()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined, prev: this.tail, next: null };
      if (this.tail) this.tail.next = waiter;
      else this.head = waiter;
      this.tail = waiter;
      this.size++;
      if (signal) {
        waiter.onAbort = () => {
          this.unlink(waiter);
          if (this.head === null) this.clearTimer();
          reject(toAbortError(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.schedule();
    });
  }

  /** Starts nothing for `ms` (a provider's Retry-After); waiters keep their order. */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    const until = performance.now() + ms;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.clearTimer();
    this.schedule();
  }

  /** Counts tokens a finished request used against tokensPerMinute (the balance may go into debt). */
  recordTokens(n: number): void {
    if (this.tokenRate === Infinity || !(n > 0)) return;
    this.refill();
    this.tokens -= n;
  }

  private refill(): void {
    const now = performance.now();
    const elapsed = now - this.last;
    this.last = now;
    if (this.requestRate !== Infinity) this.requests = Math.min(this.burst, this.requests + elapsed * this.requestRate);
    if (this.tokenRate !== Infinity) this.tokens = Math.min(this.tokensPerMinute, this.tokens + elapsed * this.tokenRate);
  }

  private take(): boolean {
    if (this.pausedUntil > 0) {
      if (this.pausedUntil > performance.now()) return false;
      this.pausedUntil = 0;
    }
    if (this.requestRate === Infinity && this.tokenRate === Infinity) return true;
    this.refill();
    if (this.requestRate !== Infinity && this.requests < 1) return false;
    if (this.tokenRate !== Infinity && this.tokens <= 0) return false;
    if (this.requestRate !== Infinity) this.requests -= 1;
    return true;
  }

  private waitMs(): number {
    let wait = 0;
    if (this.requestRate !== Infinity && this.requests < 1) wait = (1 - this.requests) / this.requestRate;
    if (this.tokenRate !== Infinity && this.tokens <= 0) wait = Math.max(wait, (1 - this.tokens) / this.tokenRate);
    if (this.pausedUntil > 0) wait = Math.max(wait, this.pausedUntil - performance.now());
    return Math.max(1, Math.ceil(wait));
  }

  private schedule(): void {
    if (this.timer !== undefined || this.head === null) return;
    this.timer = setTimeout(this.drain, this.waitMs());
  }

  private readonly drain = (): void => {
    this.timer = undefined;
    while (this.head !== null && this.take()) {
      const waiter = this.head;
      this.unlink(waiter);
      if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.schedule();
  };

  private unlink(waiter: Waiter): void {
    if (waiter.prev) waiter.prev.next = waiter.next;
    else if (this.head === waiter) this.head = waiter.next;
    else return; // already removed
    if (waiter.next) waiter.next.prev = waiter.prev;
    else this.tail = waiter.prev;
    waiter.prev = waiter.next = null;
    this.size--;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

interface SlotWaiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * At most `max` calls in flight at once (per model, across all its runs); the others wait
 * first in, first out. An aborted waiter leaves the queue and no listener behind.
 */
export class ConcurrencyLimit {
  readonly max: number;
  #active = 0;
  readonly #waiting: SlotWaiter[] = [];

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new AgentConfigError(`maxConcurrency must be a positive integer, got ${max}.`);
    this.max = max;
  }

  /** Calls in flight. */
  get active(): number {
    return this.#active;
  }

  /** Calls waiting for a slot. */
  get pending(): number {
    return this.#waiting.length;
  }

  /** Resolves with the function that gives the slot back (call it once, in finally). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw toAbortError(signal);
    if (this.#active < this.max) this.#active++;
    else {
      await new Promise<void>((resolve, reject) => {
        const waiter: SlotWaiter = { resolve, reject, signal };
        if (signal) {
          waiter.onAbort = () => {
            this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
            reject(toAbortError(signal));
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        this.#waiting.push(waiter);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (!next) {
        this.#active--;
        return;
      }
      // The slot passes straight to the next waiter: #active stays the same.
      if (next.onAbort) next.signal!.removeEventListener('abort', next.onAbort);
      next.resolve();
    };
  }
}
