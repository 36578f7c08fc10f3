import { AgentApprovalPendingError, AgentConfigError, AgentGenerationError, ModelStreamingNotSupportedError } from '../errors.js';
import { memoryFromJSON, stepFromJSON } from '../memory-json.js';
import type { Approver } from '../runner/tool-calls.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep, MemoryStep, PlanningStep } from '../memory.js';
import { AgentMemory } from '../memory.js';
import type { ChatMessage } from '../messages.js';
import { StreamAccumulator, contentText } from '../messages.js';
import type { GenerateOptions, Model } from '../model.js';
import type { PromptTemplates } from '../prompts.js';
import { TEMPLATE_PLACEHOLDERS, checkTemplate, renderTemplate } from '../prompts.js';
import { linkedController } from '../runner/abort.js';
import type { AgentObserver } from '../runner/observers.js';
import { notify } from '../runner/observers.js';
import { RunContext } from '../runner/run-context.js';
import type { RunSnapshot } from '../runner/run-context.js';
import { runLoop, errorText } from '../runner/run-loop.js';
import type { LoopAgent } from '../runner/run-loop.js';
import type { Tool } from '../tools.js';
import { FinalAnswerTool, validateTool } from '../tools.js';
import { AgentRun } from './agent-run.js';
import { managedAgentTool } from './managed-agent-tool.js';
import type { OpenTelemetryObserver } from '../observability/telemetry.js';
import { createTelemetryObserver } from '../observability/telemetry.js';
import { AgentLogger } from '../observability/logger.js';
import type { AgentDependencies, AgentJSON } from './agent-json.js';
import { agentFromJSON, agentToJSON } from './agent-json.js';

export type { AgentOptions, FinalAnswerCheck, ResumeOptions, RunOptions, StepCallback, StepCallbackContext, StepCallbacks } from './agent-options.js';
import type { AgentOptions, FinalAnswerCheck, ResumeOptions, RunOptions, StepCallback, StepCallbackContext, StepCallbacks } from './agent-options.js';

/** The shared step loop. An agent is frozen configuration; every run is its own object. */
export abstract class MultiStepAgent implements LoopAgent {
  readonly model: Model;
  readonly tools: ReadonlyMap<string, Tool>;
  readonly maxSteps: number;
  readonly instructions?: string;
  readonly maxToolConcurrency: number;
  readonly returnFullResult: boolean;
  readonly name?: string;
  readonly description?: string;
  readonly promptTemplates: Readonly<PromptTemplates>;
  readonly planningInterval?: number;
  readonly managedAgents: ReadonlyMap<string, MultiStepAgent>;
  readonly provideRunSummary: boolean;
  protected readonly approve?: Approver;
  /** The filled-in prompt variables (tools, managed_agents, …), computed once. */
  protected readonly promptValues: Readonly<Record<string, string>>;
  /** Rendered once per agent: runs never re-render it. */
  readonly systemPrompt: string;
  private readonly callbacks: Readonly<Required<Exclude<StepCallbacks, StepCallback[]>>>;
  private readonly finalAnswerChecks: readonly FinalAnswerCheck[];
  protected readonly observers: readonly AgentObserver[];
  #lastMemory: AgentMemory | undefined;

  protected constructor(options: AgentOptions, defaultPrompts: PromptTemplates, promptContext?: unknown) {
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
    if (!tools.has('final_answer')) tools.set('final_answer', new FinalAnswerTool());
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
    this.instructions = options.instructions;
    this.returnFullResult = options.returnFullResult ?? false;
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
    // Subclass fields are not set yet here: what the prompt needs from them comes as promptContext.
    this.promptValues = Object.freeze(this.promptVariables(promptContext));
    for (const [key, allowed] of Object.entries(TEMPLATE_PLACEHOLDERS)) {
      if (key !== 'systemPrompt') checkTemplate(this.promptTemplates[key as keyof PromptTemplates], allowed, key);
    }
    this.systemPrompt = renderTemplate(this.promptTemplates.systemPrompt, this.promptValues, 'systemPrompt');
  }

  /** The values the system prompt template can use. */
  protected abstract promptVariables(promptContext?: unknown): Record<string, string>;

  /** One step: call the model, act, and fill `step`. */
  abstract runStep(ctx: RunContext, step: ActionStep): AsyncGenerator<AgentEvent, void, undefined>;

  /** Per-run resources (a CodeAgent's sandbox session); push their cleanup on ctx.disposers. */
  async setupRun(_ctx: RunContext): Promise<void> {}

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

  /** The memory of the last run to finish (successfully or not). */
  get memory(): AgentMemory {
    return this.#lastMemory ?? new AgentMemory({ type: 'system_prompt', systemPrompt: this.systemPrompt });
  }

