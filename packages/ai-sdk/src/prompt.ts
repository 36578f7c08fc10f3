// smol's prompt messages as the spec's prompt. smol's memory renders tool calls and observations
// as text (`Calling tools:\n[…]`, `Observation:\n…`); calls to tools offered in this request become
// native tool-call parts with parsed input, and their observations `tool` messages.
import type { LanguageModelV4FilePart, LanguageModelV4Message, LanguageModelV4Prompt, LanguageModelV4TextPart, LanguageModelV4ToolResultOutput } from '@ai-sdk/provider';
import { contentText, type ChatMessage, type ChatMessageToolCall, type ContentPart, type ImagePart } from '@smol/core';
import type { ProviderMetadata } from './spec.js';

export type AssistantPart = Extract<LanguageModelV4Message, { role: 'assistant' }>['content'][number];

/**
 * What the model returned in its recent turns, as native parts (reasoning with its signature,
 * provider-executed calls and results, each part's provider metadata), keyed by tool call id
 * and by text. smol's memory keeps only text and calls, so the next prompt takes the parts from
 * here. Bounded: the oldest turns are forgotten first.
 */
export class TurnMemory {
  private readonly turns = new Map<string, AssistantPart[]>();
  constructor(private readonly capacity = 1000) {}

  remember(parts: AssistantPart[], callIds: readonly string[], text: string): void {
    if (!parts.some(needsReplay)) return;
    const keys = callIds.length > 0 ? callIds.map((id) => `call:${id}`) : text.trim() ? [`text:${text.trim()}`] : [];
    for (const key of keys) {
      this.turns.delete(key);
      this.turns.set(key, parts);
      if (this.turns.size > this.capacity) this.turns.delete(this.turns.keys().next().value!);
    }
  }

  recall(callId: string | undefined, text: string): AssistantPart[] | undefined {
    return callId !== undefined ? this.turns.get(`call:${callId}`) : this.turns.get(`text:${text.trim()}`);
  }

  get size(): number {
    return this.turns.size;
  }
}

/** A turn is worth replaying when it carries something smol's text layout loses. */
function needsReplay(part: AssistantPart): boolean {
  if (part.type === 'reasoning' || part.type === 'tool-result' || part.providerOptions) return true;
  return part.type === 'tool-call' && part.providerExecuted === true;
}

const CALLING_TOOLS = 'Calling tools:\n';

/** The calls in smol's `Calling tools:\n[…]` text, or undefined when the text is something else. */
export function parseCallingTools(text: string): ChatMessageToolCall[] | undefined {
  if (!text.startsWith(CALLING_TOOLS)) return undefined;
  try {
    const calls: unknown = JSON.parse(text.slice(CALLING_TOOLS.length));
    if (!Array.isArray(calls) || calls.length === 0) return undefined;
    for (const c of calls as ChatMessageToolCall[]) {
      if (typeof c?.id !== 'string' || typeof c.function?.name !== 'string') return undefined;
    }
    return calls as ChatMessageToolCall[];
  } catch {
    return undefined;
  }
}

// A prompt is rebuilt every step; an image (a large data: URL) is converted once.
const imageParts = new WeakMap<ImagePart, LanguageModelV4FilePart>();

function imagePart(part: ImagePart): LanguageModelV4FilePart {
  let file = imageParts.get(part);
  if (!file) {
    file = toFilePart(part);
    imageParts.set(part, file);
  }
  return file;
}

function toFilePart(part: ImagePart): LanguageModelV4FilePart {
  if (typeof part.image !== 'string') return { type: 'file', mediaType: part.mediaType ?? 'image', data: { type: 'data', data: part.image } };
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(part.image);
  if (dataUrl) return { type: 'file', mediaType: dataUrl[1], data: { type: 'data', data: dataUrl[2] } };
  return { type: 'file', mediaType: part.mediaType ?? 'image', data: { type: 'url', url: new URL(part.image) } };
}

