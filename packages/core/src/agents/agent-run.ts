import { AgentAbortError, AgentApprovalPendingError, AgentError } from '../errors.js';
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
  // The result promise is made only when someone asks for it (`result`, or iterating): `arun`
  // drains without it, and a run holds nothing for it while in flight.
  #result: Promise<RunResult<T>> | undefined;
  #resolve: ((r: RunResult<T>) => void) | undefined;
  #reject: ((e: unknown) => void) | undefined;
  /** How the run ended, once it has: a result, or a failure. */
  #ended: { result: RunResult; failed: false } | { error: unknown; failed: true } | undefined;
  #started = false;
  #snapshot: RunSnapshot | undefined;

  constructor(
    /** @internal The run's state; for the agent that created it. */
    readonly context: RunContext,
    private readonly generator: AsyncGenerator<AgentEvent, RunResult, undefined>,
  ) {
    this.id = context.id;
    this.memory = context.memory;
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
    return this.#resultPromise();
  }

  #resultPromise(): Promise<RunResult<T>> {
    if (!this.#result) {
      const ended = this.#ended;
      if (!ended) {
        this.#result = new Promise((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      } else this.#result = ended.failed ? Promise.reject(ended.error) : Promise.resolve(ended.result as RunResult<T>);
      // A caller may ask for `result` and never await it; its rejection must not go unhandled.
      this.#result.catch(ignore);
    }
    return this.#result;
  }

  /** Stops the run: the model call, the tools and the sandbox see the abort. */
  interrupt(reason = 'interrupted by the user'): void {
    this.context.controller.abort(new AgentAbortError(`Run interrupted: ${reason}`, { reason }));
  }

  get signal(): AbortSignal {
    return this.context.signal;
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
    this.#ended ??= { result, failed: false };
    this.#resolve?.(result as RunResult<T>);
  }

  #fail(error: unknown): void {
    notify(this.context.observers, 'onRunEnd', this.context.info, { error });
    this.#ended ??= { error, failed: true };
    this.#reject?.(error);
  }

  #begin(): void {
    if (this.#started) throw new AgentError('This run is already being consumed (iterated, drained or awaited through .result): iterate a run before awaiting its result, and only once.');
    this.#started = true;
    this.context.observers = startObservers(this.context.observers, this.context.info);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AgentEvent, void, undefined> {
    this.#begin();
    // A streaming caller may look at `result` only after the stream ends.
    this.#resultPromise();
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
        this.context.controller.abort(reason);
        await this.generator.return(undefined as never).catch(ignore);
        this.#fail(reason);
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
  drain(): Promise<RunResult<T>> {
    if (this.#started) return this.#resultPromise();
    return this.#drain() as Promise<RunResult<T>>;
  }

  /**
   * @internal For `arun`: runs to the end and resolves to the final answer; a run paused on
   * approvals rejects with AgentApprovalPendingError (its snapshot resumes it).
   */
  drainOutput(): Promise<T> {
    if (this.#started) return this.#resultPromise().then(outputOf) as Promise<T>;
    return this.#drain(outputOf) as Promise<T>;
  }

  async #drain(map?: (result: RunResult) => unknown): Promise<unknown> {
    this.#begin();
    this.context.eventsHeard = this.context.observers.some((o) => o.onEvent);
    // #next's loop without its promise per event: this is every arun's path.
    let next: IteratorResult<AgentEvent, RunResult>;
    try {
      do {
        next = await this.generator.next();
        this.#deliver(next);
      } while (!next.done);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
    return map ? map(next.value) : next.value;
  }
}

/** A finished run's final answer (a module-level function: `arun` keeps no closure per run). */
function outputOf(result: RunResult): unknown {
  if (result.state === 'awaiting_approval') {
    const names = result.pendingApprovals!.map((r) => r.toolName).join(', ');
    throw new AgentApprovalPendingError(`The run is waiting for approval of: ${names}. Resume it with agent.resume(error.snapshot, { decisions }).`, result.snapshot!);
  }
  return result.output;
}
