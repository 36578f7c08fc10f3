// Conversions between smol's messages and the chat-completion format that @huggingface/inference
// sends to Inference Providers, Inference Endpoints and TGI. It is OpenAI-shaped, but @smol/hf must
// not pull in the openai SDK, and TGI has quirks of its own: before 3.2 it returned tool-call
// arguments as a JSON object, and streamed `tool_calls` as one object instead of an array.
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
  type TokenUsage,
  type ToolChoice,
  type ToolSpec,
} from '@smol/core';
import type { InferenceClient } from '@huggingface/inference';

// @huggingface/inference does not re-export the @huggingface/tasks types, so derive them from the client.
export type HfChatRequest = Parameters<InferenceClient['chatCompletion']>[0];
export type HfChatCompletion = Awaited<ReturnType<InferenceClient['chatCompletion']>>;

/** A stream chunk as it may arrive (current and legacy TGI). */
export interface StreamChunk {
  choices?: { index?: number; delta?: StreamDelta; finish_reason?: string | null }[];
  usage?: unknown;
}

interface StreamDelta {
  content?: string | null;
  tool_calls?: StreamToolCall[] | StreamToolCall | null;
}

interface StreamToolCall {
  index?: number;
  id?: string | number;
  type?: string;
  function?: { name?: string | null; arguments?: string | Record<string, unknown> | null };
}

type WireMessage = HfChatRequest['messages'][number];
type WirePart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/**
 * Messages as chat-completion messages. Tool calls and observations travel as text (tool-call →
 * assistant, tool-response → user, as smolagents keeps them in memory), so no request carries
 * `tool_calls` without their `tool` replies. Only user messages keep images.
 */
export function toHfMessages(messages: readonly ChatMessage[]): WireMessage[] {
  const out: WireMessage[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const role = m.role === 'system' ? 'system' : m.role === 'assistant' || m.role === 'tool-call' ? 'assistant' : 'user';
    if (role !== 'user' || m.content == null || typeof m.content === 'string') {
      out[i] = { role, content: contentLines(m.content) };
      continue;
    }
    const parts: WirePart[] = [];
    for (const p of m.content) parts.push(p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: imagePartUrl(p) } });
    out[i] = { role, content: parts as WireMessage['content'] };
  }
  return out;
}

const toolCache = new WeakMap<ToolSpec, NonNullable<HfChatRequest['tools']>[number]>();

/** Tools as `{ type: 'function', function }`, built once per tool. */
export function toHfTools(tools: readonly ToolSpec[]): NonNullable<HfChatRequest['tools']> {
  return tools.map((spec) => {
    let t = toolCache.get(spec);
    if (!t) {
      t = { type: 'function', function: { name: spec.name, description: spec.description, parameters: spec.parameters } };
      toolCache.set(spec, t);
    }
    return t;
  });
}

export function toHfToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.function.name } };
}

/**
 * The request arguments for one call (model excluded: the client adds it). Pass-through
 * parameters come first, so the fields smol manages always win.
 */
export function toHfRequest(modelId: string, messages: readonly ChatMessage[], options: ModelCallOptions, stream: boolean): HfChatRequest {
  const body: Record<string, unknown> = { ...options.parameters, model: modelId, messages: toHfMessages(messages) };
  if (options.stopSequences) body.stop = options.stopSequences;
  if (options.tools) {
    body.tools = toHfTools(options.tools);
    if (options.toolChoice) body.tool_choice = toHfToolChoice(options.toolChoice);
  }
  if (options.responseFormat) {
    const { name, schema, strict, description } = options.responseFormat.jsonSchema;
    body.response_format = { type: 'json_schema', json_schema: { name, schema, ...(strict !== undefined && { strict }), ...(description && { description }) } };
  }
  // Usage in the last chunk; TGI and the router both honour stream_options.
  if (stream && body.stream_options === undefined) body.stream_options = { include_usage: true };
  return body as unknown as HfChatRequest;
}

function argumentsOf(raw: unknown): Record<string, unknown> | string {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>; // legacy TGI
  return parseArguments(typeof raw === 'string' ? raw : raw == null ? '' : JSON.stringify(raw));
}

/** A completion as an assistant ChatMessage (first choice). */
export function fromHfCompletion(completion: HfChatCompletion): ChatMessage {
  const choice = completion?.choices?.[0];
  if (!choice) throw new ModelError('Hugging Face returned a completion with no choices.');
  const m = choice.message;
  const message: ChatMessage = { role: 'assistant', content: m?.content ?? null };
  if (m?.tool_calls?.length) {
    const calls: ChatMessageToolCall[] = m.tool_calls.map((tc, i) => ({
      id: tc.id != null && String(tc.id) !== '' ? String(tc.id) : `call_${i}`,
      type: 'function' as const,
      function: { name: tc.function.name, arguments: argumentsOf(tc.function.arguments) },
    }));
    message.toolCalls = calls;
  }
  const usage = readTokenUsage(completion.usage);
  if (usage) message.tokenUsage = usage;
  message.raw = completion;
  return message;
}

/**
 * Maps stream chunks to deltas. Usage is emitted once (a server repeating cumulative usage only
 * adds the difference). `finish()` throws when no chunk carried a finish_reason: the stream was
 * cut, and a short answer must not pass for a whole one.
 */
export class HfStreamMapper {
  finishReason: string | null = null;
  private usage: TokenUsage | undefined;

  map(chunk: StreamChunk): ChatMessageStreamDelta | undefined {
    let delta: ChatMessageStreamDelta | undefined;
    const choices = chunk.choices;
    const choice = choices?.find((c) => (c.index ?? 0) === 0);
    if (choice) {
      const d = choice.delta;
      if (d?.content) delta = { content: d.content };
      const raw = d?.tool_calls;
      if (raw) {
        const list = Array.isArray(raw) ? raw : [raw];
        const calls: ChatMessageToolCallDelta[] = [];
        for (const tc of list) {
          const call: ChatMessageToolCallDelta = { index: tc.index ?? 0 };
          if (tc.id != null && String(tc.id) !== '') call.id = String(tc.id);
          if (tc.type === 'function') call.type = 'function';
          const name = tc.function?.name;
          const args = tc.function?.arguments;
          const text = typeof args === 'string' ? args : args && typeof args === 'object' ? JSON.stringify(args) : '';
          if (name || text) call.function = { ...(name && { name }), ...(text && { arguments: text }) };
          calls.push(call);
        }
        if (calls.length) (delta ??= {}).toolCalls = calls;
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

  /** Call when the stream ends. */
  finish(): void {
    if (this.finishReason === null) {
      throw new ModelError('Hugging Face stream ended before the response was complete (no finish_reason): the connection was cut or the server stopped early.', {
        retryable: true,
      });
    }
  }
}
