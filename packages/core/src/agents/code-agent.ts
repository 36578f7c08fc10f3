import type { CodeBlockTags } from '../code/parse-code.js';
import { DEFAULT_CODE_TAGS, MARKDOWN_CODE_TAGS, closeCodeBlock, parseCode } from '../code/parse-code.js';
import { CODE_AGENT_PROMPTS, toolAsJsSignature } from '../code/code-prompts.js';
import type { CodeExecutor, CodeLimits, CodeSession } from '../code/executor.js';
import { DEFAULT_CODE_LIMITS } from '../code/executor.js';
import { AgentAbortError, AgentConfigError, AgentExecutionError, AgentParsingError, toAbortError } from '../errors.js';
import type { ResponseFormat } from '../model.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep } from '../memory.js';
import { contentText } from '../messages.js';
import type { GenerateOptions } from '../model.js';
import { raceAbort } from '../runner/abort.js';
import { notify } from '../runner/observers.js';
import type { RunContext } from '../runner/run-context.js';
import { errorText } from '../runner/run-loop.js';
import { observationText } from '../runner/tool-calls.js';
import { describeManagedAgents } from '../prompts.js';
import { ToolArgumentsError, parseToolArguments } from '../tools.js';
import type { AgentOptions } from './multi-step-agent.js';
import { MultiStepAgent } from './multi-step-agent.js';
import { registerAgentClass } from './agent-json.js';

export interface CodeAgentOptions extends AgentOptions {
  /** Runs the code. Default: @smol/sandbox's shared QuickJS worker pool (install @smol/sandbox). */
  executor?: CodeExecutor;
  /** Sandbox limits for this agent's runs, over the executor's own (whose defaults are DEFAULT_CODE_LIMITS). */
  limits?: Partial<CodeLimits>;
  /** `['<code>', '</code>']` (default), `'markdown'` for ```js fences, or your own pair. */
  codeBlockTags?: CodeBlockTags | 'markdown';
  modelParameters?: Record<string, unknown>;
  /** Ask the model for JSON `{ thought, code }` through structured outputs instead of tagged code. */
  useStructuredOutputs?: boolean;
}

/** The JSON the model writes when useStructuredOutputs is on. */
export const THOUGHT_AND_CODE_FORMAT: ResponseFormat = {
  type: 'json_schema',
  jsonSchema: {
    name: 'ThoughtAndCode',
    strict: true,
    schema: {
      type: 'object',
      properties: { thought: { type: 'string' }, code: { type: 'string' } },
      required: ['thought', 'code'],
      additionalProperties: false,
    },
  },
};

const sessions = new WeakMap<RunContext, CodeSession>();

/** An agent that acts by writing JavaScript which calls its tools, run in a sandbox. */
export class CodeAgent extends MultiStepAgent {
  readonly codeBlockTags: CodeBlockTags;
  /** Only the limits this agent sets; the executor's configuration supplies the rest. */
  readonly limits: Readonly<Partial<CodeLimits>>;
  readonly useStructuredOutputs: boolean;
  private readonly executor?: CodeExecutor;
  private readonly modelParameters: Readonly<Record<string, unknown>>;

  constructor(options: CodeAgentOptions) {
    const tags = options.codeBlockTags === 'markdown' ? MARKDOWN_CODE_TAGS : (options.codeBlockTags ?? DEFAULT_CODE_TAGS);
    if (!Array.isArray(tags) || tags.length !== 2 || !tags[0] || !tags[1]) {
      throw new AgentConfigError('codeBlockTags must be "markdown" or a pair of non-empty strings [open, close].');
    }
    // The prompt needs the tags before super() renders it.
    super(options, CODE_AGENT_PROMPTS, { tags, structured: options.useStructuredOutputs ?? false });
    this.useStructuredOutputs = options.useStructuredOutputs ?? false;
    this.codeBlockTags = Object.freeze([...tags]) as unknown as CodeBlockTags;
    this.limits = Object.freeze({ ...options.limits });
    this.executor = options.executor;
    this.modelParameters = Object.freeze({ ...options.modelParameters });
    if (new.target === CodeAgent) Object.freeze(this);
  }

