import { parseArguments } from '@smol/core/provider';
import {
  type ChatMessage,
  type ChatMessageStreamDelta,
  type ChatMessageToolCall,
  type GenerateOptions,
  type Model,
  type TokenUsage,
} from '@smol/core';
import { abortableDelay, raceSignal, splitText, throwIfAborted } from './util.js';

/** A tool call in a scripted reply: the full core shape, or the short `{ name, arguments }` form. */
export type ScriptedToolCall =
  | ChatMessageToolCall
  | { id?: string; name: string; arguments?: Record<string, unknown> | string };

/** A scripted assistant message: any part of a ChatMessage; `toolCalls` may use the short form. */
export interface ScriptedMessage extends Partial<Omit<ChatMessage, 'toolCalls'>> {
  toolCalls?: ScriptedToolCall[];
}

/** One reply: assistant text, a (partial) message, or an Error to throw (e.g. a core ModelError). */
export type ScriptedReply = string | ScriptedMessage | Error;

/** Computes a reply from the call. `callIndex` is 0-based and counts every agenerate/agenerateStream call. */
export type ScriptedReplyFunction = (
  messages: readonly ChatMessage[],
  options: GenerateOptions,
  callIndex: number,
) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedModelOptions {
  /** Default "scripted-model". */
  modelId?: string;
  /** Wait this long before answering (and before the first delta). Aborts promptly. Default 0. */
  delayMs?: number;
  /** Wait this long between stream deltas. Default 0. */
  chunkDelayMs?: number;
  /** Characters per content delta when streaming. Default: the text in 4 pieces (at least 1 character each). */
  chunkChars?: number;
}

/** One recorded call. `messages` is a shallow copy taken at call time; `options` as given (signal included). */
export interface ScriptedModelCall {
  messages: ChatMessage[];
  options: GenerateOptions;
  stream: boolean;
}

/** The script has no reply left for this call. */
export class ScriptExhaustedError extends Error {
  override name = 'ScriptExhaustedError';
}

/**
 * A Model that answers from a script, for unit tests: a list of replies (one per call, in order)
 * or a function of the call. Records every call in `calls`.
 */
export class ScriptedModel implements Model {
  readonly modelId: string;
  readonly calls: ScriptedModelCall[] = [];
  private readonly replies: ScriptedReply[] | undefined;
  private readonly replyFn: ScriptedReplyFunction | undefined;
  private readonly delayMs: number;
  private readonly chunkDelayMs: number;
  private readonly chunkChars: number | undefined;
  private cursor = 0;

  constructor(script: readonly ScriptedReply[] | ScriptedReplyFunction, options: ScriptedModelOptions = {}) {
    if (typeof script === 'function') this.replyFn = script;
    else if (Array.isArray(script)) this.replies = [...script];
    else throw new TypeError('ScriptedModel needs a list of replies or a function (messages, options, callIndex) => reply.');
    this.modelId = options.modelId ?? 'scripted-model';
    this.delayMs = options.delayMs ?? 0;
    this.chunkDelayMs = options.chunkDelayMs ?? 0;
    this.chunkChars = options.chunkChars;
  }

  /** Number of calls made so far. */
  get callCount(): number {
    return this.calls.length;
  }

  /** Replies not used yet (Infinity for a function script). */
  get remaining(): number {
    return this.replies ? this.replies.length - this.cursor : Infinity;
  }

  /** Append replies to a list script. */
  push(...replies: ScriptedReply[]): this {
    if (!this.replies) throw new TypeError('push() needs a list script, not a function.');
    this.replies.push(...replies);
    return this;
  }

  async agenerate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<ChatMessage> {
    const index = this.record(messages, options, false);
    const scripted = this.take(index);
    const signal = options.signal;
    throwIfAborted(signal);
    if (this.delayMs > 0) await abortableDelay(this.delayMs, signal);
    const reply = await this.resolve(scripted, messages, options, index);
    throwIfAborted(signal);
    return reply.message;
  }

  agenerateStream(messages: readonly ChatMessage[], options: GenerateOptions = {}): AsyncIterable<ChatMessageStreamDelta> {
    // The call is recorded, and its reply chosen, when it is made, not when iteration starts.
    const index = this.record(messages, options, true);
    return this.stream(this.take(index), messages, options, index);
  }

  private async *stream(
    scripted: Taken,
    messages: readonly ChatMessage[],
    options: GenerateOptions,
    index: number,
  ): AsyncGenerator<ChatMessageStreamDelta> {
    const signal = options.signal;
    throwIfAborted(signal);
    if (this.delayMs > 0) await abortableDelay(this.delayMs, signal);
    const { message, argumentStrings } = await this.resolve(scripted, messages, options, index);
    const deltas = toDeltas(message, argumentStrings, this.chunkChars);
    for (let i = 0; i < deltas.length; i++) {
      throwIfAborted(signal);
      if (i > 0 && this.chunkDelayMs > 0) await abortableDelay(this.chunkDelayMs, signal);
      yield deltas[i];
    }
  }

  private record(messages: readonly ChatMessage[], options: GenerateOptions, stream: boolean): number {
    const index = this.calls.length;
    this.calls.push({ messages: [...messages], options, stream });
    return index;
  }

