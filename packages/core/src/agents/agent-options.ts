// The options an agent and its runs take. MultiStepAgent re-exports them.
import type { ActionStep, AgentMemory, FinalAnswerStep, MemoryStep, PlanningStep } from '../memory.js';
import type { ImagePart } from '../messages.js';
import type { Model } from '../model.js';
import type { LogLevel } from '../observability/logger.js';
import type { TelemetryOptions } from '../observability/telemetry.js';
import type { PromptTemplates } from '../prompts.js';
import type { AgentObserver } from '../runner/observers.js';
import type { Approver } from '../runner/tool-calls.js';
import type { StandardJsonSchema, Tool } from '../tools.js';
import type { RunResult, RunSnapshot } from '../runner/run-context.js';
import type { AgentRun } from './agent-run.js';
import type { MultiStepAgent } from './multi-step-agent.js';

export interface StepCallbackContext {
  agent: MultiStepAgent<any>;
  memory: AgentMemory;
  runId: string;
}
export type StepCallback<S extends MemoryStep = MemoryStep> = (step: S, context: StepCallbackContext) => void | Promise<void>;

/** Callbacks for every step, or per step type. Awaited in order. */
export type StepCallbacks =
  | StepCallback[]
  | {
      action?: StepCallback<ActionStep>[];
      planning?: StepCallback<PlanningStep>[];
      finalAnswer?: StepCallback<FinalAnswerStep>[];
      all?: StepCallback[];
    };

/** Returns false (or throws) to reject a final answer; the model is told and tries again. */
export type FinalAnswerCheck = (answer: unknown, memory: AgentMemory, agent: MultiStepAgent<any>) => boolean | Promise<boolean>;

export interface AgentOptions<TOutput = unknown> {
  /** The model that writes each step (any `Model`: @smol/openai, @smol/anthropic, …). */
  model: Model;
  /** The tools the model may call; `final_answer` is added for you. */
  tools?: Tool[];
  /** Action steps before the run stops asking the model to act (see `onMaxSteps`). Default 20. */
  maxSteps?: number;
  /**
   * When the steps run out: 'final_answer' (default, as smolagents) asks the model once more
   * for an answer over the memory and ends with state 'max_steps_error'; 'throw' rejects
   * with AgentMaxStepsError.
   */
  onMaxSteps?: 'final_answer' | 'throw';
  /**
   * The final answer's schema (zod 4 or any Standard Schema with JSON Schema output).
   * `final_answer` validates against it, a mismatch goes back to the model to fix, and `arun`
   * resolves to the parsed, typed value.
   */
  outputSchema?: StandardJsonSchema<TOutput>;
  /** Extra instructions appended to the system prompt. */
  instructions?: string;
  /** Tool calls of one step that run at once. Default 8. */
  maxToolConcurrency?: number;
  /** Called (and awaited, in order) after each step: every step, or per step type. */
  stepCallbacks?: StepCallbacks;
  /** Checks each final answer; one that returns false or throws sends the model back to work. */
  finalAnswerChecks?: FinalAnswerCheck[];
  /** Needed to be used as a managed agent. */
  name?: string;
  /** What this agent does, shown to a manager agent. Needed to be used as a managed agent. */
  description?: string;
  /** Replace any of the prompts; placeholders are checked at construction. */
  promptTemplates?: Partial<PromptTemplates>;
  /** Watch every run of this agent (live display, …). */
  observers?: AgentObserver[];
  /** Live display on stderr at this level ('off' by default: a library prints nothing unasked). */
  verbosity?: LogLevel;
  /**
   * OpenTelemetry spans (run → step → model call / tool call) through @opentelemetry/api.
   * On by default; free when no SDK is registered. false turns it off.
   */
  telemetry?: boolean | TelemetryOptions;
  /** Plan before the first step and then every N steps. */
  planningInterval?: number;
  /** Named agents this agent can give tasks to, like tools. */
  managedAgents?: MultiStepAgent<any>[];
  /** As a managed agent: append a summary of the run to the report. */
  provideRunSummary?: boolean;
  /**
   * Asked (and awaited) for each call to a tool with `needsApproval`. Without it, a
   * ToolCallingAgent run pauses with state 'awaiting_approval' and a snapshot to resume.
   */
  approve?: Approver;
}

export interface ResumeOptions extends Omit<RunOptions, 'continueFrom' | 'additionalArgs' | 'images' | 'maxSteps'> {
  /** Decision per pending call id: true approves, false rejects. Calls not listed stay pending. */
  decisions?: Record<string, boolean>;
}

export interface RunOptions {
  /** Return the run itself, to iterate for events (model deltas, tool calls, steps). */
  stream?: boolean;
  /** Resolve `arun` to the RunResult (state, steps, token usage, timing) instead of the bare answer. */
  returnFullResult?: boolean;
  /**
   * Continue a conversation: this run starts from that run's memory (a RunResult, a finished
   * AgentRun, or its snapshot), then the new task. Without it every run starts fresh, so runs
   * on a shared agent never see each other.
   */
  continueFrom?: RunResult<unknown> | AgentRun<unknown> | RunSnapshot;
  /** This run's step limit, over the agent's `maxSteps`. */
  maxSteps?: number;
  /** Shown to the model with the task and kept in the run's state. */
  additionalArgs?: Record<string, unknown>;
  /** Images attached to the task (for vision models). */
  images?: ImagePart[];
  /** Cancels the run: the model call, every tool and the sandbox see it. */
  signal?: AbortSignal;
  /** Observers for this run only, after the agent's own. */
  observers?: AgentObserver[];
  /** The run (and tool call) that started this one, for tracing; set by managed-agent calls. */
  parent?: { runId: string; callId?: string };
  /** Which execution of this run this is (1 by default); durable queues count retries here. Tools see it. */
  attempt?: number;
}