  /** Starts a run and returns its handle: iterate it for events, await `.result`, or `.interrupt()` it. */
  start(task: string, options: RunOptions = {}): AgentRun {
    if (typeof task !== 'string' || task.trim() === '') throw new AgentConfigError('The task must be a non-empty string.');
    const maxSteps = positiveInt(options.maxSteps ?? this.maxSteps, 'maxSteps');
    const memory = options.reset === false && this.#lastMemory ? this.#lastMemory.clone() : new AgentMemory({ type: 'system_prompt', systemPrompt: this.systemPrompt });
    let fullTask = task;
    const state: Record<string, unknown> = {};
    if (options.additionalArgs && Object.keys(options.additionalArgs).length > 0) {
      Object.assign(state, options.additionalArgs);
      fullTask += `\nYou have been provided with these additional arguments, that you can access directly using the keys as variables:\n${JSON.stringify(options.additionalArgs)}`;
    }
    memory.steps.push({ type: 'task', task: fullTask, ...(options.images?.length ? { images: options.images } : {}) });
    return this.createRun(task, memory, maxSteps, state, options);
  }

  /** Continues a run that paused on tool calls needing approval, from its snapshot (JSON-safe). */
  resume(snapshot: RunSnapshot, options: ResumeOptions): AgentRun {
    if (!snapshot || snapshot.schemaVersion !== 1) throw new AgentConfigError(`Unsupported run snapshot (schemaVersion ${String(snapshot?.schemaVersion)}).`);
    if (!snapshot.pendingStep) throw new AgentConfigError('This run did not pause on an approval: there is nothing to resume.');
    const memory = memoryFromJSON(snapshot.memory);
    const run = this.createRun(snapshot.task, memory, snapshot.maxSteps, { ...snapshot.state }, options, snapshot.runId);
    const ctx = run.context;
    ctx.stepNumber = snapshot.stepNumber;
    ctx.pendingStep = stepFromJSON(snapshot.pendingStep) as ActionStep;
    for (const [id, decision] of Object.entries(options.decisions ?? {})) ctx.approvals.set(id, decision);
    return run;
  }

  private createRun(task: string, memory: AgentMemory, maxSteps: number, state: Record<string, unknown>, options: RunOptions, id?: string): AgentRun {
    const { controller, release } = linkedController(options.signal);
    const observers = options.observers?.length ? [...this.observers, ...options.observers] : this.observers;
    const info = { agentName: this.name, task, modelId: this.model.modelId, parent: options.parent };
    const ctx = new RunContext(task, memory, controller.signal, maxSteps, options.stream ?? false, state, observers, info, id);
    ctx.disposers.push(release);
    return new AgentRun(ctx, runLoop(this, ctx), controller);
  }

