import { AgentConfigError, AgentGenerationError, ModelStreamingNotSupportedError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { ChatMessage } from '../messages.js';
import { StreamAccumulator } from '../messages.js';
import type { GenerateOptions, Model } from '../model.js';
import { raceAbort } from './abort.js';
import { notify } from './observers.js';
import type { RunContext } from './run-context.js';

/** One model request of a step: what an agent kind asks the loop to send. */
export interface ModelRequest {
  messages: ChatMessage[];
  /** Everything but the signal, which is the run's. */
  options: Omit<GenerateOptions, 'signal'>;
}

/**
 * The one place a run calls its model. Streamed when the run streams (each delta yielded),
 * a plain call otherwise. Observers hear of it; a failure that is not an abort or a
 * configuration mistake ends the run as AgentGenerationError.
 */
export async function* streamModel(ctx: RunContext, model: Model, stepNumber: number, request: ModelRequest): AsyncGenerator<AgentEvent, ChatMessage, undefined> {
  if (!ctx.stream) {
    try {
      return await generate(ctx, model, stepNumber, request);
    } catch (error) {
      throw modelFailed(ctx, stepNumber, error);
    }
  }
  notify(ctx.observers, 'onModelCallStart', ctx.info, stepNumber, request.messages);
  try {
    if (typeof model.agenerateStream !== 'function') {
      throw new ModelStreamingNotSupportedError(`The model ${model.modelId} cannot stream: it has no agenerateStream. Run without { stream: true }.`);
    }
    const acc = new StreamAccumulator();
    const stream = model.agenerateStream(request.messages, withSignal(ctx, request.options));
    for await (const delta of model.settlesOnAbort ? stream : untilAbort(stream, ctx.signal)) {
      acc.add(delta);
      yield { type: 'model_delta', stepNumber, delta };
    }
    const message = acc.toMessage();
    notify(ctx.observers, 'onModelCallEnd', ctx.info, stepNumber, { message });
    return message;
  } catch (error) {
    throw modelFailed(ctx, stepNumber, error);
  }
}

/**
 * The plain (not streamed) model call; a run that does not stream pays for no generator, and
 * (a promise chain) for no suspended frame while the call is in flight. It rejects with what the
 * model threw: the caller's try/catch passes that through `modelFailed`, which costs nothing
 * while the call is in flight, where a `.catch` here would keep a reaction and a closure.
 */
export function generate(ctx: RunContext, model: Model, stepNumber: number, request: ModelRequest): Promise<ChatMessage> {
  notify(ctx.observers, 'onModelCallStart', ctx.info, stepNumber, request.messages);
  let answer: Promise<ChatMessage>;
  try {
    answer = model.agenerate(request.messages, withSignal(ctx, request.options));
  } catch (error) {
    answer = Promise.reject(error);
  }
  if (!model.settlesOnAbort) answer = raceAbort(answer, ctx.signal);
  if (ctx.observers.length === 0) return answer;
  return answer.then((message) => {
    notify(ctx.observers, 'onModelCallEnd', ctx.info, stepNumber, { message });
    return message;
  });
}

/**
 * A stream's deltas until `signal` aborts, even from a model that ignores the signal: the wait for
 * the next delta ends at the abort, and the stream is told to stop without being waited for.
 */
async function* untilAbort<T>(stream: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T, void, undefined> {
  const iterator = stream[Symbol.asyncIterator]();
  // As with for await, a stream that ended or failed by itself is not told to stop.
  let ended = false;
  try {
    for (;;) {
      const next = await raceAbort(Promise.resolve(iterator.next()), signal);
      if (next.done) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } catch (error) {
    ended = !signal.aborted;
    throw error;
  } finally {
    if (!ended) {
      // A stream that ignores the signal may never answer return(): after an abort it is not waited for.
      const stopped = Promise.resolve(iterator.return?.()).catch(() => {});
      if (!signal.aborted) await stopped;
    }
  }
}

/** The request's options with the run's signal; the same object for every step that sends the same options (an agent's are frozen). */
function withSignal(ctx: RunContext, options: ModelRequest['options']): GenerateOptions {
  if (ctx.optionsSent === options) return ctx.optionsWithSignal!;
  const withRunSignal = { ...options, signal: ctx.signal };
  if (Object.isFrozen(options)) {
    ctx.optionsSent = options;
    ctx.optionsWithSignal = Object.freeze(withRunSignal);
  }
  return withRunSignal;
}

/** A failed model call as the run sees it: observers are told, and what is not an abort or the user's to fix becomes AgentGenerationError. */
export function modelFailed(ctx: RunContext, stepNumber: number, error: unknown): unknown {
  notify(ctx.observers, 'onModelCallEnd', ctx.info, stepNumber, { error });
  // Aborts become AgentAbortError in the loop; a missing key is the user's to fix, unwrapped.
  if (ctx.signal.aborted || AgentConfigError.isInstance(error) || AgentGenerationError.isInstance(error)) return error;
  return new AgentGenerationError(`Error while generating output: ${errorText(error)}`, { cause: error });
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
