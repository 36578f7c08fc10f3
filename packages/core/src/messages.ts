export type MessageRole = 'user' | 'assistant' | 'system' | 'tool-call' | 'tool-response';

export const MessageRole = {
  USER: 'user',
  ASSISTANT: 'assistant',
  SYSTEM: 'system',
  TOOL_CALL: 'tool-call',
  TOOL_RESPONSE: 'tool-response',
} as const satisfies Record<string, MessageRole>;

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image: a URL (https: or data:) or raw bytes with a media type. */
export interface ImagePart {
  type: 'image';
  image: string | Uint8Array;
  mediaType?: string;
}

export type ContentPart = TextPart | ImagePart;

export interface ChatMessageToolCall {
  id: string;
  type: 'function';
  function: {
    name: string;
    /** Parsed arguments, or the raw string when the model sent something that is not JSON. */
    arguments: Record<string, unknown> | string;
  };
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface ChatMessage {
  role: MessageRole;
  content: string | ContentPart[] | null;
  toolCalls?: ChatMessageToolCall[];
  tokenUsage?: TokenUsage;
  /** The provider's whole response, for debugging, when the model keeps it (`keepRawResponse`). Not serialised into prompts or snapshots. */
  raw?: unknown;
}

/** A fragment of a tool call in a stream. Fragments with the same index belong together. */
export interface ChatMessageToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatMessageStreamDelta {
  content?: string;
  toolCalls?: ChatMessageToolCallDelta[];
  /** Incremental: the usage this delta adds. Sum them; never count a total twice. */
  tokenUsage?: TokenUsage;
}

export function addUsage(a: TokenUsage | undefined | null, b: TokenUsage | undefined | null): TokenUsage | undefined {
  if (!a) return b ?? undefined;
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/** The text of a message's content, ignoring images. */
export function contentText(content: ChatMessage['content']): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) if (part.type === 'text') out += part.text;
  return out;
}

/**
 * Folds stream deltas into one assistant message. Text is kept as chunks and joined once,
 * so a 10^5-chunk stream costs linear time, not quadratic.
 */
export class StreamAccumulator {
  private readonly chunks: string[] = [];
  private readonly calls: { id?: string; name: string[]; args: string[] }[] = [];
  private usage: TokenUsage | undefined;

  add(delta: ChatMessageStreamDelta): void {
    if (delta.content) this.chunks.push(delta.content);
    if (delta.tokenUsage) this.usage = addUsage(this.usage, delta.tokenUsage);
    if (delta.toolCalls) {
      for (const d of delta.toolCalls) {
        const call = (this.calls[d.index] ??= { name: [], args: [] });
        if (d.id) call.id = d.id;
        if (d.function?.name) call.name.push(d.function.name);
        if (d.function?.arguments) call.args.push(d.function.arguments);
      }
    }
  }

  get text(): string {
    return this.chunks.join('');
  }

  toMessage(): ChatMessage {
    const message: ChatMessage = { role: 'assistant', content: this.text };
    const calls = this.calls.filter(Boolean);
    if (calls.length > 0) {
      message.toolCalls = calls.map((c, i) => ({
        id: c.id ?? `call_${i}`,
        type: 'function' as const,
        function: { name: c.name.join(''), arguments: parseArguments(c.args.join('')) },
      }));
    }
    if (this.usage) message.tokenUsage = this.usage;
    return message;
  }
}

/** JSON arguments as an object; anything unparseable stays a string for the loop to report. */
export function parseArguments(raw: string): Record<string, unknown> | string {
  if (raw.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : raw;
  } catch {
    return raw;
  }
}

/** Bytes as base64, on Node (Buffer) or elsewhere (btoa). */
export function bytesToBase64(bytes: Uint8Array): string {
  if (typeof Buffer !== 'undefined') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** An image part as a URL: its own URL, or its bytes as a data: URL. */
export function imagePartUrl(part: ImagePart): string {
  if (typeof part.image === 'string') return part.image;
  return `data:${part.mediaType ?? 'image/png'};base64,${bytesToBase64(part.image)}`;
}

/** The text parts of a message joined with newlines (images dropped), for text-only wire formats. */
export function contentLines(content: ChatMessage['content']): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  // One text part (every message smol's memory makes): no array, no join.
  if (content.length === 1 && content[0].type === 'text') return content[0].text;
  const texts: string[] = [];
  for (const p of content) if (p.type === 'text') texts.push(p.text);
  return texts.join('\n');
}

/**
 * What a usage report adds over the previous one of the same stream, or undefined when it adds
 * nothing. Streams report usage once or as running totals; either way it is counted once.
 */
export function usageIncrement(previous: TokenUsage | undefined, reported: TokenUsage): TokenUsage | undefined {
  const added = previous
    ? {
        inputTokens: reported.inputTokens - previous.inputTokens,
        outputTokens: reported.outputTokens - previous.outputTokens,
        totalTokens: reported.totalTokens - previous.totalTokens,
      }
    : reported;
  return added.inputTokens || added.outputTokens || added.totalTokens ? added : undefined;
}

/** The text parts of a content, joined by newlines. */
export function textOf(parts: readonly ContentPart[]): string {
  const texts: string[] = [];
  for (const p of parts) if (p.type === 'text') texts.push(p.text);
  return texts.join('\n');
}

/** Two contents as one (text joined by a newline; empty ones dropped), as when two messages of one role merge. */
export function mergeContent(a: ChatMessage['content'], b: ChatMessage['content']): ChatMessage['content'] {
  if (b === null || b === '' || (Array.isArray(b) && b.length === 0)) return a;
  if (a === null || a === '' || (Array.isArray(a) && a.length === 0)) return b;
  if (typeof a === 'string' && typeof b === 'string') return `${a}\n${b}`;
  const parts: ContentPart[] = typeof a === 'string' ? [{ type: 'text', text: a }] : [...a];
  const next: readonly ContentPart[] = typeof b === 'string' ? [{ type: 'text', text: b }] : b;
  for (const part of next) {
    const last = parts[parts.length - 1];
    if (part.type === 'text' && last?.type === 'text') parts[parts.length - 1] = { type: 'text', text: `${last.text}\n${part.text}` };
    else parts.push(part);
  }
  return parts;
}
