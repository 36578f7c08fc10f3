// A rate limiter shared by every process on one Redis, with the shape ApiModel consumes
// (acquire({ signal }), recordTokens(n)), on rate-limiter-flexible's Redis counters.
import { AgentConfigError, RateLimiter, toAbortError } from '@smol/core';
import { parseRetryAfter, sleep } from '@smol/core/provider';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { createClient, type RedisConnection } from './connection.js';

export interface RedisRateLimiterOptions {
  /** A Redis URL or connection options. */
  connection: RedisConnection;
  /** What is limited: every limiter with the same key shares the budget (e.g. one per API key). */
  key: string;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** The window the limits are per. Default 60 000 ms (tests use a short one). */
  windowMs?: number;
  /** Sub-windows per window. Default 10 (see below). */
  slots?: number;
}

/**
 * Requests and tokens per window for the whole fleet. Counting is in fixed sub-windows (window /
 * slots, at least 1 s), each allowing floor(limit / (n + 1)) where n sub-windows make a window: any
 * sliding window overlaps at most n + 1 of them, so no window of `windowMs` ever sees more than the
 * limit. The price is a sustained rate of about n / (n + 1) of the limit. `pause(ms)` stops the whole fleet (a 429
 * with Retry-After).
 *
 * It extends core's in-process RateLimiter only so that ApiModel's `rateLimiter` option takes it;
 * none of the base class's state is used.
 */
export class RedisRateLimiter extends RateLimiter {
  private readonly client: Redis;
  private readonly limitKey: string;
  private readonly requestLimiter?: RateLimiterRedis;
  private readonly tokenLimiter?: RateLimiterRedis;
  private readonly pauseLimiter: RateLimiterRedis;

  constructor(options: RedisRateLimiterOptions) {
    super({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute });
    if (!options.connection) throw new AgentConfigError('RedisRateLimiter needs a `connection`.');
    this.client = createClient(options.connection, { maxRetriesPerRequest: null });
    this.limitKey = options.key;
    const windowMs = options.windowMs ?? 60_000;
    // Redis counters expire in whole seconds: sub-windows of at least 1 s.
    const seconds = Math.max(1, Math.floor(windowMs / 1000 / Math.max(1, Math.floor(options.slots ?? 10))));
    const overlapped = Math.ceil(windowMs / 1000 / seconds) + 1; // sub-windows one sliding window can touch
    const make = (limit: number, name: string) => {
      if (limit < overlapped) throw new AgentConfigError(`RedisRateLimiter: a limit of ${limit} per ${windowMs} ms is too small to split into ${seconds} s counters; use a longer window.`);
      return new RateLimiterRedis({ storeClient: this.client, keyPrefix: `smol-rl:${name}`, points: Math.floor(limit / overlapped), duration: seconds });
    };
    if (options.requestsPerMinute !== undefined) this.requestLimiter = make(options.requestsPerMinute, 'req');
    if (options.tokensPerMinute !== undefined) this.tokenLimiter = make(options.tokensPerMinute, 'tok');
    this.pauseLimiter = new RateLimiterRedis({ storeClient: this.client, keyPrefix: 'smol-rl:pause', points: 1, duration: 1 });
  }

  override get pending(): number {
    return 0;
  }

  /** Whether the fleet's budget allows a request now cannot be known without asking Redis. */
  override get ready(): boolean {
    return true;
  }

  override async acquire(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    for (;;) {
      if (signal?.aborted) throw toAbortError(signal);
      let waitMs = 0;
      const paused = await this.pauseLimiter.get(this.limitKey);
      if (paused && paused.consumedPoints > 1) waitMs = paused.msBeforeNext;
      else if (this.tokenLimiter) {
        const tokens = await this.tokenLimiter.get(this.limitKey);
        if (tokens && tokens.remainingPoints <= 0) waitMs = tokens.msBeforeNext;
      }
      if (waitMs === 0 && this.requestLimiter) {
        try {
          await this.requestLimiter.consume(this.limitKey, 1);
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) throw rejection;
          waitMs = rejection.msBeforeNext;
        }
      }
      if (waitMs === 0) return;
      // Redis says when the budget frees up: sleep until then (no polling), waking on abort.
      await sleep(Math.max(1, waitMs), signal);
    }
  }

  override recordTokens(n: number): void {
    if (!this.tokenLimiter || !(n > 0)) return;
    // Counted even past the limit (debt), as core's limiter does; a failure to count is not the caller's problem.
    this.tokenLimiter.penalty(this.limitKey, n).catch(() => {});
  }

  /** Stops every process sharing this key for `ms` (e.g. a 429's Retry-After). */
  async pause(ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await this.pauseLimiter.block(this.limitKey, Math.ceil(ms / 1000));
  }

  /**
   * A fetch for a provider's SDK that pauses the whole fleet when a response is a 429 with Retry-After.
   * @deprecated Not needed with smol's models: ApiModel already calls `pause` on its rateLimiter when
   * a retryable error carries Retry-After, and a wrapped fetch keeps smol's transport from taking the
   * run's signal directly. Kept for SDK clients used outside a smol model.
   */
  fetch<F extends (input: any, init?: any) => Promise<Response>>(inner: F = globalThis.fetch as F): F {
    const wrapped = async (input: unknown, init?: unknown) => {
      const response = await inner(input, init);
      if (response.status === 429) {
        const ms = parseRetryAfter(response.headers);
        if (ms !== undefined && ms > 0) await this.pause(ms);
      }
      return response;
    };
    return wrapped as F;
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
