// A smol agent called as a tool by the AI SDK's own generateText / streamText, with a mock model
// on each side.
import type { LanguageModelV4GenerateResult, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { ToolCallingAgent, tool as smolTool } from '@smol/core';
import { generateText, stepCountIs, streamText } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentTool, aiSdkModel, type AgentToolResult } from './index.js';

const usage = { inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 2, text: 2, reasoning: undefined } };
const generated = (content: LanguageModelV4GenerateResult['content'], unified: 'stop' | 'tool-calls' = 'tool-calls'): LanguageModelV4GenerateResult => ({
  content,
  finishReason: { unified, raw: unified },
  usage,
  warnings: [],
});
const streamed = (parts: LanguageModelV4StreamPart[]) => ({ stream: convertArrayToReadableStream(parts) });
const finish = (unified: 'stop' | 'tool-calls'): LanguageModelV4StreamPart => ({ type: 'finish', usage, finishReason: { unified, raw: unified } });

const weather = smolTool({
  name: 'get_weather',
  description: 'Current weather in a city.',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

/** A smol agent whose own model calls get_weather, then answers. */
function researcher() {
  const inner = new MockLanguageModelV4({
    doGenerate: [
      generated([{ type: 'tool-call', toolCallId: 'w1', toolName: 'get_weather', input: '{"city":"Lyon"}' }]),
      generated([{ type: 'tool-call', toolCallId: 'f1', toolName: 'final_answer', input: '{"answer":"Lyon is sunny"}' }]),
    ],
    doStream: [
      streamed([{ type: 'tool-call', toolCallId: 'w1', toolName: 'get_weather', input: '{"city":"Lyon"}' }, finish('tool-calls')]),
      streamed([{ type: 'tool-call', toolCallId: 'f1', toolName: 'final_answer', input: '{"answer":"Lyon is sunny"}' }, finish('tool-calls')]),
    ],
  });
  return new ToolCallingAgent({ model: aiSdkModel(inner), tools: [weather], name: 'researcher', description: 'Researches the weather.' });
}

describe('agentTool', () => {
  it('generateText calls the smol agent; the calling model gets only its answer', async () => {
    const outer = new MockLanguageModelV4({
      doGenerate: [
        generated([{ type: 'tool-call', toolCallId: 'r1', toolName: 'researcher', input: '{"task":"Weather in Lyon?"}' }]),
        generated([{ type: 'text', text: 'All done.' }], 'stop'),
      ],
    });
    const result = await generateText({ model: outer, tools: { researcher: agentTool(researcher()) }, prompt: 'Lyon?', stopWhen: stepCountIs(3) });
    expect(result.text).toBe('All done.');
    const toolResult = result.steps[0].toolResults[0];
    expect(toolResult.output).toEqual({ status: 'done', steps: 2, output: 'Lyon is sunny' });
    expect(outer.doGenerateCalls[0].tools?.[0]).toMatchObject({ name: 'researcher', description: 'Researches the weather.', inputSchema: { required: ['task'] } });
    const sent = outer.doGenerateCalls[1].prompt.at(-1)!;
    expect(sent).toMatchObject({ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'r1', output: { type: 'text', value: 'Lyon is sunny' } }] });
  });

  it('streamText sees preliminary results while the agent runs, then the answer', async () => {
    const outer = new MockLanguageModelV4({
      doStream: [
        streamed([{ type: 'tool-call', toolCallId: 'r1', toolName: 'researcher', input: '{"task":"Weather in Lyon?"}' }, finish('tool-calls')]),
        streamed([{ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'ok' }, { type: 'text-end', id: 't' }, finish('stop')]),
      ],
    });
    const result = streamText({ model: outer, tools: { researcher: agentTool(researcher()) }, prompt: 'Lyon?', stopWhen: stepCountIs(3) });
    const outputs: { preliminary?: boolean; output: AgentToolResult }[] = [];
    for await (const part of result.fullStream) {
      if (part.type === 'tool-result') outputs.push({ preliminary: part.preliminary, output: part.output as AgentToolResult });
    }
    expect(await result.text).toBe('ok');
    const preliminary = outputs.filter((o) => o.preliminary);
    expect(preliminary.length).toBeGreaterThanOrEqual(3);
    expect(preliminary.map((o) => o.output.lastToolCall?.name)).toContain('get_weather');
    expect(preliminary.some((o) => o.output.lastObservation === 'Sunny in Lyon')).toBe(true);
    expect(outputs.at(-1)).toEqual({ preliminary: undefined, output: { status: 'done', steps: 2, output: 'Lyon is sunny' } });
  });

  it("the AI SDK's abortSignal reaches the agent's model call", async () => {
    let innerSignal: AbortSignal | undefined;
    let called!: () => void;
    const innerCalled = new Promise<void>((r) => (called = r));
    const inner = new MockLanguageModelV4({
      doStream: async ({ abortSignal }) => {
        innerSignal = abortSignal;
        called();
        return { stream: new ReadableStream({ start: (c) => abortSignal?.addEventListener('abort', () => c.error(new Error('aborted')), { once: true }) }) };
      },
    });
    const agent = new ToolCallingAgent({ model: aiSdkModel(inner), tools: [] });
    const outer = new MockLanguageModelV4({
      doStream: streamed([{ type: 'tool-call', toolCallId: 'r1', toolName: 'slow', input: '{"task":"wait"}' }, finish('tool-calls')]),
    });
    const controller = new AbortController();
    const result = streamText({ model: outer, tools: { slow: agentTool(agent) }, prompt: 'go', abortSignal: controller.signal });
    const consumed = (async () => {
      for await (const _ of result.fullStream) {
        // until the abort
      }
    })();
    await innerCalled;
    controller.abort();
    await consumed.catch(() => {});
    expect(innerSignal?.aborted).toBe(true);
  });
});