  /** For a list script: the next reply, or the exhaustion error (a failed call uses up no reply). */
  private take(index: number): Taken {
    const replies = this.replies;
    if (!replies) return undefined;
    if (this.cursor < replies.length) return { reply: replies[this.cursor++] };
    return {
      reply: new ScriptExhaustedError(
        `ScriptedModel "${this.modelId}": the script has ${replies.length} ${replies.length === 1 ? 'reply' : 'replies'} and call #${index + 1} asked for another. ` +
          'Add replies to the list (or push() them), or pass a function.',
      ),
    };
  }

  private async resolve(
    scripted: Taken,
    messages: readonly ChatMessage[],
    options: GenerateOptions,
    index: number,
  ): Promise<{ message: ChatMessage; argumentStrings: string[] }> {
    let reply: ScriptedReply;
    if (scripted) {
      reply = scripted.reply;
    } else {
      const result = this.replyFn!(messages, options, index);
      reply = isPromiseLike(result) ? await raceSignal(result, options.signal) : result;
    }
    if (reply instanceof Error) throw reply;
    return normalizeReply(reply, messages, index);
  }
}

type Taken = { reply: ScriptedReply } | undefined;

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === 'function';
}

function normalizeReply(
  reply: string | ScriptedMessage,
  messages: readonly ChatMessage[],
  index: number,
): { message: ChatMessage; argumentStrings: string[] } {
  if (typeof reply === 'string') reply = { content: reply };
  if (typeof reply !== 'object' || reply === null) {
    throw new TypeError(`ScriptedModel: reply #${index + 1} must be a string, a message object or an Error, got ${reply === null ? 'null' : typeof reply}.`);
  }
  const { toolCalls: scriptedCalls, ...rest } = reply;
  const message: ChatMessage = { ...rest, role: reply.role ?? 'assistant', content: reply.content ?? '' };
  const argumentStrings: string[] = [];
  if (scriptedCalls && scriptedCalls.length > 0) {
    message.toolCalls = scriptedCalls.map((call, i) => {
      const full = 'function' in call && call.function ? call : undefined;
      const name = full ? full.function.name : (call as { name: string }).name;
      const rawArgs = full ? full.function.arguments : (call as { arguments?: Record<string, unknown> | string }).arguments;
      const argString = typeof rawArgs === 'string' ? rawArgs : JSON.stringify(rawArgs ?? {});
      argumentStrings.push(argString);
      return {
        id: call.id ?? `call_${index}_${i}`,
        type: 'function' as const,
        function: { name, arguments: typeof rawArgs === 'string' ? parseArguments(rawArgs) : { ...(rawArgs ?? {}) } },
      };
    });
  }
  message.tokenUsage ??= estimateUsage(messages, message, argumentStrings);
  return { message, argumentStrings };
}

/** A rough, deterministic usage (about 4 characters a token) so runs always have usage. */
export function estimateUsage(messages: readonly ChatMessage[], reply: ChatMessage, argumentStrings: readonly string[] = []): TokenUsage {
  let inChars = 0;
  for (const m of messages) {
    inChars += textLength(m.content) + 4;
    if (m.toolCalls) for (const c of m.toolCalls) inChars += c.function.name.length + argLength(c.function.arguments);
  }
  let outChars = textLength(reply.content);
  for (const s of argumentStrings) outChars += s.length;
  if (reply.toolCalls) for (const c of reply.toolCalls) outChars += c.function.name.length;
  const inputTokens = Math.max(1, Math.ceil(inChars / 4));
  const outputTokens = Math.max(1, Math.ceil(outChars / 4));
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

function textLength(content: ChatMessage['content']): number {
  if (content == null) return 0;
  if (typeof content === 'string') return content.length;
  let n = 0;
  for (const part of content) n += part.type === 'text' ? part.text.length : 256;
  return n;
}

function argLength(args: Record<string, unknown> | string): number {
  return typeof args === 'string' ? args.length : JSON.stringify(args).length;
}

/** The deltas of one message: content in pieces, each tool call's arguments in fragments, usage last. */
function toDeltas(message: ChatMessage, argumentStrings: readonly string[], chunkChars: number | undefined): ChatMessageStreamDelta[] {
  const deltas: ChatMessageStreamDelta[] = [];
  const text = typeof message.content === 'string' ? message.content : message.content ? contentOf(message.content) : '';
  if (text) for (const piece of splitText(text, chunkChars ?? Math.ceil(text.length / 4))) deltas.push({ content: piece });
  const calls = message.toolCalls ?? [];
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    deltas.push({ toolCalls: [{ index: i, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
    const args = argumentStrings[i] ?? '';
    const pieces = splitText(args, chunkChars ?? Math.max(1, Math.ceil(args.length / 3)));
    for (const piece of pieces) deltas.push({ toolCalls: [{ index: i, function: { arguments: piece } }] });
  }
  if (message.tokenUsage) deltas.push({ tokenUsage: message.tokenUsage });
  return deltas;
}

function contentOf(parts: Exclude<ChatMessage['content'], string | null>): string {
  const out: string[] = [];
  for (const p of parts) if (p.type === 'text') out.push(p.text);
  return out.join('');
}
