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
export class RateLimiter {
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
    if (this.head !== null) return false;
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
