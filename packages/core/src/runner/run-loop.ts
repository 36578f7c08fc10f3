import { AgentAbortError, AgentError, AgentExecutionError, AgentMaxStepsError, AgentParsingError, ToolArgumentsError, toAbortError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep, FinalAnswerStep, MemoryStep } from '../memory.js';
import { newActionStep } from '../memory.js';
import type { ChatMessage } from '../messages.js';
import { contentText } from '../messages.js';
import { stepToJSON } from '../memory-json.js';
import type { Model } from '../model.js';
import type { PromptTemplates } from '../prompts.js';
import { renderTemplate } from '../prompts.js';
import type { StandardJsonSchema } from '../tools.js';
import { validateWithSchema } from '../tools.js';
import type { ModelRequest } from './model-call.js';
import { errorText, generate, modelFailed, streamModel } from './model-call.js';
import { notify } from './observers.js';
import { planningStep } from './planning.js';
import type { RunContext, RunResult, RunState } from './run-context.js';
import { endStep } from './run-context.js';
import type { ToolRunner } from './tool-calls.js';
import { runToolCalls } from './tool-calls.js';
import { nextTurn, sliceSpent } from '../transport/turns.js';

/** What to do when the steps run out without a final answer. */
export type MaxStepsPolicy = 'final_answer' | 'throw';

/**
 * What an agent kind supplies: what to send for a step, and how to act on the answer.
 * Everything else (the model call, streaming, planning, tool execution, observers, errors,
 * checkpoints) is the loop's. See ToolCallingAgent for a complete kind in ~80 lines.
 */
export interface AgentKind {
  /** Creates the run's resources (a CodeAgent's sandbox session); cleanup goes on ctx.disposers. */
  setupRun(ctx: RunContext): Promise<void> | undefined;
  /** The model request for this step. */
  stepRequest(ctx: RunContext, step: ActionStep): ModelRequest;
  /**
   * Acts on the model's answer: fills `step` (tool calls or code, observations, isFinalAnswer),
   * yielding events. When nobody hears them (`ctx.eventsHeard` false) a promise is fine, or
   * nothing when it acted synchronously.
   */
  act(ctx: RunContext, step: ActionStep, message: ChatMessage): AsyncGenerator<AgentEvent, void, undefined> | Promise<unknown> | undefined;
  /** The answer text asked for after max steps, made fit to return (CodeAgent drops code). */
  answerFromText?(text: string): string;
}

/** The agent as the loop sees it: its kind, its configuration, and its per-run hooks. */
export interface LoopAgent extends AgentKind, ToolRunner {
  readonly model: Model;
  readonly planningInterval?: number;
  readonly promptTemplates: Readonly<PromptTemplates>;
  /** The filled-in prompt variables (tools, managed_agents, …). */
  readonly promptValues: Readonly<Record<string, string>>;
  readonly onMaxSteps: MaxStepsPolicy;
  readonly outputSchema?: StandardJsonSchema;
  /** Checks a final answer; resolves to an error message when a check fails. Undefined when there is nothing to check. */
  checkFinalAnswer(answer: unknown, ctx: RunContext): Promise<string | undefined> | undefined;
  /** Runs the step callbacks; undefined when there is nothing to await. */
  notifyStep(step: MemoryStep, ctx: RunContext): Promise<void> | undefined;
  /** Called once when the run settles, whatever the outcome. */
  settle(ctx: RunContext): void;
}

/**
 * The step loop: one async generator per run. Steps until a final answer or maxSteps.
 * Errors the model can fix stay on the step (and reach the model as an observation);
 * generation errors and aborts end the run. After each step `ctx.stepNumber` names the next
 * one, so a snapshot taken at an `action_step` event resumes without redoing a step.
 */
