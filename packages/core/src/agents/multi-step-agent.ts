import { AgentConfigError } from '../errors.js';
import { memoryFromJSON, stepFromJSON } from '../memory-json.js';
import type { ActionStep, MemoryStep } from '../memory.js';
import { AgentMemory } from '../memory.js';
import type { Model } from '../model.js';
import type { PromptTemplates } from '../prompts.js';
import { TEMPLATE_PLACEHOLDERS, checkTemplate, renderTemplate } from '../prompts.js';
import { LinkedController } from '../runner/abort.js';
import { errorText } from '../runner/model-call.js';
import type { AgentObserver } from '../runner/observers.js';
import { RunContext } from '../runner/run-context.js';
import type { RunResult, RunSnapshot } from '../runner/run-context.js';
import { runLoop } from '../runner/run-loop.js';
import type { LoopAgent, MaxStepsPolicy } from '../runner/run-loop.js';
import type { ModelRequest } from '../runner/model-call.js';
import type { Approver } from '../runner/tool-calls.js';
import type { AgentEvent } from '../events.js';
import type { ChatMessage } from '../messages.js';
import type { StandardJsonSchema, Tool } from '../tools.js';
import { FINAL_ANSWER, FinalAnswerTool, validateTool } from '../tools.js';
import { AgentRun } from './agent-run.js';
import { managedAgentTool } from './managed-agent-tool.js';
import type { OpenTelemetryObserver } from '../observability/telemetry.js';
import { createTelemetryObserver } from '../observability/telemetry.js';
import { AgentLogger } from '../observability/logger.js';
import type { AgentDependencies, AgentJSON } from './agent-json.js';
import { agentFromJSON, agentToJSON } from './agent-json.js';

export type { AgentOptions, FinalAnswerCheck, ResumeOptions, RunOptions, StepCallback, StepCallbackContext, StepCallbacks } from './agent-options.js';
import type { AgentOptions, FinalAnswerCheck, ResumeOptions, RunOptions, StepCallback, StepCallbackContext, StepCallbacks } from './agent-options.js';

/** The prompt variables of an agent kind, from the agent's tools (computed once per agent). */
export type PromptVariables = (tools: readonly Tool[], managedAgents: readonly MultiStepAgent[]) => Record<string, string>;

/**
 * What every agent kind shares: frozen configuration, and runs. An agent holds no per-run
 * state, so one agent serves any number of concurrent runs. A kind (ToolCallingAgent,
 * CodeAgent) adds what to send for a step and how to act on the answer; the loop in
 * runner/ does the rest. `TOutput` is the final answer's type (see `outputSchema`).
 */
export abstract class MultiStepAgent<TOutput = unknown> implements LoopAgent {
  readonly model: Model;
  readonly tools: ReadonlyMap<string, Tool>;
  readonly maxSteps: number;
  readonly instructions?: string;
  readonly maxToolConcurrency: number;
  readonly name?: string;
  readonly description?: string;
  readonly promptTemplates: Readonly<PromptTemplates>;
  readonly planningInterval?: number;
  readonly managedAgents: ReadonlyMap<string, MultiStepAgent>;
  readonly provideRunSummary: boolean;
  readonly onMaxSteps: MaxStepsPolicy;
  readonly outputSchema?: StandardJsonSchema<TOutput>;
  readonly approve?: Approver;
  /** The filled-in prompt variables (tools, managed_agents, …), computed once. */
  readonly promptValues: Readonly<Record<string, string>>;
  /** Rendered once per agent: runs never re-render it. */
  readonly systemPrompt: string;
  private readonly callbacks: Readonly<Required<Exclude<StepCallbacks, StepCallback[]>>>;
  private readonly finalAnswerChecks: readonly FinalAnswerCheck[];
  protected readonly observers: readonly AgentObserver[];
  #lastMemory: AgentMemory | undefined;

