// Conversions between smol's messages and the Chat Completions wire format.
// Shared by every OpenAI-shaped provider (Azure, LiteLLM, …) through `@smol/openai/internal`.
import {
  ModelError,
  contentLines,
  imagePartUrl,
  parseArguments,
  readTokenUsage,
  usageIncrement,
  type ChatMessage,
  type ChatMessageStreamDelta,
  type ChatMessageToolCall,
  type ChatMessageToolCallDelta,
  type ModelCallOptions,
  type ResponseFormat,
  type TokenUsage,
  type ToolChoice,
  type ToolSpec,
} from '@smol/core';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';

type Role = 'system' | 'user' | 'assistant';
const ROLE: Record<ChatMessage['role'], Role> = {
  system: 'system',
  user: 'user',
  assistant: 'assistant',
  'tool-call': 'assistant',
  'tool-response': 'user',
};

/**
 * Messages as Chat Completions messages. Roles still left as tool-call/tool-response (by custom
 * role conversions) become assistant/user text. Tool calls are sent as text, the way smolagents
 * keeps them in memory, so no message carries `tool_calls` without its matching `tool` replies.
 */
export function toOpenAIMessages(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const role = ROLE[m.role] ?? 'user';
    // Text-only content goes as a plain string: smaller, and every OpenAI-compatible server takes it.
    if (role !== 'user' || m.content == null || typeof m.content === 'string' || m.content.every((p) => p.type === 'text')) {
      out[i] = { role, content: contentLines(m.content) };
      continue;
    }
    const parts: ChatCompletionContentPart[] = [];
    for (const p of m.content) {
      parts.push(p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: imagePartUrl(p) } });
    }
    out[i] = { role: 'user', content: parts as ChatCompletionContentPartText[] };
  }
  return out;
}

const toolCache = new WeakMap<ToolSpec, ChatCompletionFunctionTool>();

/** Tools as `{ type: 'function', function }` definitions, built once per tool. */
export function toOpenAITools(tools: readonly ToolSpec[]): ChatCompletionFunctionTool[] {
  return tools.map((spec) => {
    let t = toolCache.get(spec);
    if (!t) {
      t = { type: 'function', function: { name: spec.name, description: spec.description, parameters: spec.parameters } };
      toolCache.set(spec, t);
    }
    return t;
  });
}

export function toOpenAIToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.function.name } };
}

export function toOpenAIResponseFormat(format: ResponseFormat): ChatCompletionCreateParamsNonStreaming['response_format'] {
  const { name, schema, strict, description } = format.jsonSchema;
  return { type: 'json_schema', json_schema: { name, schema, ...(strict !== undefined && { strict }), ...(description && { description }) } };
}

export type OpenAIRequestBody = ChatCompletionCreateParamsNonStreaming;
export type OpenAIStreamRequestBody = ChatCompletionCreateParamsStreaming;

/**
 * The request body for one call. Pass-through parameters come first, so the fields smol
 * manages (model, messages, tools, stop, response_format) always win.
 */
export function toOpenAIRequest(modelId: string, messages: readonly ChatMessage[], options: ModelCallOptions): OpenAIRequestBody {
  const body: Record<string, unknown> = { ...options.parameters, model: modelId, messages: toOpenAIMessages(messages) };
  if (options.stopSequences) body.stop = options.stopSequences;
  if (options.tools) {
    body.tools = toOpenAITools(options.tools);
    if (options.toolChoice) body.tool_choice = toOpenAIToolChoice(options.toolChoice);
  }
  if (options.responseFormat) body.response_format = toOpenAIResponseFormat(options.responseFormat);
  return body as unknown as OpenAIRequestBody;
}

/** The streaming body: `stream: true` and, unless the parameters set it, usage in the last chunk. */
export function toOpenAIStreamRequest(modelId: string, messages: readonly ChatMessage[], options: ModelCallOptions): OpenAIStreamRequestBody {
  const body = toOpenAIRequest(modelId, messages, options) as unknown as Record<string, unknown>;
  body.stream = true;
  if (body.stream_options === undefined) body.stream_options = { include_usage: true };
  return body as unknown as OpenAIStreamRequestBody;
}

/** A non-streaming completion as an assistant ChatMessage (first choice). */
export function fromOpenAICompletion(completion: ChatCompletion, provider = 'OpenAI'): ChatMessage {
  const choice = completion?.choices?.[0];
  if (!choice) throw new ModelError(`${provider} returned a completion with no choices.`, { retryable: false });
  const m = choice.message;
  const message: ChatMessage = { role: 'assistant', content: m.content ?? m.refusal ?? null };
  if (m.tool_calls?.length) {
    const calls: ChatMessageToolCall[] = [];
    for (const tc of m.tool_calls) {
      if (tc.type !== 'function') continue;
      calls.push({ id: tc.id, type: 'function', function: { name: tc.function.name, arguments: parseArguments(tc.function.arguments ?? '') } });
    }
    if (calls.length) message.toolCalls = calls;
  }
  const usage = readTokenUsage(completion.usage);
  if (usage) message.tokenUsage = usage;
  message.raw = completion;
  return message;
}

/**
 * Maps stream chunks to deltas. Usage is emitted once, in the delta of the chunk where it
 * arrives (servers that repeat cumulative usage only add the difference). `finish()` throws a
 * ModelError when the stream ended before any finish_reason: a cut connection, never a hang.
 */
export class OpenAIStreamMapper {
  finishReason: string | null = null;
  private usage: TokenUsage | undefined;
  constructor(private readonly provider = 'OpenAI') {}

  map(chunk: ChatCompletionChunk): ChatMessageStreamDelta | undefined {
    let delta: ChatMessageStreamDelta | undefined;
    const choice = chunk.choices?.find((c) => c.index === 0) ?? (chunk.choices?.length === 1 ? chunk.choices[0] : undefined);
    if (choice) {
      const d = choice.delta;
      if (d?.content) delta = { content: d.content };
      if (d?.tool_calls?.length) {
        const calls: ChatMessageToolCallDelta[] = d.tool_calls.map((tc) => {
          const call: ChatMessageToolCallDelta = { index: tc.index };
          if (tc.id) call.id = tc.id;
          if (tc.type === 'function') call.type = 'function';
          if (tc.function) {
            call.function = {};
            if (tc.function.name) call.function.name = tc.function.name;
            if (tc.function.arguments) call.function.arguments = tc.function.arguments;
          }
          return call;
        });
        (delta ??= {}).toolCalls = calls;
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    const usage = chunk.usage ? readTokenUsage(chunk.usage) : undefined;
    if (usage) {
      const added = usageIncrement(this.usage, usage);
      this.usage = usage;
      if (added) (delta ??= {}).tokenUsage = added;
    }
    return delta;
  }

  /** Call when the SDK stream ends. */
  finish(): void {
    if (this.finishReason === null) {
      throw new ModelError(`${this.provider} stream ended before the response was complete (no finish_reason): the connection was cut or the server stopped early.`, {
        retryable: true,
      });
    }
  }
}

/** One chunk as a delta, for callers that track no state (usage is taken as given). */
export function fromOpenAIChunk(chunk: ChatCompletionChunk): ChatMessageStreamDelta | undefined {
  return new OpenAIStreamMapper().map(chunk);
}
