// Conversions between smol's messages and the Anthropic Messages API wire format.
import { ModelError, type ChatMessage, type ChatMessageStreamDelta, type ChatMessageToolCall, type ContentPart, type TokenUsage, type ToolChoice } from '@smol/core';
import { bytesToBase64, parseArguments, type ModelCallOptions, type ToolSpec } from '@smol/core/provider';
import type {
  ContentBlockParam,
  ImageBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  RawMessageStreamEvent,
  TextBlockParam,
  Tool as AnthropicTool,
  ToolChoice as AnthropicToolChoice,
} from '@anthropic-ai/sdk/resources/messages';

/** Used when neither the options nor the call set max_tokens, which the Messages API requires. */
export const DEFAULT_MAX_TOKENS = 4096;

type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';

function imageBlock(part: Extract<ContentPart, { type: 'image' }>): ImageBlockParam {
  if (typeof part.image !== 'string') {
    const data = bytesToBase64(part.image);
    return { type: 'image', source: { type: 'base64', media_type: (part.mediaType ?? 'image/png') as ImageMediaType, data } };
  }
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(part.image);
  if (match) return { type: 'image', source: { type: 'base64', media_type: match[1] as ImageMediaType, data: match[2] } };
  return { type: 'image', source: { type: 'url', url: part.image } };
}

/** Content as Anthropic blocks, or a plain string when it is text only. Empty text is dropped: the API rejects it. */
function toContent(content: ChatMessage['content']): string | ContentBlockParam[] {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  const blocks: ContentBlockParam[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      if (part.text) blocks.push({ type: 'text', text: part.text });
    } else blocks.push(imageBlock(part));
  }
  return blocks.length === 1 && blocks[0].type === 'text' ? (blocks[0] as TextBlockParam).text : blocks;
}

function isEmpty(content: string | ContentBlockParam[]): boolean {
  return typeof content === 'string' ? content.trim() === '' : content.length === 0;
}

function appendContent(a: string | ContentBlockParam[], b: string | ContentBlockParam[]): string | ContentBlockParam[] {
  if (typeof a === 'string' && typeof b === 'string') return `${a}\n${b}`;
  const blocks = (c: string | ContentBlockParam[]): ContentBlockParam[] => (typeof c === 'string' ? [{ type: 'text', text: c }] : c);
  return [...blocks(a), ...blocks(b)];
}

/**
 * Splits out the system prompt (the API takes it as a top-level field) and turns the rest into
 * user/assistant turns. Tool calls and observations arrive as text (tool-call → assistant,
 * tool-response → user, as in smolagents), so no tool_use block is ever sent without its
 * tool_result. Messages that become adjacent with the same role are merged; empty ones dropped.
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): { system: string | undefined; messages: MessageParam[] } {
  const system: string[] = [];
  const out: MessageParam[] = [];
  for (const m of messages) {
    if (m.role === 'system') {
      const text = toContent(m.content);
      system.push(typeof text === 'string' ? text : text.map((b) => (b.type === 'text' ? b.text : '')).join('\n'));
      continue;
    }
    const role = m.role === 'assistant' || m.role === 'tool-call' ? 'assistant' : 'user';
    const content = toContent(m.content);
    if (isEmpty(content)) continue;
    const prev = out[out.length - 1];
    if (prev && prev.role === role) prev.content = appendContent(prev.content, content);
    else out.push({ role, content });
  }
  const joined = system.filter((s) => s !== '').join('\n\n');
  return { system: joined === '' ? undefined : joined, messages: out };
}

const toolCache = new WeakMap<ToolSpec, AnthropicTool>();

/** Tools as `{ name, description, input_schema }`, built once per tool. */
export function toAnthropicTools(tools: readonly ToolSpec[]): AnthropicTool[] {
  return tools.map((spec) => {
    let t = toolCache.get(spec);
    if (!t) {
      t = { name: spec.name, description: spec.description, input_schema: spec.parameters as AnthropicTool['input_schema'] };
      toolCache.set(spec, t);
    }
    return t;
  });
}

/** 'required' is Anthropic's `any`; a named function is `{ type: 'tool', name }`. */
export function toAnthropicToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (choice === 'required') return { type: 'any' };
  if (choice === 'auto' || choice === 'none') return { type: choice };
  return { type: 'tool', name: choice.function.name };
}

/**
 * The request body for one call. Pass-through parameters come first, so the fields smol manages
 * (model, messages, system, tools, stop_sequences) always win; max_tokens defaults to `maxTokens`.
 */