  protected constructor(options: AgentOptions<TOutput>, defaultPrompts: PromptTemplates, promptVariables: PromptVariables) {
    if (!options || typeof options.model?.agenerate !== 'function') {
      throw new AgentConfigError('An agent needs a `model` with an agenerate(messages, options) method.');
    }
    this.model = options.model;
    const tools = new Map<string, Tool>();
    for (const t of options.tools ?? []) {
      validateTool(t);
      if (tools.has(t.name)) throw new AgentConfigError(`Two tools are named "${t.name}"; tool names must be unique.`);
      tools.set(t.name, t);
    }
    if (options.outputSchema && tools.has(FINAL_ANSWER)) throw new AgentConfigError(`Give either an outputSchema or your own ${FINAL_ANSWER} tool, not both.`);
    if (!tools.has(FINAL_ANSWER)) tools.set(FINAL_ANSWER, new FinalAnswerTool(options.outputSchema));
    this.outputSchema = options.outputSchema;
    const managed = new Map<string, MultiStepAgent>();
    for (const agent of options.managedAgents ?? []) {
      if (!agent.name || !agent.description) throw new AgentConfigError('A managed agent needs a `name` and a `description`.');
      if (tools.has(agent.name)) throw new AgentConfigError(`The managed agent "${agent.name}" has the name of a tool or another managed agent.`);
      managed.set(agent.name, agent);
      tools.set(agent.name, managedAgentTool(agent));
    }
    this.managedAgents = managed;
    this.tools = tools;
    this.provideRunSummary = options.provideRunSummary ?? false;
    this.approve = options.approve;
    if (options.planningInterval !== undefined) this.planningInterval = positiveInt(options.planningInterval, 'planningInterval');
    this.maxSteps = positiveInt(options.maxSteps ?? 20, 'maxSteps');
    this.maxToolConcurrency = positiveInt(options.maxToolConcurrency ?? 8, 'maxToolConcurrency');
    const policy = options.onMaxSteps ?? 'final_answer';
    if (policy !== 'final_answer' && policy !== 'throw') throw new AgentConfigError(`onMaxSteps must be 'final_answer' or 'throw', got ${JSON.stringify(policy)}.`);
    this.onMaxSteps = policy;
    this.instructions = options.instructions;
    if (options.name !== undefined && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(options.name)) {
      throw new AgentConfigError(`Agent name "${options.name}" must be a valid identifier (letters, digits, _).`);
    }
    this.name = options.name;
    this.description = options.description;
    this.promptTemplates = Object.freeze({ ...defaultPrompts, ...options.promptTemplates });
    const sc = options.stepCallbacks;
    this.callbacks = Object.freeze(
      Array.isArray(sc)
        ? { action: [], planning: [], finalAnswer: [], all: [...sc] }
        : { action: [...(sc?.action ?? [])], planning: [...(sc?.planning ?? [])], finalAnswer: [...(sc?.finalAnswer ?? [])], all: [...(sc?.all ?? [])] },
    );
    this.finalAnswerChecks = Object.freeze([...(options.finalAnswerChecks ?? [])]);
    const telemetry = options.telemetry ?? true;
    const tracing = telemetry === false ? [] : [telemetry === true ? defaultTelemetry() : createTelemetryObserver(telemetry)];
    const display = options.verbosity && options.verbosity !== 'off' ? [new AgentLogger({ level: options.verbosity })] : [];
    this.observers = Object.freeze([...tracing, ...display, ...(options.observers ?? [])]);
    const own = [...tools.values()].filter((t) => !managed.has(t.name));
    this.promptValues = Object.freeze(promptVariables(own, [...managed.values()]));
    for (const [key, allowed] of Object.entries(TEMPLATE_PLACEHOLDERS)) {
      if (key !== 'systemPrompt') checkTemplate(this.promptTemplates[key as keyof PromptTemplates], allowed, key);
    }
    this.systemPrompt = renderTemplate(this.promptTemplates.systemPrompt, this.promptValues, 'systemPrompt');
  }

  /** The model request for a step. */
  abstract stepRequest(ctx: RunContext, step: ActionStep): ModelRequest;

  /** Acts on the model's answer: fills `step`, yielding events as they happen. */
  abstract act(ctx: RunContext, step: ActionStep, message: ChatMessage): AsyncGenerator<AgentEvent, void, undefined> | Promise<unknown> | undefined;

  /** Per-run resources (a CodeAgent's sandbox session); push their cleanup on ctx.disposers. */
  setupRun(_ctx: RunContext): Promise<void> | undefined {
    return undefined;
  }