export async function* runLoop(agent: LoopAgent, ctx: RunContext): AsyncGenerator<AgentEvent, RunResult, undefined> {
  // Few locals on purpose: a run keeps this frame (every local and temporary) while its model call is in flight.
  try {
    const setup = agent.setupRun(ctx);
    if (setup) await setup;
    let answered: ActionStep | undefined;
    while (!answered && ctx.stepNumber <= ctx.maxSteps) {
      // On a busy loop (a thousand runs starting, or answers arriving, at once) other I/O goes first.
      if (sliceSpent()) await nextTurn(ctx.signal);
      if (ctx.signal.aborted) throw toAbortError(ctx.signal);
      // A resumed run continues the step it paused on, without planning or a new model call.
      const resumed = ctx.pendingStep;
      ctx.pendingStep = undefined;
      if (!resumed && planningDue(agent, ctx)) yield* planningStep(agent, ctx);
      notify(ctx.observers, 'onStepStart', ctx.info, ctx.stepNumber, 'action');
      const step: ActionStep = resumed ?? newActionStep(ctx.stepNumber);
      let fatal: unknown;
      try {
        if (resumed?.toolCalls) yield* runToolCalls(ctx, agent, step, resumed.toolCalls);
        else {
          let message: ChatMessage;
          // The request is not held while the call is in flight: the model keeps what it needs.
          if (ctx.stream) message = yield* streamModel(ctx, agent.model, step.stepNumber, agent.stepRequest(ctx, step));
          else {
            try {
              message = await generate(ctx, agent.model, step.stepNumber, agent.stepRequest(ctx, step));
            } catch (error) {
              throw modelFailed(ctx, step.stepNumber, error);
            }
          }
          if (sliceSpent()) await nextTurn(ctx.signal);
          const acting = takeAnswer(agent, ctx, step, message);
          if (acting instanceof Promise) await acting;
          else if (acting) yield* acting;
        }
        if (step.isFinalAnswer) {
          const checked = checkAnswer(agent, ctx, step);
          if (checked) await checked;
        }
      } catch (error) {
        fatal = stepFailed(ctx, step, error);
      }
      if (step.pendingApprovals && fatal === undefined) return paused(ctx, step);
      endStep(step);
      ctx.memory.steps.push(step);
      ctx.stepNumber++;
      // Nobody can see the event when the run is drained without an onEvent observer.
      if (ctx.eventsHeard) yield { type: 'action_step', step };
      const notified = agent.notifyStep(step, ctx);
      if (notified) await notified;
      if (fatal !== undefined) throw stepFatal(fatal, step);
      if (step.isFinalAnswer) answered = step;
    }
    // Unheard, an answered run ends without the final_answer event: no generator to delegate to.
    if (answered && !ctx.eventsHeard) return answeredUnheard(agent, ctx, answered.actionOutput);
    return yield* finishRun(agent, ctx, answered);
  } catch (error) {
    // An abort surfaces as AgentAbortError whatever the layer that noticed it threw.
    if (ctx.signal.aborted && !AgentAbortError.isInstance(error)) throw toAbortError(ctx.signal);
    throw error;
  } finally {
    agent.settle(ctx);
  }
}

function planningDue(agent: LoopAgent, ctx: RunContext): boolean {
  const interval = agent.planningInterval;
  return !!interval && (ctx.stepNumber - 1) % interval === 0;
}

/** The model's answer on the step, then the agent acts on it. */
function takeAnswer(agent: LoopAgent, ctx: RunContext, step: ActionStep, message: ChatMessage): ReturnType<AgentKind['act']> {
  if (ctx.signal.aborted) throw toAbortError(ctx.signal);
  step.modelOutputMessage = message;
  step.modelOutput = contentText(message.content);
  step.tokenUsage = message.tokenUsage;
  return agent.act(ctx, step, message);
}

/**
 * A step's error goes on the step (and so to the model, as an observation). Returned when it must
 * end the run: the model can fix what it wrote, not a failed model call, a missing key or a bug.
 */
function stepFailed(ctx: RunContext, step: ActionStep, error: unknown): unknown {
  if (ctx.signal.aborted) throw toAbortError(ctx.signal);
  step.error = AgentError.isInstance(error) ? error : new AgentError(String(error), { cause: error });
  const fixable = AgentParsingError.isInstance(error) || AgentExecutionError.isInstance(error) || ToolArgumentsError.isInstance(error);
  return fixable ? undefined : error;
}

function stepFatal(fatal: unknown, step: ActionStep): unknown {
  if (AgentError.isInstance(fatal)) fatal.stepNumber ??= step.stepNumber;
  return fatal;
}

/** After the last step: the answer (asked for once more when the steps ran out), recorded, told, returned. */
async function* finishRun(agent: LoopAgent, ctx: RunContext, answered: ActionStep | undefined): AsyncGenerator<AgentEvent, RunResult, undefined> {
  let output: unknown;
  let state: RunState = 'success';
  if (answered) output = answered.actionOutput;
  else {
    output = yield* maxStepsAnswer(agent, ctx);
    state = 'max_steps_error';
  }
  const finalStep: FinalAnswerStep = { type: 'final_answer', output };
  const notified = recordFinal(agent, ctx, finalStep);
  if (notified) await notified;
  yield { type: 'final_answer', step: finalStep, output };
  return result(ctx, state, output);
}

/** finishRun for an answered run that nobody hears: no final_answer event, so no generator and no extra turn. */
function answeredUnheard(agent: LoopAgent, ctx: RunContext, output: unknown): RunResult | Promise<RunResult> {
  const notified = recordFinal(agent, ctx, { type: 'final_answer', output });
  return notified ? notified.then(() => result(ctx, 'success', output)) : result(ctx, 'success', output);
}

