import type { CodeBlockTags } from '../code/parse-code.js';
import { DEFAULT_CODE_TAGS, MARKDOWN_CODE_TAGS, closeCodeBlock, parseCode, withoutCodeBlocks } from '../code/parse-code.js';
import { CODE_AGENT_PROMPTS, toolAsJsSignature } from '../code/code-prompts.js';
import type { CodeExecutionResult, CodeExecutor, CodeLimits, CodeSession } from '../code/executor.js';
import { DEFAULT_CODE_LIMITS } from '../code/executor.js';
import { AgentAbortError, AgentConfigError, AgentExecutionError, AgentParsingError, toAbortError } from '../errors.js';
import type { ResponseFormat } from '../model.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep } from '../memory.js';
import type { ChatMessage, ChatMessageToolCall } from '../messages.js';
import { contentText } from '../messages.js';
import { raceAbort } from '../runner/abort.js';
import type { ModelRequest } from '../runner/model-call.js';
import { errorText } from '../runner/model-call.js';
import type { RunContext } from '../runner/run-context.js';
import { callToolFromCode, observationText, toolCallEvent } from '../runner/tool-calls.js';
import { describeManagedAgents } from '../prompts.js';
import type { Tool } from '../tools.js';
import { CODE_TOOL, FINAL_ANSWER, standardToJsonSchema } from '../tools.js';
import type { AgentOptions } from './agent-options.js';
import { MultiStepAgent } from './multi-step-agent.js';
import { registerAgentClass } from './agent-json.js';

export interface CodeAgentOptions<TOutput = unknown> extends AgentOptions<TOutput> {
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
export class CodeAgent<TOutput = unknown> extends MultiStepAgent<TOutput> {
  readonly codeBlockTags: CodeBlockTags;
  /** Only the limits this agent sets; the executor's configuration supplies the rest. */
  readonly limits: Readonly<Partial<CodeLimits>>;
  readonly useStructuredOutputs: boolean;
  private readonly executor?: CodeExecutor;
  private readonly modelParameters: Readonly<Record<string, unknown>>;

  constructor(options: CodeAgentOptions<TOutput>) {
    const tags = options.codeBlockTags === 'markdown' ? MARKDOWN_CODE_TAGS : (options.codeBlockTags ?? DEFAULT_CODE_TAGS);
    if (!Array.isArray(tags) || tags.length !== 2 || !tags[0] || !tags[1]) {
      throw new AgentConfigError('codeBlockTags must be "markdown" or a pair of non-empty strings [open, close].');
    }
    super(options, CODE_AGENT_PROMPTS, (tools, managed) => codePromptVariables(tools, managed, tags, options));
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

  override async setupRun(ctx: RunContext): Promise<void> {
    const executor = this.executor ?? (await loadDefaultExecutor());
    const session = await executor.createSession({
      toolNames: [...this.tools.keys()].filter((n) => n !== FINAL_ANSWER),
      // Code's tool calls take the one tool path (validation, approval, observers, abort).
      callTool: (name, args) => callToolFromCode(ctx, this, ctx.stepNumber, { id: `code_${ctx.stepNumber}_${name}_${++ctx.codeToolCalls}`, name, arguments: args ?? {} }),
      variables: { ...ctx.state },
      limits: this.limits,
    });
    sessions.set(ctx, session);
    ctx.disposers.push(() => session.dispose());
  }

  stepRequest(ctx: RunContext): ModelRequest {
    const format = this.useStructuredOutputs ? { responseFormat: THOUGHT_AND_CODE_FORMAT } : { stopSequences: ['Observation:', 'Calling tools:', this.codeBlockTags[1]] };
    return { messages: ctx.memory.toMessages(), options: { ...this.modelParameters, ...format } };
  }

  /** Parses the code and runs it. When nobody hears the run's events (`ctx.eventsHeard` false) a promise, and the events are not made. */
  act(ctx: RunContext, step: ActionStep, message: ChatMessage): AsyncGenerator<AgentEvent, void, undefined> | Promise<void> {
    const text = contentText(message.content);
    const output = this.useStructuredOutputs ? text : closeCodeBlock(text, this.codeBlockTags);
    step.modelOutput = output;
    const code = this.useStructuredOutputs ? parseThoughtAndCode(output) : parseCode(output, this.codeBlockTags);
    step.codeAction = code;
    const call: ChatMessageToolCall = { id: `call_${step.stepNumber}`, type: 'function', function: { name: CODE_TOOL, arguments: code } };
    step.toolCalls = [call];
    if (!ctx.eventsHeard) return this.#execute(ctx, code).then((result) => this.#observe(step, result));
    return this.#actHeard(ctx, step, call, code);
  }

  async *#actHeard(ctx: RunContext, step: ActionStep, call: ChatMessageToolCall, code: string): AsyncGenerator<AgentEvent, void, undefined> {
    yield toolCallEvent(step.stepNumber, call);
    const result = await this.#execute(ctx, code);
    yield { type: 'code_output', stepNumber: step.stepNumber, logs: result.logs, output: result.output, isFinalAnswer: result.isFinalAnswer };
    this.#observe(step, result);
  }

