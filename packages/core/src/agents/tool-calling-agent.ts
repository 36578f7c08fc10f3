import { AgentParsingError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep } from '../memory.js';
import type { ChatMessage, ChatMessageToolCall } from '../messages.js';
import { parseArguments } from '../messages.js';
import { TOOL_CALLING_PROMPTS, describeManagedAgents, describeToolsAsJson } from '../prompts.js';
import type { ModelRequest } from '../runner/model-call.js';
import type { RunContext } from '../runner/run-context.js';
import { executeToolCalls, runToolCalls } from '../runner/tool-calls.js';
import type { Tool } from '../tools.js';
import type { AgentOptions } from './agent-options.js';
import { MultiStepAgent } from './multi-step-agent.js';
import { registerAgentClass } from './agent-json.js';

export interface ToolCallingAgentOptions<TOutput = unknown> extends AgentOptions<TOutput> {
  /** Extra model parameters sent with every call (temperature, …). */
  modelParameters?: Record<string, unknown>;
}

/**
 * An agent that acts through the model's native tool calls. The whole kind: what to send
 * (the memory, the tools, a required tool choice) and how to act (run the calls).
 */
export class ToolCallingAgent<TOutput = unknown> extends MultiStepAgent<TOutput> {
  private readonly toolList: readonly Tool[];
  private readonly modelParameters: Readonly<Record<string, unknown>>;
  /** The same for every step: built once. */
  private readonly requestOptions: ModelRequest['options'];

  constructor(options: ToolCallingAgentOptions<TOutput>) {
    super(options, TOOL_CALLING_PROMPTS, (tools, managed) => ({
      tools: describeToolsAsJson(tools),
      managed_agents: describeManagedAgents(managed, false),
      instructions: options.instructions ? `\n${options.instructions}\n` : '',
    }));
    this.toolList = Object.freeze([...this.tools.values()]);
    this.modelParameters = Object.freeze({ ...options.modelParameters });
    this.requestOptions = Object.freeze({ ...this.modelParameters, toolsToCallFrom: this.toolList, toolChoice: 'required' as const });
    if (new.target === ToolCallingAgent) Object.freeze(this);
  }

  protected override extraJSON(): Record<string, unknown> {
    return { modelParameters: { ...this.modelParameters } };
  }

  stepRequest(ctx: RunContext): ModelRequest {
    return { messages: ctx.memory.toMessages(), options: this.requestOptions };
  }

  // Not a generator of its own: handing back runToolCalls' saves a layer every event passes through,
  // and a drained run that nobody listens to gets no generator at all.
  act(ctx: RunContext, step: ActionStep, message: ChatMessage): AsyncGenerator<AgentEvent, void, undefined> | Promise<unknown> | undefined {
    const calls = message.toolCalls?.length ? message.toolCalls : toolCallsFromText(step.modelOutput ?? '');
    if (!calls) throw new AgentParsingError('The model did not call any tool. Call a tool, or call `final_answer` with the answer.');
    step.toolCalls = calls;
    if (ctx.eventsHeard) return runToolCalls(ctx, this, step, calls);
    const done = executeToolCalls(ctx, this, step, calls);
    return done instanceof Promise ? done : undefined;
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
