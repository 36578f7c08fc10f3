import { parseRetryAfter } from '@smol/core';
import { HfTimeoutError } from './errors.js';

type Fetch = typeof globalThis.fetch;

/**
 * What one request needs beyond the SDK call, settled in `dispose()`:
 * - a signal of its own, so a stream the caller stops reading is aborted (the client's generator only
 *   releases its reader lock, which would leave the connection busy), and so `timeout` can abort it;
 * - the failed response's Retry-After, which the client's errors do not keep;
 * - an idle timeout: one timer that re-arms itself from the time of the last chunk, instead of
 *   a clearTimeout/setTimeout pair per chunk.
 * The listener on the caller's signal and the timer are removed in dispose().
 */
export class RequestScope {
  readonly signal: AbortSignal;
  retryAfterMs: number | undefined;
  private readonly controller = new AbortController();
  private readonly parent: AbortSignal | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = 0;

  constructor(
    private readonly baseFetch: Fetch,
    parent: AbortSignal | undefined,
    private readonly timeoutMs: number | undefined,
  ) {
    this.signal = this.controller.signal;
    this.parent = parent;
    if (parent?.aborted) this.controller.abort(parent.reason);
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
    if (timeoutMs !== undefined) {
      this.last = performance.now();
      this.timer = setTimeout(this.check, timeoutMs);
    }
  }

  /** Passed to the client as the call's `fetch`. */
  readonly fetch: Fetch = async (input, init) => {
    const response = await this.baseFetch(input, init);
    if (!response.ok) this.retryAfterMs = parseRetryAfter(response.headers);
    return response;
  };

  /** Progress: a chunk arrived. */
  touch(): void {
    if (this.timer !== undefined) this.last = performance.now();
  }

  /** Aborts the request if it is still running (a stream the caller stopped reading). */
  abort(): void {
    if (!this.signal.aborted) this.controller.abort(new DOMException('The stream was closed by its reader.', 'AbortError'));
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }

  private readonly onParentAbort = (): void => {
    this.controller.abort(this.parent!.reason);
  };

  private readonly check = (): void => {
    const idle = performance.now() - this.last;
    if (idle >= this.timeoutMs!) {
      this.timer = undefined;
      this.controller.abort(new HfTimeoutError(this.timeoutMs!));
    } else this.timer = setTimeout(this.check, this.timeoutMs! - idle);
  };
}
