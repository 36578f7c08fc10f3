import type { ActionStep, AgentMemory, ApprovalRequest, MemoryStep, Timing } from '../memory.js';
import type { MemoryJSON } from '../memory-json.js';
import { memoryToJSON } from '../memory-json.js';
import type { TokenUsage } from '../messages.js';
import type { GenerateOptions } from '../model.js';
import { addUsage } from '../messages.js';
import type { LinkedController } from './abort.js';
import type { AgentObserver, RunInfo } from './observers.js';

/**
 * How a run ended: 'success' (the model gave a final answer), 'max_steps_error' (the steps ran
 * out and the answer was asked for once more, over the memory: see `onMaxSteps`), or
 * 'awaiting_approval' (paused on tool calls a human must decide on; see `snapshot`).
 */
export type RunState = 'success' | 'max_steps_error' | 'awaiting_approval';

export interface RunResult<T = unknown> {
  runId: string;
  output: T;
  state: RunState;
  /**
   * Every memory step of the run, in order: the task, planning steps, action steps and the
   * final-answer entry (a continued run starts with the earlier run's steps). The answer asked
   * for after max steps is an action step numbered maxSteps + 1.
   */
  steps: MemoryStep[];
  /** How many action steps (model calls that acted) this run took. */
  actionSteps: number;
  /** Summed over the run's steps; null when any model call reported no usage. */
  tokenUsage: TokenUsage | null;
  timing: { startTime: number; endTime: number; duration: number };
  /** state 'awaiting_approval': the calls waiting for a decision, and what agent.resume() takes. */
  pendingApprovals?: ApprovalRequest[];
  snapshot?: RunSnapshot;
}

/**
 * A run between two steps, as JSON (no secrets): agent.resume(snapshot) continues it, in this
 * process or another. Taken by `run.toJSON()` at any step boundary (when an `action_step` or
 * `planning_step` event arrives) or when the run paused on approvals.
 */
export interface RunSnapshot {
  schemaVersion: 1;
  runId: string;
  agentName?: string;
  task: string;
  /** The number of the next step to run. */
  stepNumber: number;
  maxSteps: number;
  state: Record<string, unknown>;
  memory: MemoryJSON;
  /** Index of this run's first memory step (earlier ones come from a continued run). */
  firstStep?: number;
  /** The step the run paused on; absent when the run did not pause. */
  pendingStep?: Record<string, unknown>;
}

/** Everything that changes during one run. The agent holds none of it. */
export class RunContext {
  readonly id: string;
  /** The controller's signal, read at every step. */
  readonly signal: AbortSignal;
  readonly startTime = Date.now();
  stepNumber = 1;
  /** Tool calls made from CodeAgent code so far; numbers their call ids. */
  codeToolCalls = 0;
  /** Resources the run owns (sandbox sessions, …), released when it settles. */
  readonly disposers: (() => Promise<void> | void)[] = [];
  /** Index of this run's first step in memory (memory may continue an earlier run). */
  firstStep: number;
  /** 1, or more when a durable run redoes the step that was in flight (see ToolContext.attempt). */
  attempt = 1;
  /** What observers are told about this run. */
  readonly info: RunInfo;
  /** Decisions on tool calls carried into a resumed run, by call id. */
  approvals?: Map<string, boolean>;
  /** Whether anyone sees the run's events: false when it is drained (arun) and no observer has onEvent; then the hot events are not made. */
  eventsHeard = true;
  /** The step a resumed run continues with (its model output and tool calls are already there). */
  pendingStep?: ActionStep;
  /** The last frozen request options and their copy with the run's signal: an agent sends the same every step. */
  optionsSent?: object;
  optionsWithSignal?: GenerateOptions;

  constructor(
    readonly task: string,
    readonly memory: AgentMemory,
    /** The run's controller: it follows the caller's signal, if any, until the run settles; `interrupt()` aborts it. */
    readonly controller: LinkedController,
    readonly maxSteps: number,
    readonly stream: boolean,
    /** additionalArgs and values tools or code keep for later steps. */
    readonly state: Record<string, unknown>,
    /** Who watches the run; narrowed at its start to the observers that follow it. */
    public observers: readonly AgentObserver[],
    info: Omit<RunInfo, 'runId'>,
    id: string = newRunId(),
  ) {
    this.id = id;
    this.signal = controller.signal;
    this.firstStep = memory.steps.length;
    // Listed, not spread: a spread object keeps its later fields in a second allocation, for the run's life.
    this.info = { runId: id, agentName: info.agentName, task: info.task, modelId: info.modelId, parent: info.parent };
  }

  /** The run as JSON: memory, state and counters; with the step it paused on, if any. */
  snapshot(pendingStep?: Record<string, unknown>): RunSnapshot {
    return {
      schemaVersion: 1,
      runId: this.id,
      agentName: this.info.agentName,
      task: this.task,
      stepNumber: this.stepNumber,
      maxSteps: this.maxSteps,
      state: JSON.parse(JSON.stringify(this.state)) as Record<string, unknown>,
      memory: memoryToJSON(this.memory),
      firstStep: this.firstStep,
      ...(pendingStep ? { pendingStep } : {}),
    } as RunSnapshot;
  }

  tokenUsage(): TokenUsage | null {
    let total: TokenUsage | undefined = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    for (let i = this.firstStep; i < this.memory.steps.length; i++) {
      const step = this.memory.steps[i];
      if (step.type !== 'action' && step.type !== 'planning') continue;
      if (!step.tokenUsage) return null;
      total = addUsage(total, step.tokenUsage);
    }
    return total ?? null;
  }
}

/**
 * A random UUID, flat. randomUUID builds its string by concatenation, a tree of a dozen cons
 * strings (about 400 bytes) that a run would hold for its whole life; normalize() returns one
 * flat string (a UUID is ASCII: nothing else changes).
 */
function newRunId(): string {
  return crypto.randomUUID().normalize();
}

/** Stamps a finished step's end time and duration (a new `timing` object). */
export function endStep(step: { timing: Timing }): void {
  const { startTime } = step.timing;
  const endTime = Date.now();
  // A new object rather than two fields added to the old one: added fields need a second allocation, kept as long as the step.
  step.timing = { startTime, endTime, duration: endTime - startTime };
}