/** The final-answer step into memory, then the step callbacks; undefined when there is nothing to await. */
function recordFinal(agent: LoopAgent, ctx: RunContext, finalStep: FinalAnswerStep): Promise<void> | undefined {
  ctx.memory.steps.push(finalStep);
  return agent.notifyStep(finalStep, ctx);
}

/**
 * The user's checks, then the output schema: a failure goes back to the model as the step's
 * error. Undefined when there is nothing to check (no await on the final step's path).
 */
function checkAnswer(agent: LoopAgent, ctx: RunContext, step: ActionStep): Promise<void> | undefined {
  const checks = agent.checkFinalAnswer(step.actionOutput, ctx);
  if (!checks && !agent.outputSchema) return undefined;
  return checkAnswerFully(agent, step, checks);
}

async function checkAnswerFully(agent: LoopAgent, step: ActionStep, checks: Promise<string | undefined> | undefined): Promise<void> {
  let failure = await checks;
  if (failure === undefined && agent.outputSchema) {
    try {
      step.actionOutput = await validateWithSchema(agent.outputSchema, step.actionOutput, 'final answer');
    } catch (error) {
      failure = `${errorText(error)}\nCall final_answer again with an answer that matches the required format.`;
    }
  }
  if (failure !== undefined) {
    step.isFinalAnswer = false;
    step.error = new AgentError(failure);
  }
}

function result(ctx: RunContext, state: RunState, output: unknown, extra?: Partial<RunResult>): RunResult {
  const endTime = Date.now();
  let actionSteps = 0;
  for (let i = ctx.firstStep; i < ctx.memory.steps.length; i++) if (ctx.memory.steps[i].type === 'action') actionSteps++;
  return {
    runId: ctx.id,
    output,
    state,
    steps: ctx.memory.steps,
    actionSteps,
    tokenUsage: ctx.tokenUsage(),
    timing: { startTime: ctx.startTime, endTime, duration: endTime - ctx.startTime },
    ...extra,
  };
}

/** The run stops on a step whose tool calls wait for a human; the snapshot resumes it. */
function paused(ctx: RunContext, step: ActionStep): RunResult {
  const { pendingApprovals, ...rest } = step;
  return result(ctx, 'awaiting_approval', undefined, { pendingApprovals, snapshot: ctx.snapshot(stepToJSON(rest)) });
}

/**
 * Out of steps: with onMaxSteps 'throw', an AgentMaxStepsError; otherwise one last model call
 * over the memory, without tools (smolagents' behaviour), recorded as step maxSteps + 1.
 */
async function* maxStepsAnswer(agent: LoopAgent, ctx: RunContext): AsyncGenerator<AgentEvent, unknown, undefined> {
  const reached = `Reached max steps (${ctx.maxSteps}) without a final answer.`;
  if (agent.onMaxSteps === 'throw') throw new AgentMaxStepsError(reached);
  const step = newActionStep(ctx.stepNumber);
  step.isFinalAnswer = true;
  step.error = new AgentMaxStepsError(reached);
  const t = agent.promptTemplates;
  const request: ModelRequest = {
    messages: [
      { role: 'system', content: t.finalAnswerPre },
      ...ctx.memory.toMessages().slice(1),
      { role: 'user', content: renderTemplate(t.finalAnswerPost, { task: ctx.task }, 'finalAnswerPost') },
    ],
    options: {},
  };
  const message = yield* streamModel(ctx, agent.model, step.stepNumber, request);
  step.modelOutputMessage = message;
  step.modelOutput = contentText(message.content);
  step.tokenUsage = message.tokenUsage;
  const text = agent.answerFromText ? agent.answerFromText(step.modelOutput) : step.modelOutput.trim();
  endStep(step);
  ctx.memory.steps.push(step);
  ctx.stepNumber++;
  if (!text) throw new AgentMaxStepsError(`${reached} Asked for an answer over the memory, the model gave none.`);
  step.actionOutput = agent.outputSchema ? await answerMatching(agent.outputSchema, text, reached) : text;
  yield { type: 'action_step', step };
  const notified = agent.notifyStep(step, ctx);
  if (notified) await notified;
  return step.actionOutput;
}

/** The last answer as text, or as JSON when the output schema wants a structure. */
async function answerMatching(schema: StandardJsonSchema, text: string, reached: string): Promise<unknown> {
  try {
    return await validateWithSchema(schema, text, 'final answer');
  } catch {
    try {
      return await validateWithSchema(schema, JSON.parse(text), 'final answer');
    } catch (error) {
      throw new AgentMaxStepsError(`${reached} The answer asked for over the memory does not match the output schema: ${errorText(error)}`, { cause: error });
    }
  }
}

