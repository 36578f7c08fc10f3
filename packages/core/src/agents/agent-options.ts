// The options an agent and its runs take. MultiStepAgent re-exports them.
import type { ActionStep, AgentMemory, FinalAnswerStep, MemoryStep, PlanningStep } from '../memory.js';
import type { ImagePart } from '../messages.js';
import type { Model } from '../model.js';
import type { LogLevel } from '../observability/logger.js';
import type { TelemetryOptions } from '../observability/telemetry.js';
import type { PromptTemplates } from '../prompts.js';
import type { AgentObserver } from '../runner/observers.js';
import type { Approver } from '../runner/tool-calls.js';
import type { Tool } from '../tools.js';
import type { MultiStepAgent } from './multi-step-agent.js';

export interface StepCallbackContext {
  agent: MultiStepAgent;
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
export type FinalAnswerCheck = (answer: unknown, memory: AgentMemory, agent: MultiStepAgent) => boolean | Promise<boolean>;

export interface AgentOptions {
  model: Model;
  tools?: Tool[];
  /** Default 20. */
  maxSteps?: number;
  /** Extra instructions appended to the system prompt. */
  instructions?: string;
  /** Tool calls of one step that run at once. Default 8. */
  maxToolConcurrency?: number;
  stepCallbacks?: StepCallbacks;
  finalAnswerChecks?: FinalAnswerCheck[];
  /** arun resolves to a RunResult instead of the bare output. */
  returnFullResult?: boolean;
  /** Needed to be used as a managed agent. */
  name?: string;
  description?: string;
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
  managedAgents?: MultiStepAgent[];
  /** As a managed agent: append a summary of the run to the report. */
  provideRunSummary?: boolean;
  /**
   * Asked (and awaited) for each call to a tool with `needsApproval`. Without it, a
   * ToolCallingAgent run pauses with state 'awaiting_approval' and a snapshot to resume.
   */
  approve?: Approver;
}

export interface ResumeOptions extends Omit<RunOptions, 'reset' | 'additionalArgs' | 'images' | 'maxSteps'> {
  /** Decision per pending call id: true approves, false rejects. Calls not listed stay pending. */
  decisions: Record<string, boolean>;
}

export interface RunOptions {
  stream?: boolean;
  /** Default true. false continues from a copy of the last finished run's memory. */
  reset?: boolean;
  maxSteps?: number;
  /** Shown to the model with the task and kept in the run's state. */
  additionalArgs?: Record<string, unknown>;
  images?: ImagePart[];
  signal?: AbortSignal;
  /** Observers for this run only, after the agent's own. */
  observers?: AgentObserver[];
  /** The run (and tool call) that started this one, for tracing; set by managed-agent calls. */
  parent?: { runId: string; callId?: string };
}