  async #execute(ctx: RunContext, code: string): Promise<CodeExecutionResult> {
    const session = sessions.get(ctx);
    if (!session) throw new AgentExecutionError('The code session is gone.');
    try {
      return await raceAbort(session.execute(code, { signal: ctx.signal }), ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted || AgentAbortError.isInstance(error)) throw ctx.signal.aborted ? toAbortError(ctx.signal) : error;
      throw new AgentExecutionError(`Code execution failed: ${errorText(error)}`, { cause: error });
    }
  }

  /** The step's observations from what the code did; an error in the code is the step's error. */
  #observe(step: ActionStep, result: CodeExecutionResult): void {
    const parts: string[] = [];
    if (result.logs) parts.push(`Execution logs:\n${result.logs}`);
    if (result.error) {
      step.observations = parts.join('\n') || undefined;
      const e = result.error;
      const where = e.line !== undefined ? ` at line ${e.line}${e.source ? ` '${e.source.trim()}'` : ''}` : '';
      throw new AgentExecutionError(`Code execution failed${where} due to: ${e.name}: ${e.message}`);
    }
    const max = this.limits.maxOutputChars ?? DEFAULT_CODE_LIMITS.maxOutputChars;
    if (result.isFinalAnswer) {
      step.isFinalAnswer = true;
      step.actionOutput = result.output;
      parts.push(`Final answer: ${truncate(observationText(result.output), max)}`);
    } else {
      parts.push(`Last output from code snippet:\n${truncate(observationText(result.output), max)}`);
    }
    step.observations = parts.join('\n');
  }

  /** The answer asked for after max steps is prose: code in it is dropped, never returned as the answer. */
  answerFromText(text: string): string {
    if (this.useStructuredOutputs) {
      try {
        const value = JSON.parse(text) as { thought?: unknown; code?: unknown };
        if (typeof value.thought === 'string') return value.thought.trim();
      } catch {
        // not JSON: plain prose
      }
    }
    return withoutCodeBlocks(text, this.codeBlockTags);
  }
}

/** The system prompt's variables for a CodeAgent: tools as JS signatures, the code tags, the answer format. */
function codePromptVariables(tools: readonly Tool[], managed: readonly MultiStepAgent[], tags: CodeBlockTags, options: CodeAgentOptions<unknown>): Record<string, string> {
  const [open, close] = tags;
  const lines: string[] = [];
  if (options.useStructuredOutputs) lines.push(`Reply with a JSON object with two keys: "thought" (your reasoning) and "code" (the JavaScript to run, without ${open} tags).`);
  if (options.outputSchema) lines.push(`The value you pass to final_answer must match this JSON Schema: ${JSON.stringify(standardToJsonSchema(options.outputSchema, 'outputSchema'))}`);
  const format = lines.map((l) => `\n${l}\n`).join('');
  return {
    tools: tools
      .filter((t) => t.name !== FINAL_ANSWER)
      .map(toolAsJsSignature)
      .join('\n\n'),
    managed_agents: describeManagedAgents(managed, true),
    instructions: `${format}${options.instructions ? `\n${options.instructions}\n` : ''}`,
    code_open: open,
    code_close: close,
  };
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
