import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { AgentAbortError, ModelError } from '../errors.js';
import {
  DEFAULT_RETRY_OPTIONS,
  isRetryableError,
  parseRetryAfter,
  resolveRetryOptions,
  retryDelay,
  retryStreamOrThrow,
  sleep,
  withRetry,
} from './retry.js';

describe('parseRetryAfter', () => {
  it('reads seconds, HTTP dates and retry-after-ms', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter({ 'Retry-After': '0.5' })).toBe(500);
    expect(parseRetryAfter({ 'retry-after-ms': '150', 'retry-after': '9' })).toBe(150);
    const now = Date.parse('Wed, 25 Nov 2026 10:00:00 GMT');
    expect(parseRetryAfter({ 'retry-after': 'Wed, 25 Nov 2026 10:00:03 GMT' }, now)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 25 Nov 2026 09:00:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ 'retry-after': ['4'] })).toBe(4000);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(new Headers())).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after-ms': 'x', 'retry-after': '1' })).toBe(1000);
  });
});

describe('policy', () => {
  it('defaults: 3 attempts, 1 s, x2, 30 s max, jitter', () => {
    expect(resolveRetryOptions()).toEqual({ maxRetries: 2, initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: true });
    expect(resolveRetryOptions({ maxRetries: 0 }).maxRetries).toBe(0);
    expect(() => resolveRetryOptions({ maxRetries: -1 })).toThrow(/maxRetries/);
    expect(resolveRetryOptions({ maxRetries: 4 }).initialDelayMs).toBe(1000);
    expect(resolveRetryOptions(DEFAULT_RETRY_OPTIONS)).toBe(DEFAULT_RETRY_OPTIONS);
  });
  it('backs off exponentially with full jitter, capped', () => {
    const p = resolveRetryOptions({ jitter: false });
    expect([1, 2, 3, 10].map((a) => retryDelay(a, p))).toEqual([1000, 2000, 4000, 30_000]);
    const j = resolveRetryOptions();
    expect(retryDelay(2, j, undefined, () => 0.5)).toBe(1000);
    expect(retryDelay(1, j, undefined, () => 0)).toBe(0);
  });
  it('honours retryAfterMs, and gives up when the server asks for more than maxDelayMs', () => {
    const p = resolveRetryOptions();
    expect(retryDelay(1, p, new ModelError('x', { status: 429, retryable: true, retryAfterMs: 1234 }))).toBe(1234);
    expect(retryDelay(1, p, new ModelError('x', { status: 429, retryable: true, retryAfterMs: 60_000 }))).toBeUndefined();
  });
  it('classifies errors', () => {
    expect(isRetryableError(new ModelError('x', { status: 500, retryable: true }))).toBe(true);
    expect(isRetryableError(new ModelError('x', { status: 400 }))).toBe(false);
    expect(isRetryableError(new TypeError('fetch failed', { cause: new Error('boom') }))).toBe(true);
    expect(isRetryableError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryableError(new AgentAbortError('stop'))).toBe(false);
    expect(isRetryableError(new Error('other'))).toBe(false);
  });
});

describe('sleep', () => {
  it('rejects promptly on abort and leaves no listener or timer', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    const t0 = performance.now();
    setTimeout(() => ac.abort(new Error('user stop')), 5);
    await expect(p).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e) && /user stop/.test((e as Error).message));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
  it('removes its listener when the wait ends', async () => {
    const ac = new AbortController();
    await sleep(1, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
  it('rejects at once for an aborted signal', async () => {
    await expect(sleep(10, AbortSignal.abort())).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
  });
});

describe('withRetry', () => {
  const fast = { initialDelayMs: 1, maxDelayMs: 5 };
  it('retries retryable errors up to maxRetries', async () => {
    const fn = vi.fn(async () => {
      throw new ModelError('busy', { status: 503, retryable: true });
    });
    await expect(withRetry(fn, { retry: fast })).rejects.toThrow('busy');
    expect(fn).toHaveBeenCalledTimes(3);
  });
  it('stops at the first non-retryable error', async () => {
    const fn = vi.fn(async () => {
      throw new ModelError('bad request', { status: 400 });
    });
    await expect(withRetry(fn, { retry: fast })).rejects.toThrow('bad request');
    expect(fn).toHaveBeenCalledTimes(1);
  });
  it('returns on success after failures and reports each wait', async () => {
    let n = 0;
    const waits: number[] = [];
    const value = await withRetry(
      async (attempt) => {
        n++;
        if (attempt < 3) throw new ModelError('rate', { status: 429, retryable: true, retryAfterMs: 7 });
        return 'ok';
      },
      { retry: { maxRetries: 3 }, onRetry: (i) => waits.push(i.delayMs) },
    );
    expect(value).toBe('ok');
    expect(n).toBe(3);
    expect(waits).toEqual([7, 7]);
  });
  it('maxRetries: 0 makes one attempt', async () => {
    const fn = vi.fn(async () => {
      throw new ModelError('busy', { status: 503, retryable: true });
    });
    await expect(withRetry(fn, { retry: { maxRetries: 0 } })).rejects.toThrow('busy');
    expect(fn).toHaveBeenCalledTimes(1);
  });
  it('retryStreamOrThrow waits before another attempt, and throws once output was yielded or retries are used up', async () => {
    const busy = new ModelError('busy', { status: 503, retryable: true });
    const retry = resolveRetryOptions({ maxRetries: 1, ...fast });
    await expect(retryStreamOrThrow(busy, { attempt: 1, yielded: false, retry })).resolves.toBeUndefined();
    await expect(retryStreamOrThrow(busy, { attempt: 1, yielded: true, retry })).rejects.toBe(busy);
    await expect(retryStreamOrThrow(busy, { attempt: 2, yielded: false, retry })).rejects.toBe(busy);
    const bad = new ModelError('bad', { status: 400 });
    await expect(retryStreamOrThrow(bad, { attempt: 1, yielded: false, retry })).rejects.toBe(bad);
    await expect(retryStreamOrThrow(busy, { attempt: 1, yielded: false, retry, signal: AbortSignal.abort() })).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
  });
  it('an abort during the backoff rejects promptly with AgentAbortError', async () => {
    const ac = new AbortController();
    const fn = vi.fn(async () => {
      throw new ModelError('busy', { status: 503, retryable: true, retryAfterMs: 20_000 });
    });
    const p = withRetry(fn, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    const t0 = performance.now();
    await expect(p).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
});
