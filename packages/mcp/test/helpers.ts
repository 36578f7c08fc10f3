// A tiny scripted model for these tests (core's test helpers are not part of its package).
import { fileURLToPath } from 'node:url';
import type { ChatMessage, ChatMessageStreamDelta, GenerateOptions, Model } from '@smol/core';
import type { StdioServerParams } from '../src/index.js';

/** The fixture server over stdio, run by this Node (24: it strips the types itself). */
export const echoServer: StdioServerParams = {
  command: process.execPath,
  args: [fileURLToPath(new URL('./fixtures/echo-server.ts', import.meta.url))],
  // A library test must not write to the console; the fixture is quiet, but be sure.
  stderr: 'ignore',
};

/** Each reply is one step's tool calls: [name, arguments] pairs. */
export type Step = [name: string, args: Record<string, unknown>][];

export class ScriptedModel implements Model {
  readonly modelId = 'scripted';
  readonly calls: { messages: ChatMessage[]; options: GenerateOptions }[] = [];
  constructor(private readonly steps: Step[]) {}

  async agenerate(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<ChatMessage> {
    const index = this.calls.length;
    this.calls.push({ messages: [...messages], options });
    const step = this.steps[index];
    if (!step) throw new Error(`ScriptedModel: no reply scripted for call ${index}`);
    return {
      role: 'assistant',
      content: '',
      toolCalls: step.map(([name, args], i) => ({ id: `call_${index}_${i}`, type: 'function', function: { name, arguments: args } })),
      tokenUsage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    };
  }

  /** Streamed runs get the same reply as one delta per tool call. */
  async *agenerateStream(messages: readonly ChatMessage[], options: GenerateOptions = {}): AsyncGenerator<ChatMessageStreamDelta> {
    const message = await this.agenerate(messages, options);
    for (const [index, c] of (message.toolCalls ?? []).entries()) {
      yield { toolCalls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: JSON.stringify(c.function.arguments) } }] };
    }
    yield { tokenUsage: message.tokenUsage };
  }
}

/** True while a process with this pid exists (a zombie counts: it is not reaped yet). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Active handles other than timers (the SDK leaves unref'd fallback timers behind on close),
 * after two turns of the event loop: libuv frees a closed handle on the turn after close().
 */
export async function handles(): Promise<string[]> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((r) => r !== 'Timeout').sort();
}
