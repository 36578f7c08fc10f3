import { AgentAbortError, AgentError, AgentGenerationError, AgentMaxStepsError, toAbortError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep, FinalAnswerStep, MemoryStep } from '../memory.js';
import type { ChatMessage } from '../messages.js';
import { contentText } from '../messages.js';
import { stepToJSON } from '../memory-json.js';
import { notify } from './observers.js';
import type { RunContext, RunResult, RunState } from './run-context.js';

/** What the loop needs from an agent; MultiStepAgent implements it. */
export interface LoopAgent {
  /** Creates the run's resources (a CodeAgent's sandbox session). */
  setupRun(ctx: RunContext): Promise<void>;
  readonly planningInterval?: number;
  /** Adds a PlanningStep to the memory, yielding its model deltas. */
  planningStep(ctx: RunContext): AsyncGenerator<AgentEvent, void, undefined>;
  /** Fills `step` (model output, tool calls or code, observations, isFinalAnswer), yielding events as they happen. */
  runStep(ctx: RunContext, step: ActionStep): AsyncGenerator<AgentEvent, void, undefined>;
  /** The answer when the steps are used up: one model call over the memory, without tools. */
  provideFinalAnswer(ctx: RunContext): Promise<ChatMessage>;
  /** Checks a final answer; returns an error message when a check fails. */
  checkFinalAnswer(answer: unknown, ctx: RunContext): Promise<string | undefined>;
  notifyStep(step: MemoryStep, ctx: RunContext): Promise<void>;
  /** Called once when the run settles, whatever the outcome. */
  settle(ctx: RunContext): void;
}

/**
 * The step loop: one async generator per run. Steps until a final answer or maxSteps,
 * then one last model call. Errors the model can fix stay on the step (and reach the
 * model as an observation); generation errors and aborts end the run.
 */
export async function* runLoop(agent: LoopAgent, ctx: RunContext): AsyncGenerator<AgentEvent, RunResult, undefined> {
  let output: unknown;
  let state: RunState = 'success';
  let finished = false;
  try {
    await agent.setupRun(ctx);
    while (!finished && ctx.stepNumber <= ctx.maxSteps) {
      if (ctx.signal.aborted) throw toAbortError(ctx.signal);
      // A resumed run continues the step it paused on, without planning or a new model call.
      const resumed = ctx.pendingStep;
      ctx.pendingStep = undefined;
      const interval = agent.planningInterval;
      if (!resumed && interval && (ctx.stepNumber - 1) % interval === 0) yield* agent.planningStep(ctx);
      notify(ctx.observers, 'onStepStart', ctx.info, ctx.stepNumber, 'action');
      const step: ActionStep = resumed ?? { type: 'action', stepNumber: ctx.stepNumber, timing: { startTime: Date.now() }, isFinalAnswer: false };
      let fatal: unknown;
      try {
        yield* agent.runStep(ctx, step);
        if (step.isFinalAnswer) {
          const failure = await agent.checkFinalAnswer(step.actionOutput, ctx);
          if (failure !== undefined) {
            step.isFinalAnswer = false;
            step.error = new AgentError(failure);
          }
        }
      } catch (error) {
        if (ctx.signal.aborted) throw toAbortError(ctx.signal);
        if (AgentGenerationError.isInstance(error) || !AgentError.isInstance(error)) fatal = error;
        step.error = AgentError.isInstance(error) ? error : new AgentError(String(error), { cause: error });
      }
      if (step.pendingApprovals && fatal === undefined) return paused(ctx, step);
      endStep(step);
      ctx.memory.steps.push(step);
      yield { type: 'action_step', step };
      await agent.notifyStep(step, ctx);
      if (fatal !== undefined) throw fatal;
      if (step.isFinalAnswer) {
        output = step.actionOutput;
        finished = true;
      }
      ctx.stepNumber++;
    }

    if (!finished) {
      output = yield* maxStepsAnswer(agent, ctx);
      state = 'max_steps_error';
    }
    const finalStep: FinalAnswerStep = { type: 'final_answer', output };
    ctx.memory.steps.push(finalStep);
    await agent.notifyStep(finalStep, ctx);
    yield { type: 'final_answer', step: finalStep, output };
    finished = true;
    const endTime = Date.now();
    return {
      runId: ctx.id,
      output,
      state,
      steps: ctx.memory.steps,
      tokenUsage: ctx.tokenUsage(),
      timing: { startTime: ctx.startTime, endTime, duration: endTime - ctx.startTime },
    };
  } catch (error) {
    // An abort surfaces as AgentAbortError whatever the layer that noticed it threw.
    if (ctx.signal.aborted && !AgentAbortError.isInstance(error)) throw toAbortError(ctx.signal);
    throw error;
  } finally {
    agent.settle(ctx);
  }
}

/** The run stops on a step whose tool calls wait for a human; the snapshot resumes it. */
function paused(ctx: RunContext, step: ActionStep): RunResult {
  const endTime = Date.now();
  const { pendingApprovals, ...rest } = step;
  return {
    runId: ctx.id,
    output: undefined,
    state: 'awaiting_approval',
    steps: ctx.memory.steps,
    tokenUsage: ctx.tokenUsage(),
    timing: { startTime: ctx.startTime, endTime, duration: endTime - ctx.startTime },
    pendingApprovals,
    snapshot: ctx.snapshot(stepToJSON(rest)),
  };
}

async function* maxStepsAnswer(agent: LoopAgent, ctx: RunContext): AsyncGenerator<AgentEvent, unknown, undefined> {
  const step: ActionStep = {
    type: 'action',
    stepNumber: ctx.stepNumber,
    timing: { startTime: Date.now() },
    isFinalAnswer: true,
    error: new AgentMaxStepsError(`Reached max steps (${ctx.maxSteps}).`),
  };
  let message: ChatMessage;
  try {
    message = await agent.provideFinalAnswer(ctx);
  } catch (error) {
    if (ctx.signal.aborted) throw toAbortError(ctx.signal);
    throw AgentGenerationError.isInstance(error) ? error : new AgentGenerationError(`Error while generating the final answer: ${errorText(error)}`, { cause: error });
  }
  step.modelOutputMessage = message;
  step.modelOutput = contentText(message.content);
  step.tokenUsage = message.tokenUsage;
  step.actionOutput = step.modelOutput;
  endStep(step);
  ctx.memory.steps.push(step);
  yield { type: 'action_step', step };
  await agent.notifyStep(step, ctx);
  return step.actionOutput;
}

function endStep(step: ActionStep): void {
  step.timing.endTime = Date.now();
  step.timing.duration = step.timing.endTime - step.timing.startTime;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
