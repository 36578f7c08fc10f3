import { toAbortError } from '../errors.js';

/**
 * An AbortController that follows `parent` (aborting with its reason) until `release()`, which
 * removes its listener, so a long-lived parent signal never accumulates listeners. It is its own
 * listener (`handleEvent`): a link costs no closures, which every run in flight would hold.
 */
export class LinkedController extends AbortController {
  readonly #parent: AbortSignal | undefined;

  constructor(parent?: AbortSignal) {
    super();
    if (!parent) return;
    if (parent.aborted) this.abort(parent.reason);
    else {
      this.#parent = parent;
      parent.addEventListener('abort', this, { once: true });
    }
  }

  /** The parent aborted. */
  handleEvent(): void {
    this.abort(this.#parent!.reason);
  }

  /** Stops following the parent. */
  release(): void {
    this.#parent?.removeEventListener('abort', this);
  }
}

/** A LinkedController and its release, as a function. @deprecated Use `new LinkedController(parent)`: its `signal` and `release()` are the same. */
export function linkedController(parent?: AbortSignal): { controller: AbortController; release: () => void } {
  if (!parent) return { controller: new AbortController(), release: noop };
  const controller = new LinkedController(parent);
  return { controller, release: () => controller.release() };
}

function noop(): void {}

/**
 * Settles with `promise`, or rejects with the abort error as soon as `signal` aborts, even
 * when the work behind `promise` ignores the signal (a tool that never checks it).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(noop);
    return Promise.reject(toAbortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toAbortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? toAbortError(signal) : e);
      },
    );
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => R | Promise<R>): Promise<R[]> {
  // One call per step is the common case: no workers, no result array to fill.
  if (items.length === 1) return [await fn(items[0], 0)];
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(Math.max(1, limit), items.length); w++) workers.push(worker());
  await Promise.all(workers);
  return results;
}
