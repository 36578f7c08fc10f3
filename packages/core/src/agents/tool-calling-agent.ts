import { AgentParsingError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep } from '../memory.js';
import type { ChatMessageToolCall } from '../messages.js';
import { contentText, parseArguments } from '../messages.js';
import type { GenerateOptions } from '../model.js';
import { TOOL_CALLING_PROMPTS, describeManagedAgents, describeToolsAsJson } from '../prompts.js';
import type { RunContext } from '../runner/run-context.js';
import { runToolCalls } from '../runner/tool-calls.js';
import type { Tool } from '../tools.js';
import type { AgentOptions } from './multi-step-agent.js';
import { MultiStepAgent } from './multi-step-agent.js';
import { registerAgentClass } from './agent-json.js';

export interface ToolCallingAgentOptions extends AgentOptions {
  /** Extra model parameters sent with every call (temperature, …). */
  modelParameters?: Record<string, unknown>;
}

/** An agent that acts through the model's native tool calls. */
export class ToolCallingAgent extends MultiStepAgent {
  private readonly toolList: readonly Tool[];
  private readonly modelParameters: Readonly<Record<string, unknown>>;

  constructor(options: ToolCallingAgentOptions) {
    super(options, TOOL_CALLING_PROMPTS);
    this.toolList = Object.freeze([...this.tools.values()]);
    this.modelParameters = Object.freeze({ ...options.modelParameters });
    if (new.target === ToolCallingAgent) Object.freeze(this);
  }

  protected override extraJSON(): Record<string, unknown> {
    return { modelParameters: { ...this.modelParameters } };
  }

  protected promptVariables(): Record<string, string> {
    const tools = [...this.tools.values()].filter((t) => !this.managedAgents.has(t.name));
    return {
      tools: describeToolsAsJson(tools),
      managed_agents: describeManagedAgents([...this.managedAgents.values()], false),
      instructions: this.instructions ? `\n${this.instructions}\n` : '',
    };
  }

  async *runStep(ctx: RunContext, step: ActionStep): AsyncGenerator<AgentEvent, void, undefined> {
    // A resumed step already has its model output and calls: only the tools remain to run.
    if (step.toolCalls) return yield* runToolCalls(ctx, step, step.toolCalls, this.tools, this.maxToolConcurrency, this.approve);
    const messages = ctx.memory.toMessages();
    const options: GenerateOptions = {
      ...this.modelParameters,
      toolsToCallFrom: this.toolList,
      toolChoice: 'required',
      signal: ctx.signal,
    };
    const message = ctx.stream ? yield* this.callModel(ctx, step.stepNumber, messages, options) : await this.generate(ctx, step.stepNumber, messages, options);
    step.modelOutputMessage = message;
    step.modelOutput = contentText(message.content);
    step.tokenUsage = message.tokenUsage;

    const calls = message.toolCalls?.length ? message.toolCalls : toolCallsFromText(step.modelOutput);
    if (!calls) {
      throw new AgentParsingError('The model did not call any tool. Call a tool, or call `final_answer` with the answer.');
    }
    step.toolCalls = calls;
    yield* runToolCalls(ctx, step, calls, this.tools, this.maxToolConcurrency, this.approve);
  }
}

/**
 * Some models write the call as JSON in the text instead of a native tool call:
 * {"name": "...", "arguments": {...}}. Accept that, as smolagents does.
 */
function toolCallsFromText(text: string): ChatMessageToolCall[] | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  const parsed = parseArguments(text.slice(start, end + 1));
  if (typeof parsed === 'string' || typeof parsed.name !== 'string') return undefined;
  const args = parsed.arguments ?? parsed.parameters ?? {};
  return [
    {
      id: 'call_0',
      type: 'function',
      function: { name: parsed.name, arguments: typeof args === 'string' ? parseArguments(args) : (args as Record<string, unknown>) },
    },
  ];
}

registerAgentClass('ToolCallingAgent', ToolCallingAgent as never);
