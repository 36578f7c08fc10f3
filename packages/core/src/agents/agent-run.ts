import { AgentAbortError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { AgentMemory } from '../memory.js';
import type { RunResult } from '../runner/run-context.js';

/**
 * One run of an agent. Iterate it for the event stream (a `break` cancels the run),
 * or await `result`. Either way there is exactly one consumer of the loop's generator.
 */
export class AgentRun<T = unknown> implements AsyncIterable<AgentEvent> {
  readonly result: Promise<RunResult<T>>;
  #resolve!: (r: RunResult<T>) => void;
  #reject!: (e: unknown) => void;
  #started = false;

  constructor(
    readonly id: string,
    readonly memory: AgentMemory,
    private readonly generator: AsyncGenerator<AgentEvent, RunResult, undefined>,
    private readonly controller: AbortController,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A streaming caller may never look at `result`; its rejection must not go unhandled.
    this.result.catch(() => {});
  }

  /** Stops the run: the model call, the tools and the sandbox see the abort. */
  interrupt(reason = 'interrupted by the user'): void {
    this.controller.abort(new AgentAbortError(`Run interrupted: ${reason}`, { reason }));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AgentEvent, void, undefined> {
    if (this.#started) throw new Error('An AgentRun can be consumed only once.');
    this.#started = true;
    let done = false;
    try {
      for (;;) {
        const next = await this.generator.next();
        if (next.done) {
          done = true;
          this.#resolve(next.value as RunResult<T>);
          return;
        }
        yield next.value;
      }
    } catch (error) {
      done = true;
      this.#reject(error);
      throw error;
    } finally {
      if (!done) {
        // The consumer stopped early (for await … break): that is a cancel.
        this.controller.abort(new AgentAbortError('Run aborted: the stream consumer stopped reading.'));
        await this.generator.return(undefined as never).catch(() => {});
        this.#reject(new AgentAbortError('Run aborted: the stream consumer stopped reading.'));
      }
    }
  }

  /** Runs to the end without a consumer; `result` settles. */
  async drain(): Promise<RunResult<T>> {
    if (this.#started) return this.result;
    this.#started = true;
    try {
      let next = await this.generator.next();
      while (!next.done) next = await this.generator.next();
      this.#resolve(next.value as RunResult<T>);
    } catch (error) {
      this.#reject(error);
    }
    return this.result;
  }
}