  protected override extraJSON(): Record<string, unknown> {
    return {
      codeBlockTags: [...this.codeBlockTags],
      limits: { ...this.limits },
      modelParameters: { ...this.modelParameters },
      useStructuredOutputs: this.useStructuredOutputs,
    };
  }

  protected promptVariables(context?: unknown): Record<string, string> {
    const { tags, structured } = context as { tags: CodeBlockTags; structured: boolean };
    const [open, close] = tags;
    const format = structured
      ? `\nReply with a JSON object with two keys: "thought" (your reasoning) and "code" (the JavaScript to run, without ${open} tags).\n`
      : '';
    return {
      tools: [...this.tools.values()]
        .filter((t) => t.name !== 'final_answer' && !this.managedAgents.has(t.name))
        .map(toolAsJsSignature)
        .join('\n\n'),
      managed_agents: describeManagedAgents([...this.managedAgents.values()], true),
      instructions: `${format}${this.instructions ? `\n${this.instructions}\n` : ''}`,
      code_open: open,
      code_close: close,
    };
  }

  override async setupRun(ctx: RunContext): Promise<void> {
    const executor = this.executor ?? (await loadDefaultExecutor());
    const session = await executor.createSession({
      toolNames: [...this.tools.keys()].filter((n) => n !== 'final_answer'),
      callTool: (name, args, signal) => this.callTool(ctx, name, args, signal),
      variables: { ...ctx.state },
      limits: this.limits,
    });
    sessions.set(ctx, session);
    ctx.disposers.push(() => session.dispose());
  }

  /** A tool call from the code: validated like a native call; errors are thrown into the code. */
  private async callTool(ctx: RunContext, name: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    const tool = this.tools.get(name);
    if (!tool) throw new Error(`Unknown tool ${name}`);
    let parsed: unknown;
    try {
      parsed = await parseToolArguments(tool, args ?? {});
    } catch (error) {
      throw new Error(`Invalid call to ${name}: ${error instanceof ToolArgumentsError ? error.message : errorText(error)}`);
    }
    const callId = `code_${ctx.stepNumber}_${name}_${++ctx.codeToolCalls}`;
    const context = { signal, runId: ctx.id, state: ctx.state, callId };
    if (tool.needsApproval && (typeof tool.needsApproval !== 'function' || (await tool.needsApproval(parsed, context)))) {
      // Sandbox state cannot be serialised mid-execution, so a CodeAgent awaits its approver instead of pausing.
      if (!this.approve) throw new Error(`Calling ${name} needs a human's approval, and this agent has no approve handler.`);
      const request = { runId: ctx.id, callId, toolName: name, arguments: parsed };
      if (!(await raceAbort(Promise.resolve(this.approve(request, { signal })), signal))) {
        throw new Error(`The user rejected the call to ${name}. Do not call it again with the same arguments.`);
      }
    }
    // Observers (logger, telemetry) see the code's tool calls like native ones.
    const call = { id: callId, type: 'function' as const, function: { name, arguments: parsed as Record<string, unknown> } };
    notify(ctx.observers, 'onToolCallStart', ctx.info, ctx.stepNumber, call);
    try {
      const output = await raceAbort(Promise.resolve().then(() => tool.forward(parsed, context)), signal);
      notify(ctx.observers, 'onToolCallEnd', ctx.info, ctx.stepNumber, call, { output });
      return output;
    } catch (error) {
      notify(ctx.observers, 'onToolCallEnd', ctx.info, ctx.stepNumber, call, { error });
      throw error;
    }
  }