  /** The configuration as JSON (never an API key). Rebuild with `Agent.fromJSON(json, { model, tools })`. */
  toJSON(): AgentJSON {
    return agentToJSON(this, this.extraJSON());
  }

  /** Options of a subclass to keep in toJSON. */
  protected extraJSON(): Record<string, unknown> {
    return {};
  }

  static fromJSON<T extends MultiStepAgent>(this: abstract new (...args: never[]) => T, json: AgentJSON, deps: AgentDependencies): T {
    const agent = agentFromJSON(json, deps);
    if (!(agent instanceof this)) throw new AgentConfigError(`The JSON describes a ${json.class}, not a ${this.name}.`);
    return agent;
  }

  /**
   * The memory of the last run of this agent to finish, for inspection (smolagents'
   * `agent.memory`). On an agent shared by concurrent runs, prefer the run's own memory
   * (`run.memory`, `result.steps`); to continue a conversation, pass `continueFrom`.
   */
  get memory(): AgentMemory {
    return this.#lastMemory ?? new AgentMemory({ type: 'system_prompt', systemPrompt: this.systemPrompt });
  }

  /** Starts a run and returns its handle: iterate it for events, await `.result`, or `.interrupt()` it. */
  start(task: string, options: RunOptions = {}): AgentRun<TOutput> {
    if (typeof task !== 'string' || task.trim() === '') throw new AgentConfigError('The task must be a non-empty string.');
    const maxSteps = positiveInt(options.maxSteps ?? this.maxSteps, 'maxSteps');
    const memory = new AgentMemory({ type: 'system_prompt', systemPrompt: this.systemPrompt });
    if (options.continueFrom !== undefined) memory.steps.push(...stepsOf(options.continueFrom));
    let fullTask = task;
    const state: Record<string, unknown> = {};
    if (options.additionalArgs && Object.keys(options.additionalArgs).length > 0) {
      Object.assign(state, options.additionalArgs);
      fullTask += `\nYou have been provided with these additional arguments, that you can access directly using the keys as variables:\n${JSON.stringify(options.additionalArgs)}`;
    }
    memory.steps.push({ type: 'task', task: fullTask, ...(options.images?.length ? { images: options.images } : {}) });
    return this.createRun(task, memory, maxSteps, state, options);
  }

  /**
   * Continues a run from its snapshot (JSON-safe; in this process or another): a run paused
   * on approvals (pass `decisions`), or a run checkpointed at any step boundary. Finished
   * steps are never redone.
   */
  resume(snapshot: RunSnapshot, options: ResumeOptions = {}): AgentRun<TOutput> {
    if (!snapshot || snapshot.schemaVersion !== 1) throw new AgentConfigError(`Unsupported run snapshot (schemaVersion ${String(snapshot?.schemaVersion)}).`);
    let memory: AgentMemory;
    try {
      memory = memoryFromJSON(snapshot.memory);
    } catch (error) {
      throw new AgentConfigError(`The run snapshot's memory cannot be read: ${errorText(error)}`, { cause: error });
    }
    const run = this.createRun(snapshot.task, memory, snapshot.maxSteps, { ...snapshot.state }, options, snapshot.runId);
    const ctx = run.context;
    ctx.stepNumber = snapshot.stepNumber;
    if (snapshot.firstStep !== undefined) ctx.firstStep = snapshot.firstStep;
    if (snapshot.pendingStep) ctx.pendingStep = stepFromJSON(snapshot.pendingStep) as ActionStep;
    else if (options.decisions && Object.keys(options.decisions).length > 0) {
      throw new AgentConfigError('This run did not pause on an approval: there are no decisions to give.');
    }
    for (const [id, decision] of Object.entries(options.decisions ?? {})) (ctx.approvals ??= new Map()).set(id, decision);
    return run;
  }

  private createRun(task: string, memory: AgentMemory, maxSteps: number, state: Record<string, unknown>, options: RunOptions | ResumeOptions, id?: string): AgentRun<TOutput> {
    const controller = new LinkedController(options.signal);
    const observers = options.observers?.length ? [...this.observers, ...options.observers] : this.observers;
    const info = { agentName: this.name, task, modelId: this.model.modelId, parent: options.parent };
    const ctx = new RunContext(task, memory, controller, maxSteps, options.stream ?? false, state, observers, info, id);
    if (options.attempt !== undefined) ctx.attempt = positiveInt(options.attempt, 'attempt');
    return new AgentRun<TOutput>(ctx, runLoop(this, ctx));
  }