  /** Runs a task. With `{ stream: true }`, returns the run to iterate for events. */
  arun(task: string, options: RunOptions & { stream: true }): AgentRun;
  arun(task: string, options?: RunOptions): Promise<unknown>;
  arun(task: string, options: RunOptions = {}): AgentRun | Promise<unknown> {
    if (options.stream) return this.start(task, options);
    let run: AgentRun;
    try {
      run = this.start(task, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return run.drain().then((result) => {
      if (this.returnFullResult) return result;
      if (result.state === 'awaiting_approval') {
        const names = result.pendingApprovals!.map((r) => r.toolName).join(', ');
        throw new AgentApprovalPendingError(`The run is waiting for approval of: ${names}. Resume it with agent.resume(error.snapshot, { decisions }).`, result.snapshot);
      }
      return result.output;
    });
  }

  /** A planning step: the first plan, or an update from the memory in summary mode. */
  async *planningStep(ctx: RunContext): AsyncGenerator<AgentEvent, void, undefined> {
    const step: PlanningStep = { type: 'planning', plan: '', timing: { startTime: Date.now() } };
    notify(ctx.observers, 'onStepStart', ctx.info, ctx.stepNumber, 'planning');
    const first = !ctx.memory.steps.some((s, i) => i >= ctx.firstStep && s.type === 'planning');
    const t = this.promptTemplates;
    const vars = { task: ctx.task, tools: this.promptValues.tools ?? '', managed_agents: this.promptValues.managed_agents ?? '' };
    const messages: ChatMessage[] = first
      ? [userText(renderTemplate(t.planningInitial, vars, 'planningInitial'))]
      : [
          { role: 'system', content: [{ type: 'text', text: renderTemplate(t.planningUpdatePre, vars, 'planningUpdatePre') }] },
          ...ctx.memory.toMessages(true),
          userText(renderTemplate(t.planningUpdatePost, { ...vars, remaining_steps: String(ctx.maxSteps - ctx.stepNumber + 1) }, 'planningUpdatePost')),
        ];
    const planOptions: GenerateOptions = { stopSequences: ['<end_plan>'], signal: ctx.signal };
    const message = ctx.stream ? yield* this.callModel(ctx, ctx.stepNumber, messages, planOptions) : await this.generate(ctx, ctx.stepNumber, messages, planOptions);
    const text = contentText(message.content).replace('<end_plan>', '').trim();
    step.plan = first
      ? `Here are the facts I know and the plan of action that I will follow to solve the task:\n\`\`\`\n${text}\n\`\`\``
      : `I still need to solve the task I was given:\n\`\`\`\n${ctx.task}\n\`\`\`\n\nHere are the facts I know and my new/updated plan of action to solve the task:\n\`\`\`\n${text}\n\`\`\``;
    step.modelOutputMessage = message;
    step.tokenUsage = message.tokenUsage;
    step.timing.endTime = Date.now();
    step.timing.duration = step.timing.endTime - step.timing.startTime;
    ctx.memory.steps.push(step);
    yield { type: 'planning_step', step };
    await this.notifyStep(step, ctx);
  }

  async provideFinalAnswer(ctx: RunContext): Promise<ChatMessage> {
    const messages: ChatMessage[] = [{ role: 'system', content: [{ type: 'text', text: this.promptTemplates.finalAnswerPre }] }];
    messages.push(...ctx.memory.toMessages().slice(1));
    const post = renderTemplate(this.promptTemplates.finalAnswerPost, { task: ctx.task }, 'finalAnswerPost');
    messages.push({ role: 'user', content: [{ type: 'text', text: post }] });
    return this.model.agenerate(messages, { signal: ctx.signal });
  }

  async checkFinalAnswer(answer: unknown, ctx: RunContext): Promise<string | undefined> {
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

  async notifyStep(step: MemoryStep, ctx: RunContext): Promise<void> {
    const { all, action, planning, finalAnswer } = this.callbacks;
    const specific = step.type === 'action' ? action : step.type === 'planning' ? planning : step.type === 'final_answer' ? finalAnswer : [];
    if (all.length === 0 && specific.length === 0) return;
    const context: StepCallbackContext = { agent: this, memory: ctx.memory, runId: ctx.id };
    for (const cb of specific as StepCallback[]) await cb(step, context);
    for (const cb of all) await cb(step, context);
  }

  settle(ctx: RunContext): void {
    this.#lastMemory = ctx.memory;
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

  /**
   * One model call for a step: streamed (each delta yielded) when the run streams, a plain
   * call otherwise. A failure that is not an abort ends the run as AgentGenerationError.
   * Callers use `ctx.stream ? yield* this.callModel(…) : await this.generate(…)`, so a run
   * that does not stream pays for no generator here.
   */
  protected async *callModel(ctx: RunContext, stepNumber: number, messages: ChatMessage[], options: GenerateOptions): AsyncGenerator<AgentEvent, ChatMessage, undefined> {
    if (!ctx.stream) return this.generate(ctx, stepNumber, messages, options);
    notify(ctx.observers, 'onModelCallStart', ctx.info, stepNumber, messages);
    try {
      if (typeof this.model.agenerateStream !== 'function') {
        throw new ModelStreamingNotSupportedError(`The model ${this.model.modelId} cannot stream: it has no agenerateStream. Run without { stream: true }.`);
      }
      const acc = new StreamAccumulator();
      for await (const delta of this.model.agenerateStream(messages, options)) {
        acc.add(delta);
        yield { type: 'model_delta', stepNumber, delta };
      }
      const message = acc.toMessage();
      notify(ctx.observers, 'onModelCallEnd', ctx.info, stepNumber, { message });
      return message;
    } catch (error) {
      throw this.modelFailed(ctx, stepNumber, error);
    }
  }

  /** The plain (not streamed) model call of a step. */
  protected async generate(ctx: RunContext, stepNumber: number, messages: ChatMessage[], options: GenerateOptions): Promise<ChatMessage> {
    notify(ctx.observers, 'onModelCallStart', ctx.info, stepNumber, messages);
    try {
      const message = await this.model.agenerate(messages, options);
      notify(ctx.observers, 'onModelCallEnd', ctx.info, stepNumber, { message });
      return message;
    } catch (error) {
      throw this.modelFailed(ctx, stepNumber, error);
    }
  }

  private modelFailed(ctx: RunContext, stepNumber: number, error: unknown): unknown {
    notify(ctx.observers, 'onModelCallEnd', ctx.info, stepNumber, { error });
    if (ctx.signal.aborted) return error;
    return AgentGenerationError.isInstance(error) ? error : new AgentGenerationError(`Error while generating output: ${errorText(error)}`, { cause: error });
  }

}

let sharedTelemetry: OpenTelemetryObserver | undefined;
function defaultTelemetry(): OpenTelemetryObserver {
  return (sharedTelemetry ??= createTelemetryObserver());
}

function userText(text: string): ChatMessage {
  return { role: 'user', content: [{ type: 'text', text }] };
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new AgentConfigError(`${name} must be a positive integer, got ${value}.`);
  return value;
}
