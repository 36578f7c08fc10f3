import { AgentAbortError, AgentError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { AgentMemory } from '../memory.js';
import type { RunContext, RunResult, RunSnapshot } from '../runner/run-context.js';
import { notify, startObservers } from '../runner/observers.js';

/** A rejection handler for promises whose outcome is delivered elsewhere. */
function ignore(): void {}

/**
 * One run of an agent. Iterate it for the event stream (a `break` cancels the run), or
 * await `result`, which runs it to the end when nobody iterates. Either way the loop runs
 * once: there is exactly one consumer of its generator.
 */
export class AgentRun<T = unknown> implements AsyncIterable<AgentEvent> {
  readonly id: string;
  readonly memory: AgentMemory;
  readonly #result: Promise<RunResult<T>>;
  #resolve!: (r: RunResult<T>) => void;
  #reject!: (e: unknown) => void;
  #started = false;
  #snapshot: RunSnapshot | undefined;

  constructor(
    /** @internal The run's state; for the agent that created it. */
    readonly context: RunContext,
    private readonly generator: AsyncGenerator<AgentEvent, RunResult, undefined>,
    private readonly controller: AbortController,
  ) {
    this.id = context.id;
    this.memory = context.memory;
    this.#result = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A streaming caller may never look at `result`; its rejection must not go unhandled. (A
    // module-level handler: an arrow made here would keep this constructor's context for the run.)
    this.#result.catch(ignore);
  }

  /**
   * Settles when the run ends. Asking for it starts the run if nobody iterates it: the check
   * waits a microtask, so `const r = run.result; for await (const e of run) …` still streams.
   */
  get result(): Promise<RunResult<T>> {
    if (!this.#started) {
      queueMicrotask(() => {
        // The outcome is delivered through `result`; this promise's copy of it is not.
        if (!this.#started) this.drain().catch(ignore);
      });
    }
    return this.#result;
  }

  /** Stops the run: the model call, the tools and the sandbox see the abort. */
  interrupt(reason = 'interrupted by the user'): void {
    this.controller.abort(new AgentAbortError(`Run interrupted: ${reason}`, { reason }));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Pulls the next event, telling observers; settles `result` at the end. */
  async #next(): Promise<IteratorResult<AgentEvent, RunResult>> {
    try {
      const next = await this.generator.next();
      this.#deliver(next);
      return next;
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  /** An event goes to the observers; the end settles `result`. */
  #deliver(next: IteratorResult<AgentEvent, RunResult>): void {
    if (next.done) this.#finish(next.value);
    else if (this.context.observers.length > 0) notify(this.context.observers, 'onEvent', this.context.info, next.value);
  }

  #finish(result: RunResult): void {
    notify(this.context.observers, 'onRunEnd', this.context.info, { result });
    this.#snapshot = result.snapshot;
    this.#resolve(result as RunResult<T>);
  }

  #fail(error: unknown): void {
    notify(this.context.observers, 'onRunEnd', this.context.info, { error });
    this.#reject(error);
  }

  #begin(): void {
    if (this.#started) throw new AgentError('This run is already being consumed (iterated, drained or awaited through .result): iterate a run before awaiting its result, and only once.');
    this.#started = true;
    this.context.observers = startObservers(this.context.observers, this.context.info);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AgentEvent, void, undefined> {
    this.#begin();
    let done = false;
    try {
      for (;;) {
        const next = await this.#next().catch((error: unknown) => {
          done = true;
          throw error;
        });
        if (next.done) {
          done = true;
          return;
        }
        yield next.value;
      }
    } finally {
      if (!done) {
        // The consumer stopped early (for await … break): that is a cancel.
        const reason = new AgentAbortError('Run aborted: the stream consumer stopped reading.');
        this.controller.abort(reason);
        await this.generator.return(undefined as never).catch(ignore);
        notify(this.context.observers, 'onRunEnd', this.context.info, { error: reason });
        this.#reject(reason);
      }
    }
  }

  /**
   * The run as JSON (schemaVersion 1). For a run paused on approvals this is the snapshot
   * that agent.resume() takes; otherwise the memory so far.
   */
  toJSON(): RunSnapshot {
    return this.#snapshot ?? this.context.snapshot();
  }

  /** Runs to the end without a consumer; `result` settles. */
  async drain(): Promise<RunResult<T>> {
    if (this.#started) return this.#result;
    this.#begin();
    this.context.eventsHeard = this.context.observers.some((o) => o.onEvent);
    // #next's loop without its promise per event: this is every arun's path.
    try {
      let next: IteratorResult<AgentEvent, RunResult>;
      do {
        next = await this.generator.next();
        this.#deliver(next);
      } while (!next.done);
    } catch (error) {
      this.#fail(error);
    }
    return this.#result;
  }
}