function userParts(content: ChatMessage['content']): Array<LanguageModelV4TextPart | LanguageModelV4FilePart> {
  if (content == null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const out: Array<LanguageModelV4TextPart | LanguageModelV4FilePart> = [];
  for (const part of content as ContentPart[]) {
    if (part.type === 'text') {
      if (part.text) out.push({ type: 'text', text: part.text });
    } else out.push(imagePart(part));
  }
  return out;
}

function callInput(args: ChatMessageToolCall['function']['arguments']): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** Providers reject empty user turns: those are dropped. */
function pushUser(into: LanguageModelV4Message[], content: ChatMessage['content']): void {
  const parts = userParts(content);
  if (parts.length > 0) into.push({ role: 'user', content: parts });
}

const ERROR_SECTION = /(^|\n)Error:\n/;

/**
 * An observation as a tool result: smol's error layout becomes `error-text`, a JSON object or
 * array (a tool that returned structured data) `json`, the rest `text`.
 */
function resultOutput(text: string): LanguageModelV4ToolResultOutput {
  const value = text.startsWith('Observation:\n') ? text.slice('Observation:\n'.length) : text;
  if (ERROR_SECTION.test(text)) return { type: 'error-text', value };
  const first = value.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      return { type: 'json', value: JSON.parse(value) as never };
    } catch {
      // not JSON after all
    }
  }
  return { type: 'text', value };
}

/**
 * Converts prepared messages (roles system, user, assistant, tool-call, tool-response) into the
 * spec's prompt. `toolNames` are the tools of this request: only calls to them go out as native
 * tool calls (a provider rejects tool-use history when the request defines no tools).
 */
export function toPrompt(messages: readonly ChatMessage[], toolNames: ReadonlySet<string>, turns: TurnMemory): LanguageModelV4Prompt {
  const prompt: LanguageModelV4Prompt = [];
  let assistantText: string | undefined; // an assistant message waiting to see whether calls follow
  let pending: { id: string; name: string }[] | undefined; // native calls still owed a result
  let deferred: LanguageModelV4Message[] = []; // user turns (observation images) that came before the results

  const flushAssistant = (): void => {
    if (assistantText === undefined) return;
    const text = assistantText;
    assistantText = undefined;
    const recalled = turns.recall(undefined, text);
    if (recalled) prompt.push({ role: 'assistant', content: recalled });
    else if (text.trim()) prompt.push({ role: 'assistant', content: [{ type: 'text', text }] });
  };
  const settle = (observation: string | undefined): void => {
    if (!pending) return;
    const calls = pending;
    pending = undefined;
    const content = calls.map((call, i) => ({
      type: 'tool-result' as const,
      toolCallId: call.id,
      toolName: call.name,
      // smol joins the observations of parallel calls into one text: it goes with the first call.
      output:
        observation === undefined
          ? ({ type: 'text', value: '(no result)' } as const)
          : i === 0
            ? resultOutput(observation)
            : ({ type: 'text', value: `(see the result of ${calls[0].id})` } as const),
    }));
    prompt.push({ role: 'tool', content });
    for (const m of deferred) prompt.push(m);
    deferred = [];
  };

  for (const m of messages) {
    if (m.role === 'tool-response') {
      flushAssistant();
      if (pending) settle(contentText(m.content));
      else pushUser(prompt, m.content);
      continue;
    }
    if (m.role === 'tool-call' || (m.role === 'assistant' && m.toolCalls?.length)) {
      const text = contentText(m.content);
      const calls = m.toolCalls?.length ? m.toolCalls : parseCallingTools(text);
      if (calls && calls.every((c) => toolNames.has(c.function.name))) {
        settle(undefined);
        const leading = m.role === 'assistant' ? text : (assistantText ?? '');
        assistantText = undefined;
        const recalled = turns.recall(calls[0].id, leading);
        const content: AssistantPart[] = recalled
          ? [...recalled]
          : [
              ...(leading.trim() ? [{ type: 'text' as const, text: leading }] : []),
              ...calls.map((c) => ({ type: 'tool-call' as const, toolCallId: c.id, toolName: c.function.name, input: callInput(c.function.arguments) })),
            ];
        prompt.push({ role: 'assistant', content });
        pending = calls.map((c) => ({ id: c.id, name: c.function.name }));
        continue;
      }
      // Calls to tools this request does not offer (a CodeAgent's code) stay text, as smolagents sends them.
      assistantText = assistantText === undefined ? text : `${assistantText}\n${text}`;
      continue;
    }
    if (m.role === 'assistant') {
      flushAssistant();
      settle(undefined);
      assistantText = contentText(m.content);
      continue;
    }
    flushAssistant();
    if (m.role === 'user' && pending) {
      pushUser(deferred, m.content);
      continue;
    }
    settle(undefined);
    if (m.role === 'system') prompt.push({ role: 'system', content: contentText(m.content) });
    else pushUser(prompt, m.content);
  }
  flushAssistant();
  settle(undefined);
  return prompt;
}

/** Provider metadata of a returned part, as the options of the same part in the next prompt. */
export function asOptions(metadata: ProviderMetadata | undefined): { providerOptions?: ProviderMetadata } {
  return metadata ? { providerOptions: metadata } : {};
}
