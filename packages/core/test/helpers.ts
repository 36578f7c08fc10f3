// A minimal scripted model for core's own tests. (@smol/testing depends on core, so core
// cannot use it without a dependency cycle.)
import { z } from 'zod';
import { tool } from '../src/index.js';
import { sleep } from '../src/provider/index.js';
import type { ChatMessage, ChatMessageStreamDelta, GenerateOptions, Model, TokenUsage } from '../src/index.js';

export type Reply = ChatMessage | string | Error | ((messages: readonly ChatMessage[], options: GenerateOptions) => ChatMessage | Promise<ChatMessage>);

export const usage = (i = 10, o = 5): TokenUsage => ({ inputTokens: i, outputTokens: o, totalTokens: i + o });

export function call(name: string, args: Record<string, unknown> | string, id = `call_${name}`): ChatMessage['toolCalls'] {
  return [{ id, type: 'function', function: { name, arguments: args } }];
}

export function reply(toolCalls: ChatMessage['toolCalls'], content = ''): ChatMessage {
  return { role: 'assistant', content, toolCalls, tokenUsage: usage() };
}

export class TestModel implements Model {
  readonly modelId = 'test-model';
  readonly calls: { messages: ChatMessage[]; options: GenerateOptions }[] = [];
  constructor(private readonly replies: Reply[] | ((messages: readonly ChatMessage[], options: GenerateOptions, index: number) => Reply | Promise<Reply>), private readonly delayMs = 0) {}

  async agenerate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<ChatMessage> {
    const index = this.calls.length;
    this.calls.push({ messages: [...messages], options });
    if (this.delayMs > 0) await abortableDelay(this.delayMs, options.signal);
    options.signal?.throwIfAborted();
    let r: Reply | undefined = Array.isArray(this.replies) ? this.replies[index] : await this.replies(messages, options, index);
    if (r === undefined) throw new Error(`TestModel: no reply scripted for call ${index}`);
    if (typeof r === 'function') r = await r(messages, options);
    if (r instanceof Error) throw r;
    if (typeof r === 'string') return { role: 'assistant', content: r, tokenUsage: usage() };
    return r;
  }

  async *agenerateStream(messages: readonly ChatMessage[], options: GenerateOptions = {}): AsyncGenerator<ChatMessageStreamDelta> {
    const m = await this.agenerate(messages, options);
    const text = typeof m.content === 'string' ? m.content : '';
    for (let i = 0; i < text.length; i += 3) yield { content: text.slice(i, i + 3) };
    for (const [index, c] of (m.toolCalls ?? []).entries()) {
      const args = typeof c.function.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function.arguments);
      yield { toolCalls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] };
      const mid = Math.floor(args.length / 2);
      yield { toolCalls: [{ index, function: { arguments: args.slice(0, mid) } }] };
      yield { toolCalls: [{ index, function: { arguments: args.slice(mid) } }] };
    }
    if (m.tokenUsage) {
      yield { tokenUsage: { inputTokens: m.tokenUsage.inputTokens, outputTokens: 0, totalTokens: m.tokenUsage.inputTokens } };
      yield { tokenUsage: { inputTokens: 0, outputTokens: m.tokenUsage.outputTokens, totalTokens: m.tokenUsage.outputTokens } };
    }
  }
}

/** Core's own abortable sleep, under the name the tests use. */
export const abortableDelay = sleep;

/** Tools several test files use. */
export const add = tool({
  name: 'add',
  description: 'Adds two numbers.',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

export const broken = tool({
  name: 'broken',
  description: 'Always fails.',
  inputSchema: z.object({}),
  execute: () => {
    throw new Error('disk on fire');
  },
});

/** Text of every message, for assertions on the prompt. */
export function promptText(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `[${m.role}] ${typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => (p.type === 'text' ? p.text : '<image>')).join('')}`).join('\n');
}