  async *runStep(ctx: RunContext, step: ActionStep): AsyncGenerator<AgentEvent, void, undefined> {
    const messages = ctx.memory.toMessages();
    const options: GenerateOptions = {
      ...this.modelParameters,
      ...(this.useStructuredOutputs
        ? { responseFormat: THOUGHT_AND_CODE_FORMAT }
        : { stopSequences: ['Observation:', 'Calling tools:', this.codeBlockTags[1]] }),
      signal: ctx.signal,
    };
    const message = ctx.stream ? yield* this.callModel(ctx, step.stepNumber, messages, options) : await this.generate(ctx, step.stepNumber, messages, options);
    const text = contentText(message.content);
    const output = this.useStructuredOutputs ? text : closeCodeBlock(text, this.codeBlockTags);
    step.modelOutputMessage = message;
    step.modelOutput = output;
    step.tokenUsage = message.tokenUsage;

    const code = this.useStructuredOutputs ? parseThoughtAndCode(output) : parseCode(output, this.codeBlockTags);
    step.codeAction = code;
    step.toolCalls = [{ id: `call_${step.stepNumber}`, type: 'function', function: { name: 'javascript_interpreter', arguments: code } }];
    yield { type: 'tool_call', stepNumber: step.stepNumber, toolCall: step.toolCalls[0] };

    const session = sessions.get(ctx);
    if (!session) throw new AgentExecutionError('The code session is gone.');
    let result;
    try {
      result = await raceAbort(session.execute(code, { signal: ctx.signal }), ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted || AgentAbortError.isInstance(error)) throw ctx.signal.aborted ? toAbortError(ctx.signal) : error;
      throw new AgentExecutionError(`Code execution failed: ${errorText(error)}`, { cause: error });
    }
    yield { type: 'code_output', stepNumber: step.stepNumber, logs: result.logs, output: result.output, isFinalAnswer: result.isFinalAnswer };

    const parts: string[] = [];
    if (result.logs) parts.push(`Execution logs:\n${result.logs}`);
    if (result.error) {
      step.observations = parts.join('\n') || undefined;
      const e = result.error;
      const where = e.line !== undefined ? ` at line ${e.line}${e.source ? ` '${e.source.trim()}'` : ''}` : '';
      throw new AgentExecutionError(`Code execution failed${where} due to: ${e.name}: ${e.message}`);
    }
    if (result.isFinalAnswer) {
      step.isFinalAnswer = true;
      step.actionOutput = result.output;
      parts.push(`Final answer: ${truncate(observationText(result.output), this.limits.maxOutputChars ?? DEFAULT_CODE_LIMITS.maxOutputChars)}`);
    } else {
      parts.push(`Last output from code snippet:\n${truncate(observationText(result.output), this.limits.maxOutputChars ?? DEFAULT_CODE_LIMITS.maxOutputChars)}`);
    }
    step.observations = parts.join('\n');
  }
}

function parseThoughtAndCode(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AgentParsingError(`Your reply is not valid JSON. Reply with {"thought": "...", "code": "..."}. Your reply was:\n${text.slice(0, 2000)}`);
  }
  const code = (value as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || code.trim() === '') {
    throw new AgentParsingError('Your JSON reply has no "code" string. Reply with {"thought": "...", "code": "..."}.');
  }
  return code;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n..._This content has been truncated to stay below ${max} characters_...`;
}

let defaultExecutor: Promise<CodeExecutor> | undefined;

/** Loads @smol/sandbox only when a CodeAgent without an executor first runs. */
function loadDefaultExecutor(): Promise<CodeExecutor> {
  const specifier = '@smol/sandbox';
  defaultExecutor ??= (import(/* @vite-ignore */ specifier) as Promise<{ getDefaultExecutor(): CodeExecutor }>).then(
    (m) => m.getDefaultExecutor(),
    (error: unknown) => {
      defaultExecutor = undefined;
      throw new AgentConfigError('CodeAgent needs a code executor: install @smol/sandbox (pnpm add @smol/sandbox), or pass `executor`.', { cause: error });
    },
  );
  return defaultExecutor;
}

registerAgentClass('CodeAgent', CodeAgent as never);