export function toAnthropicRequest(
  modelId: string,
  messages: readonly ChatMessage[],
  options: ModelCallOptions,
  maxTokens: number = DEFAULT_MAX_TOKENS,
): MessageCreateParamsNonStreaming {
  const { system, messages: turns } = toAnthropicMessages(messages);
  const body: Record<string, unknown> = { max_tokens: maxTokens, ...options.modelParameters, model: modelId, messages: turns };
  if (system !== undefined) body.system = system;
  if (options.stopSequences) body.stop_sequences = options.stopSequences;
  if (options.tools) {
    body.tools = toAnthropicTools(options.tools);
    if (options.toolChoice) body.tool_choice = toAnthropicToolChoice(options.toolChoice);
  }
  if (options.responseFormat) body.output_config = { format: { type: 'json_schema', schema: options.responseFormat.jsonSchema.schema } };
  return body as unknown as MessageCreateParamsNonStreaming;
}

interface UsageLike {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Input counts cached tokens too: Anthropic's `input_tokens` excludes them, but they are billed and count against limits. */
function inputOf(u: UsageLike): number {
  return (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}

export function fromAnthropicUsage(u: UsageLike | null | undefined): TokenUsage | undefined {
  if (!u) return undefined;
  const inputTokens = inputOf(u);
  const outputTokens = u.output_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/**
 * A Message as an assistant ChatMessage: text blocks joined, tool_use blocks as tool calls.
 * `keepRaw` keeps the whole Message on `raw` (the model's keepRawResponse).
 */
export function fromAnthropicMessage(message: Message, keepRaw = false): ChatMessage {
  if (!message || !Array.isArray(message.content)) throw new ModelError('Anthropic returned a response without content.');
  const texts: string[] = [];
  const calls: ChatMessageToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      const input = block.input;
      const args = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : parseArguments(String(input ?? ''));
      calls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: args } });
    }
  }
  const out: ChatMessage = { role: 'assistant', content: texts.join('') };
  if (calls.length) out.toolCalls = calls;
  const usage = fromAnthropicUsage(message.usage);
  if (usage) out.tokenUsage = usage;
  if (keepRaw) out.raw = message;
  return out;
}

/**
 * Maps stream events to deltas. Usage fields are cumulative on the wire (message_start has the
 * input, message_delta the output so far), so each delta carries only what was added since the
 * last one: summing the deltas gives the final usage exactly once. `finish()` throws when the
 * stream ended before message_stop: a cut connection is an error, never a silent short answer.
 */
export class AnthropicStreamMapper {
  stopReason: string | null = null;
  private stopped = false;
  private input = 0;
  private output = 0;
  /** Content block index → tool call index (tool calls are numbered from 0 across the message). */
  private readonly toolIndex = new Map<number, number>();

  map(event: RawMessageStreamEvent): ChatMessageStreamDelta | undefined {
    switch (event.type) {
      case 'message_start':
        return this.usage(event.message?.usage);
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') return block.text ? { content: block.text } : undefined;
        if (block.type === 'tool_use') {
          const index = this.toolIndex.size;
          this.toolIndex.set(event.index, index);
          const input = block.input as Record<string, unknown> | undefined;
          // Streams send input as {} and the JSON in input_json_delta; a non-empty input is complete already.
          const args = input && typeof input === 'object' && Object.keys(input).length > 0 ? JSON.stringify(input) : undefined;
          return { toolCalls: [{ index, id: block.id, type: 'function', function: args ? { name: block.name, arguments: args } : { name: block.name } }] };
        }
        return undefined;
      }
      case 'content_block_delta': {
        const d = event.delta;
        if (d.type === 'text_delta') return d.text ? { content: d.text } : undefined;
        if (d.type === 'input_json_delta') {
          const index = this.toolIndex.get(event.index);
          if (index === undefined || !d.partial_json) return undefined;
          return { toolCalls: [{ index, function: { arguments: d.partial_json } }] };
        }
        return undefined; // thinking, signature and citation deltas are not part of the answer
      }
      case 'message_delta':
        if (event.delta?.stop_reason) this.stopReason = event.delta.stop_reason;
        return this.usage(event.usage);
      case 'message_stop':
        this.stopped = true;
        return undefined;
      default:
        return undefined;
    }
  }

  private usage(u: UsageLike | null | undefined): ChatMessageStreamDelta | undefined {
    if (!u) return undefined;
    // A field missing from this event keeps its previous cumulative value.
    const hasInput = u.input_tokens != null || u.cache_creation_input_tokens != null || u.cache_read_input_tokens != null;
    const input = hasInput ? Math.max(this.input, inputOf(u)) : this.input;
    const output = u.output_tokens != null ? Math.max(this.output, u.output_tokens) : this.output;
    const addedIn = input - this.input;
    const addedOut = output - this.output;
    this.input = input;
    this.output = output;
    if (addedIn === 0 && addedOut === 0) return undefined;
    return { tokenUsage: { inputTokens: addedIn, outputTokens: addedOut, totalTokens: addedIn + addedOut } };
  }

  /** Call when the SDK stream ends. */
  finish(): void {
    if (!this.stopped) {
      throw new ModelError('Anthropic stream ended before message_stop: the connection was cut or the server stopped early.', { retryable: true });
    }
  }
}
