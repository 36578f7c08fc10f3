// The OpenAI Chat Completions wire format, on plain objects: shared by every OpenAI-shaped
// provider (openai, azure, litellm-proxy, hf) without loading any SDK. Lenient where servers
// differ: TGI before 3.2 sends tool-call arguments as a JSON object and streams `tool_calls` as
// one object instead of an array, and some servers send numeric ids or omit `index`.
import { ModelError } from '../errors.js';
import { contentLines, imagePartUrl, parseArguments, usageIncrement, type ChatMessage, type ChatMessageStreamDelta, type ChatMessageToolCall, type ChatMessageToolCallDelta, type TokenUsage } from '../messages.js';
import type { ResponseFormat, ToolChoice } from '../model.js';
import type { ModelCallOptions } from '../models/api-model.js';
import { readTokenUsage } from '../models/token-usage.js';
import type { ToolSpec } from '../models/tool-spec.js';

export type WireRole = 'system' | 'user' | 'assistant';
export type WireContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
/** Text already encoded as a JSON string (`JSON.rawJSON`): JSON.stringify copies it as it is. */
export interface EncodedText {
  readonly rawJSON: string;
}
export interface WireMessage {
  role: WireRole;
  /** EncodedText only in bodies built with `encodeShared` (see toWireMessages). */
  content: string | WireContentPart[] | EncodedText;
}
export interface WireTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}
export type WireToolChoice = 'auto' | 'required' | 'none' | { type: 'function'; function: { name: string } };

/** A chat.completions request body. Pass-through model parameters are kept as given. */
export interface WireRequest {
  model: string;
  messages: WireMessage[];
  stop?: string[];
  tools?: WireTool[];
  tool_choice?: WireToolChoice;
  response_format?: { type: 'json_schema'; json_schema: Record<string, unknown> };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [parameter: string]: unknown;
}

interface WireToolCall {
  index?: number;
  id?: string | number | null;
  type?: string;
  function?: { name?: string | null; arguments?: string | Record<string, unknown> | null };
}

/** A completion as servers send it (the fields smol reads). */
export interface WireCompletion {
  choices?: { message?: { content?: string | null; refusal?: string | null; tool_calls?: WireToolCall[] | null }; finish_reason?: string | null }[];
  usage?: unknown;
}

/** A stream chunk as servers send it (current and legacy TGI). */
export interface WireChunk {
  choices?: { index?: number; delta?: { content?: string | null; tool_calls?: WireToolCall[] | WireToolCall | null }; finish_reason?: string | null }[];
  usage?: unknown;
}

/**
 * Messages as chat-completion messages. Tool calls and observations travel as text (tool-call →
 * assistant, tool-response → user, as smolagents keeps them in memory), so no request carries
 * `tool_calls` without their `tool` replies. Only user messages keep images; text-only content
 * goes as one string (smaller, and every compatible server takes it). With `encodeShared`, a
 * shared system prompt goes as text already encoded (EncodedText): only for a body the SDK
 * passes to JSON.stringify as it is (the `openai` SDK does; others may copy or read it).
 */
export function toWireMessages(messages: readonly ChatMessage[], encodeShared = false): WireMessage[] {
  const out: WireMessage[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const shared = encodeShared ? encodedMessage(m) : undefined;
    if (shared) {
      out[i] = shared;
      continue;
    }
    const role: WireRole = m.role === 'system' ? 'system' : m.role === 'assistant' || m.role === 'tool-call' ? 'assistant' : 'user';
    if (role !== 'user' || m.content == null || typeof m.content === 'string' || m.content.every((p) => p.type === 'text')) {
      out[i] = { role, content: contentLines(m.content) };
      continue;
    }
    const parts: WireContentPart[] = [];
    for (const p of m.content) parts.push(p.type === 'text' ? { type: 'text', text: p.text } : { type: 'image_url', image_url: { url: imagePartUrl(p) } });
    out[i] = { role, content: parts };
  }
  return out;
}

const rawJSON = (JSON as { rawJSON?: (text: string) => EncodedText }).rawJSON;
const encodedMessages = new WeakMap<ChatMessage, WireMessage>();

/**
 * A frozen text message (memory shares one system prompt message among all of an agent's runs)
 * as a wire message made once, its text encoded once: sent on every call, a 1-2 KB prompt would
 * otherwise be escaped again each time. Undefined when the runtime has no JSON.rawJSON (Node < 21).
 */
function encodedMessage(m: ChatMessage): WireMessage | undefined {
  if (!rawJSON || m.role !== 'system' || typeof m.content !== 'string' || !Object.isFrozen(m)) return undefined;
  let wire = encodedMessages.get(m);
  if (!wire) {
    wire = Object.freeze({ role: 'system', content: rawJSON(JSON.stringify(m.content)) });
    encodedMessages.set(m, wire);
  }
  return wire;
}

const toolCache = new WeakMap<ToolSpec, WireTool>();
const toolListCache = new WeakMap<readonly ToolSpec[], WireTool[]>();

/**
 * Tools as `{ type: 'function', function }` definitions, built once per tool, and once per frozen
 * list (ApiModel's specs of an agent's tools: the same list every step). Not to be modified.
 */