  /**
   * Runs a task and resolves to its final answer. `{ returnFullResult: true }` resolves to the
   * RunResult (state, steps, usage); `{ stream: true }` returns the run to iterate for events.
   * A run that pauses for approval rejects with AgentApprovalPendingError (its snapshot
   * resumes it) unless the full result was asked for.
   */
  arun(task: string, options: RunOptions & { stream: true }): AgentRun<TOutput>;
  arun(task: string, options: RunOptions & { stream?: false; returnFullResult: true }): Promise<RunResult<TOutput>>;
  arun(task: string, options?: RunOptions & { stream?: false; returnFullResult?: false }): Promise<TOutput>;
  arun(task: string, options?: RunOptions): AgentRun<TOutput> | Promise<TOutput | RunResult<TOutput>>;
  arun(task: string, options: RunOptions = {}): AgentRun<TOutput> | Promise<TOutput | RunResult<TOutput>> {
    if (options.stream) return this.start(task, options);
    let run: AgentRun<TOutput>;
    try {
      run = this.start(task, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return options.returnFullResult === true ? run.drain() : run.drainOutput();
  }

  checkFinalAnswer(answer: unknown, ctx: RunContext): Promise<string | undefined> | undefined {
    // No checks (most agents): nothing to await on the final step's path.
    return this.finalAnswerChecks.length === 0 ? undefined : this.#runChecks(answer, ctx);
  }

  async #runChecks(answer: unknown, ctx: RunContext): Promise<string | undefined> {
    for (const check of this.finalAnswerChecks) {
      const label = check.name || 'anonymous';
      try {
        if (!(await check(answer, ctx.memory, this))) return `Check ${label} failed: the final answer was rejected.`;
      } catch (error) {
        return `Check ${label} failed with error: ${errorText(error)}`;
      }
    }
    return undefined;
  }

  /** Runs the step callbacks; undefined (nothing to await, a step's hot path) when there are none. */
  notifyStep(step: MemoryStep, ctx: RunContext): Promise<void> | undefined {
    const { all, action, planning, finalAnswer } = this.callbacks;
    const specific = step.type === 'action' ? action : step.type === 'planning' ? planning : step.type === 'final_answer' ? finalAnswer : [];
    if (all.length === 0 && specific.length === 0) return undefined;
    return this.#callBack(step, ctx, specific as StepCallback[]);
  }

  async #callBack(step: MemoryStep, ctx: RunContext, specific: StepCallback[]): Promise<void> {
    const context: StepCallbackContext = { agent: this, memory: ctx.memory, runId: ctx.id };
    for (const cb of specific) await cb(step, context);
    for (const cb of this.callbacks.all) await cb(step, context);
  }

  settle(ctx: RunContext): void {
    this.#lastMemory = ctx.memory;
    // The caller's signal may outlive many runs (a no-op without one).
    ctx.controller.release();
    for (const dispose of ctx.disposers.splice(0)) {
      // Cleanup must not turn a result into a failure; sessions report their own errors.
      try {
        const pending = dispose();
        if (pending) pending.catch(() => {});
      } catch {
        // ignored, as above
      }
    }
  }
}

/** The steps a continued run starts from: a finished run, its result, or its snapshot. */
function stepsOf(from: NonNullable<RunOptions['continueFrom']>): MemoryStep[] {
  if (from instanceof AgentRun) return [...from.memory.steps];
  if ('schemaVersion' in from && 'memory' in from) return memoryFromJSON(from.memory).steps;
  if (Array.isArray((from as RunResult).steps)) return [...(from as RunResult).steps];
  throw new AgentConfigError('continueFrom takes a RunResult, an AgentRun or a RunSnapshot.');
}

let sharedTelemetry: OpenTelemetryObserver | undefined;
function defaultTelemetry(): OpenTelemetryObserver {
  return (sharedTelemetry ??= createTelemetryObserver());
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`${name} must be a positive integer, got ${value}.`);
  return value;
}