export function toWireTools(tools: readonly ToolSpec[]): WireTool[] {
  const frozen = Object.isFrozen(tools);
  let list = frozen ? toolListCache.get(tools) : undefined;
  if (list) return list;
  list = tools.map((spec) => {
    let t = toolCache.get(spec);
    if (!t) {
      t = { type: 'function', function: { name: spec.name, description: spec.description, parameters: spec.parameters as unknown as Record<string, unknown> } };
      toolCache.set(spec, t);
    }
    return t;
  });
  if (frozen) toolListCache.set(tools, list);
  return list;
}

export function toWireToolChoice(choice: ToolChoice): WireToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.function.name } };
}

export function toWireResponseFormat(format: ResponseFormat): NonNullable<WireRequest['response_format']> {
  const { name, schema, strict, description } = format.jsonSchema;
  return { type: 'json_schema', json_schema: { name, schema, ...(strict !== undefined && { strict }), ...(description && { description }) } };
}

/**
 * The request body for one call. Model parameters come first, so the fields smol manages (model,
 * messages, tools, stop, response_format) always win. A streamed body asks for usage in the last
 * chunk unless the parameters say otherwise.
 */
export function toWireRequest(modelId: string, messages: readonly ChatMessage[], options: ModelCallOptions, stream = false, encodeShared = false): WireRequest {
  const body: WireRequest = { ...options.modelParameters, model: modelId, messages: toWireMessages(messages, encodeShared) };
  if (options.stopSequences) body.stop = options.stopSequences;
  if (options.tools) {
    body.tools = toWireTools(options.tools);
    if (options.toolChoice) body.tool_choice = toWireToolChoice(options.toolChoice);
  }
  if (options.responseFormat) body.response_format = toWireResponseFormat(options.responseFormat);
  if (stream) {
    body.stream = true;
    if (body.stream_options === undefined) body.stream_options = { include_usage: true };
  }
  return body;
}

function argumentsOf(raw: unknown): Record<string, unknown> | string {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>; // legacy TGI
  return parseArguments(typeof raw === 'string' ? raw : raw == null ? '' : JSON.stringify(raw));
}

/**
 * A completion as an assistant ChatMessage (first choice). `provider` names it in the error for an
 * empty answer; `keepRaw` keeps the whole completion on `raw` (the model's keepRawResponse).
 */
export function fromWireCompletion(completion: WireCompletion, provider: string, keepRaw = false): ChatMessage {
  const choice = completion?.choices?.[0];
  if (!choice) throw new ModelError(`${provider} returned a completion with no choices.`, { retryable: false });
  const m = choice.message;
  const content = m?.content ?? m?.refusal ?? null;
  let toolCalls: ChatMessageToolCall[] | undefined;
  if (m?.tool_calls?.length) {
    // Sized once (a run keeps every answer's calls; an array grown by push has room for 17).
    let calls: ChatMessageToolCall[] = new Array(m.tool_calls.length);
    let n = 0;
    for (let i = 0; i < m.tool_calls.length; i++) {
      const tc = m.tool_calls[i];
      if ((tc.type !== undefined && tc.type !== 'function') || !tc.function?.name) continue;
      calls[n++] = { id: tc.id != null && String(tc.id) !== '' ? String(tc.id) : `call_${i}`, type: 'function', function: { name: tc.function.name, arguments: argumentsOf(tc.function.arguments) } };
    }
    if (n < calls.length) calls = calls.slice(0, n);
    if (n) toolCalls = calls;
  }
  const tokenUsage = readTokenUsage(completion.usage);
  // One literal per case: a field added after the literal would need a second allocation, kept as long as the step.
  const message: ChatMessage = toolCalls
    ? tokenUsage
      ? { role: 'assistant', content, toolCalls, tokenUsage }
      : { role: 'assistant', content, toolCalls }
    : tokenUsage
      ? { role: 'assistant', content, tokenUsage }
      : { role: 'assistant', content };
  if (keepRaw) message.raw = completion;
  return message;
}

/**
 * Maps stream chunks to deltas. Usage is emitted once, in the delta of the chunk where it arrives
 * (servers that repeat cumulative usage only add the difference). `finish()` throws a retryable
 * ModelError when no chunk carried a finish_reason: the stream was cut, and a short answer must not
 * pass for a whole one.
 */
export class WireStreamMapper {
  finishReason: string | null = null;
  private usage: TokenUsage | undefined;
  /** `provider` names who answered in the error for a cut stream, e.g. "OpenAI at api.openai.com". */
  constructor(private readonly provider: string) {}

  map(chunk: WireChunk): ChatMessageStreamDelta | undefined {
    let delta: ChatMessageStreamDelta | undefined;
    const choices = chunk.choices;
    const choice = choices?.find((c) => (c.index ?? 0) === 0) ?? (choices?.length === 1 ? choices[0] : undefined);
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
          if (tc.function) call.function = { ...(name && { name }), ...(text && { arguments: text }) };
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
      throw new ModelError(`${this.provider}: the stream ended before the response was complete (no finish_reason): the connection was cut or the server stopped early.`, {
        retryable: true,
      });
    }
  }
}
