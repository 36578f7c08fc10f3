// The adapter against the AI SDK's own mock models (ai/test): what goes into doGenerate/doStream
// and what smol gets back, for spec V4, V3 and V2.
import type { LanguageModelV4CallOptions, LanguageModelV4GenerateResult, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { APICallError } from '@ai-sdk/provider';
import { AgentAbortError, AgentGenerationError, ModelError, StreamAccumulator, ToolCallingAgent, tool, type ActionStep, type ChatMessage } from '@smol/core';
import { MockLanguageModelV3, MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aiSdkModel, type AiSdkChatMessage } from './index.js';

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});
const stop = { unified: 'stop' as const, raw: 'stop' };
const toolCalls = { unified: 'tool-calls' as const, raw: 'tool_calls' };

function result(content: LanguageModelV4GenerateResult['content'], finishReason: LanguageModelV4GenerateResult['finishReason'] = stop): LanguageModelV4GenerateResult {
  return { content, finishReason, usage: usage(10, 5), warnings: [] };
}

const weather = tool({
  name: 'get_weather',
  description: 'Current weather in a city.',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

describe('agenerate over doGenerate (V4)', () => {
  it('maps the prompt, tools, tool choice, response format, stop sequences, parameters and signal', async () => {
    const model = new MockLanguageModelV4({ doGenerate: result([{ type: 'text', text: 'hi' }]) });
    const controller = new AbortController();
    const messages: ChatMessage[] = [
      { role: 'system', content: [{ type: 'text', text: 'be brief' }] },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', image: 'data:image/png;base64,AAAA' }, { type: 'image', image: 'https://example.com/a.jpg' }] },
    ];
    const reply = await aiSdkModel(model, { modelParameters: { temperature: 0.2, max_tokens: 99 } }).agenerate(messages, {
      toolsToCallFrom: [weather],
      toolChoice: { type: 'function', function: { name: 'get_weather' } },
      responseFormat: { type: 'json_schema', jsonSchema: { name: 'out', schema: { type: 'object' } } },
      stopSequences: ['STOP'],
      signal: controller.signal,
    });
    expect(reply.content).toBe('hi');
    expect(reply.tokenUsage).toEqual({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    const call = model.doGenerateCalls[0];
    expect(call.prompt).toEqual([
      { role: 'system', content: 'be brief' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'file', mediaType: 'image/png', data: { type: 'data', data: 'AAAA' } },
          { type: 'file', mediaType: 'image', data: { type: 'url', url: new URL('https://example.com/a.jpg') } },
        ],
      },
    ]);
    expect(call.tools).toEqual([
      { type: 'function', name: 'get_weather', description: 'Current weather in a city.', inputSchema: expect.objectContaining({ type: 'object', required: ['city'] }) },
    ]);
    expect(call.toolChoice).toEqual({ type: 'tool', toolName: 'get_weather' });
    expect(call.responseFormat).toEqual({ type: 'json', schema: { type: 'object' }, name: 'out', description: undefined });
    expect(call.stopSequences).toEqual(['STOP']);
    expect(call.temperature).toBe(0.2);
    expect(call.maxOutputTokens).toBe(99);
    expect(call.abortSignal).toBe(controller.signal);
  });

  it('returns tool calls with parsed input, reasoning and metadata on the message, and skips provider-executed calls', async () => {
    const signature = { anthropic: { signature: 'sig-1' } };
    const model = new MockLanguageModelV4({
      doGenerate: result(
        [
          { type: 'reasoning', text: 'think', providerMetadata: signature },
          { type: 'tool-call', toolCallId: 'ws_1', toolName: 'web_search', input: '{"q":"x"}', providerExecuted: true },
          { type: 'tool-result', toolCallId: 'ws_1', toolName: 'web_search', result: { hits: 1 } },
          { type: 'text', text: 'calling' },
          { type: 'tool-call', toolCallId: 'c1', toolName: 'get_weather', input: '{"city":"Paris"}', providerMetadata: { openai: { itemId: 'fc_1' } } },
        ],
        toolCalls,
      ),
    });
    const reply = (await aiSdkModel(model).agenerate([{ role: 'user', content: 'go' }])) as AiSdkChatMessage;
    expect(reply.content).toBe('calling');
    expect(reply.toolCalls).toEqual([{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }]);
    expect(reply.finishReason).toBe('tool-calls');
    expect(reply.parts?.[0]).toEqual({ type: 'reasoning', text: 'think', providerOptions: signature });
    expect(reply.parts?.[2]).toEqual({ type: 'tool-result', toolCallId: 'ws_1', toolName: 'web_search', output: { type: 'json', value: { hits: 1 } } });
  });
});

describe('a ToolCallingAgent on a V4 mock model', () => {
  it('sends native tool calls and results, replays reasoning signatures and provider-executed calls, never runs them', async () => {
    const model = new MockLanguageModelV4({
      doGenerate: [
        result(
          [
            { type: 'reasoning', text: 'need weather', providerMetadata: { anthropic: { signature: 'sig-A' } } },
            { type: 'tool-call', toolCallId: 'ws_1', toolName: 'web_search', input: '{}', providerExecuted: true },
            { type: 'tool-result', toolCallId: 'ws_1', toolName: 'web_search', result: 'nothing' },
            { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: '{"city":"Paris"}', providerMetadata: { openai: { itemId: 'fc_1' } } },
          ],
          toolCalls,
        ),
        result([{ type: 'tool-call', toolCallId: 'call_2', toolName: 'final_answer', input: '{"answer":"Sunny"}' }], toolCalls),
      ],
    });
    const agent = new ToolCallingAgent({ model: aiSdkModel(model), tools: [weather] });
    const run = (await agent.arun('Weather in Paris?', { returnFullResult: true }));
    expect(run.output).toBe('Sunny');
    const step = run.steps[1] as ActionStep;
    expect(step.observations).toBe('Sunny in Paris');
    expect(step.error).toBeUndefined();

    const prompt = model.doGenerateCalls[1].prompt;
    const assistant = prompt.find((m) => m.role === 'assistant');
    expect(assistant?.content).toEqual([
      { type: 'reasoning', text: 'need weather', providerOptions: { anthropic: { signature: 'sig-A' } } },
      { type: 'tool-call', toolCallId: 'ws_1', toolName: 'web_search', input: {}, providerExecuted: true },
      { type: 'tool-result', toolCallId: 'ws_1', toolName: 'web_search', output: { type: 'json', value: 'nothing' } },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' }, providerOptions: { openai: { itemId: 'fc_1' } } },
    ]);
    expect(prompt.at(-1)).toEqual({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'get_weather', output: { type: 'text', value: 'Sunny in Paris' } }],
    });
  });

  it('a structured tool output goes back as json', async () => {
    const lookup = tool({ name: 'lookup', description: 'Looks up.', inputSchema: z.object({}), execute: () => ({ temp: 21, tags: ['warm'] }) });
    const model = new MockLanguageModelV4({
      doGenerate: [
        result([{ type: 'tool-call', toolCallId: 'l1', toolName: 'lookup', input: '{}' }], toolCalls),
        result([{ type: 'tool-call', toolCallId: 'f1', toolName: 'final_answer', input: '{"answer":"21"}' }], toolCalls),
      ],
    });
    expect(await new ToolCallingAgent({ model: aiSdkModel(model), tools: [lookup] }).arun('temp?')).toBe('21');
    const last = model.doGenerateCalls[1].prompt.at(-1)!;
    expect((last.content[0] as { output: unknown }).output).toEqual({ type: 'json', value: { temp: 21, tags: ['warm'] } });
  });

  it('a tool error goes back as error-text', async () => {
    const broken = tool({ name: 'broken', description: 'Fails.', inputSchema: z.object({}), execute: () => { throw new Error('boom'); } });
    const model = new MockLanguageModelV4({
      doGenerate: [
        result([{ type: 'tool-call', toolCallId: 'b1', toolName: 'broken', input: '{}' }], toolCalls),
        result([{ type: 'tool-call', toolCallId: 'f1', toolName: 'final_answer', input: '{"answer":"gave up"}' }], toolCalls),
      ],
    });
    const answer = await new ToolCallingAgent({ model: aiSdkModel(model), tools: [broken] }).arun('try');
    expect(answer).toBe('gave up');
    const last = model.doGenerateCalls[1].prompt.at(-1)!;
    expect(last.role).toBe('tool');
    const output = (last.content[0] as { output: { type: string; value: string } }).output;
    expect(output.type).toBe('error-text');
    expect(output.value).toContain('boom');
  });
});

function streamOf(parts: LanguageModelV4StreamPart[]) {
  return { stream: convertArrayToReadableStream(parts) };
}

describe('agenerateStream over doStream', () => {
  const parts: LanguageModelV4StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'ping' },
    { type: 'reasoning-start', id: 'r' },
    { type: 'reasoning-delta', id: 'r', delta: 'hm' },
    { type: 'reasoning-end', id: 'r', providerMetadata: { anthropic: { signature: 'sig-S' } } },
    { type: 'text-start', id: 't' },
    { type: 'text-delta', id: 't', delta: 'Let me ' },
    { type: 'text-delta', id: 't', delta: 'check.' },
    { type: 'text-end', id: 't' },
    { type: 'tool-input-start', id: 'call_9', toolName: 'get_weather' },
    { type: 'tool-input-delta', id: 'call_9', delta: '{"city":' },
    { type: 'tool-input-delta', id: 'call_9', delta: '"Oslo"}' },
    { type: 'tool-input-end', id: 'call_9' },
    { type: 'tool-call', toolCallId: 'call_9', toolName: 'get_weather', input: '{"city":"Oslo"}' },
    { type: 'finish', usage: usage(7, 3), finishReason: toolCalls },
  ];

  it('V4: text and reasoning by id, partial tool arguments, the final call, usage and finish reason', async () => {
    const model = new MockLanguageModelV4({ doStream: streamOf(parts) });
    const acc = new StreamAccumulator();
    const deltas = [];
    for await (const d of aiSdkModel(model).agenerateStream([{ role: 'user', content: 'go' }], { toolsToCallFrom: [weather] })) {
      deltas.push(d);
      acc.add(d);
    }
    expect(deltas).toContainEqual({ reasoning: 'hm' });
    expect(deltas).toContainEqual({ toolCalls: [{ index: 0, function: { arguments: '{"city":' } }] });
    expect(deltas.at(-1)).toEqual({ tokenUsage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 }, finishReason: 'tool-calls' });
    expect(acc.toMessage()).toEqual({
      role: 'assistant',
      content: 'Let me check.',
      toolCalls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: { city: 'Oslo' } } }],
      tokenUsage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 },
    });
  });

  it('V3: a streamed ToolCallingAgent run replays the streamed reasoning signature on the next turn', async () => {
    const final: LanguageModelV4StreamPart[] = [
      { type: 'tool-call', toolCallId: 'f', toolName: 'final_answer', input: '{"answer":"cold"}' },
      { type: 'finish', usage: usage(1, 1), finishReason: toolCalls },
    ];
    const v3parts = parts.filter((p) => p.type !== 'ping');
    const model = new MockLanguageModelV3({ doStream: [streamOf(v3parts), streamOf(final)] as never });
    const run = new ToolCallingAgent({ model: aiSdkModel(model), tools: [weather] }).arun('Oslo?', { stream: true });
    for await (const _ of run) {
      // drain
    }
    expect((await run.result).output).toBe('cold');
    const assistant = model.doStreamCalls[1].prompt.find((m) => m.role === 'assistant');
    expect(assistant?.content[0]).toEqual({ type: 'reasoning', text: 'hm', providerOptions: { anthropic: { signature: 'sig-S' } } });
    expect(assistant?.content.at(-1)).toEqual({ type: 'tool-call', toolCallId: 'call_9', toolName: 'get_weather', input: { city: 'Oslo' } });
  });

  it('a provider-executed call in a stream gives smol no tool call, and is replayed with its result', async () => {
    const model = new MockLanguageModelV4({
      doStream: [
        streamOf([
          { type: 'tool-input-start', id: 'ws', toolName: 'web_search', providerExecuted: true },
          { type: 'tool-input-delta', id: 'ws', delta: '{"q":"news"}' },
          { type: 'tool-call', toolCallId: 'ws', toolName: 'web_search', input: '{"q":"news"}', providerExecuted: true },
          { type: 'tool-result', toolCallId: 'ws', toolName: 'web_search', result: { items: 3 } },
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: 'Found 3.' },
          { type: 'text-end', id: 't' },
          { type: 'finish', usage: usage(1, 1), finishReason: stop },
        ]),
        streamOf([{ type: 'text-delta', id: 'u', delta: 'ok' }, { type: 'finish', usage: usage(1, 1), finishReason: stop }]),
      ],
    });
    const m = aiSdkModel(model);
    const acc = new StreamAccumulator();
    for await (const d of m.agenerateStream([{ role: 'user', content: 'news?' }])) acc.add(d);
    expect(acc.toMessage()).toMatchObject({ content: 'Found 3.' });
    expect(acc.toMessage().toolCalls).toBeUndefined();
    const next: ChatMessage[] = [{ role: 'user', content: 'news?' }, { role: 'assistant', content: 'Found 3.' }, { role: 'user', content: 'more' }];
    for await (const _ of m.agenerateStream(next)) {
      // drain
    }
    expect(model.doStreamCalls[1].prompt[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'tool-call', toolCallId: 'ws', toolName: 'web_search', input: { q: 'news' }, providerExecuted: true },
        { type: 'tool-result', toolCallId: 'ws', toolName: 'web_search', output: { type: 'json', value: { items: 3 } } },
        { type: 'text', text: 'Found 3.' },
      ],
    });
  });

  it('an error part surfaces as a ModelError', async () => {
    const model = new MockLanguageModelV4({ doStream: streamOf([{ type: 'text-delta', id: 't', delta: 'x' }, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }]) });
    const consume = async () => {
      for await (const _ of aiSdkModel(model).agenerateStream([{ role: 'user', content: 'go' }])) {
        // drain
      }
    };
    await expect(consume()).rejects.toSatisfy((e) => ModelError.isInstance(e) && /bad/.test((e as Error).message));
  });
});

describe('V2 models', () => {
  it('flat usage, untagged file data, string finish reason', async () => {
    const calls: unknown[] = [];
    const v2 = {
      specificationVersion: 'v2' as const,
      provider: 'legacy',
      modelId: 'old-1',
      supportedUrls: {},
      async doGenerate(options: unknown) {
        calls.push(options);
        return { content: [{ type: 'text' as const, text: 'ok' }], finishReason: 'stop' as const, usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, warnings: [] };
      },
      async doStream(): Promise<never> {
        throw new Error('unused');
      },
    };
    const reply = (await aiSdkModel(v2).agenerate([{ role: 'user', content: [{ type: 'image', image: new Uint8Array([1, 2]), mediaType: 'image/png' }] }])) as AiSdkChatMessage;
    expect(reply.content).toBe('ok');
    expect(reply.tokenUsage).toEqual({ inputTokens: 3, outputTokens: 2, totalTokens: 5 });
    expect(reply.finishReason).toBe('stop');
    const prompt = (calls[0] as LanguageModelV4CallOptions).prompt as unknown as { content: unknown[] }[];
    expect(prompt[0].content[0]).toEqual({ type: 'file', mediaType: 'image/png', data: new Uint8Array([1, 2]) });
  });

  it('streams with flat usage and a string finish reason', async () => {
    const v2 = {
      specificationVersion: 'v2' as const,
      provider: 'legacy',
      modelId: 'old-1',
      supportedUrls: {},
      async doGenerate(): Promise<never> {
        throw new Error('unused');
      },
      async doStream() {
        return {
          stream: convertArrayToReadableStream([
            { type: 'text-delta' as const, id: '0', delta: 'he' },
            { type: 'text-delta' as const, id: '0', delta: 'llo' },
            { type: 'finish' as const, finishReason: 'stop' as const, usage: { inputTokens: 4, outputTokens: 1, totalTokens: 5 } },
          ]),
        };
      },
    };
    const acc = new StreamAccumulator();
    const deltas = [];
    for await (const d of aiSdkModel(v2).agenerateStream([{ role: 'user', content: 'hi' }])) {
      deltas.push(d);
      acc.add(d);
    }
    expect(acc.toMessage()).toEqual({ role: 'assistant', content: 'hello', tokenUsage: { inputTokens: 4, outputTokens: 1, totalTokens: 5 } });
    expect(deltas.at(-1)).toMatchObject({ finishReason: 'stop' });
  });

  it('rejects what is not a language model object', () => {
    expect(() => aiSdkModel('gpt-4.1' as never)).toThrow(/model object/);
  });
});

describe('errors and retries are smol’s', () => {
  const apiError = (status: number, headers: Record<string, string> = {}) =>
    new APICallError({ message: `HTTP ${status}`, url: 'http://x', requestBodyValues: {}, statusCode: status, responseHeaders: headers, isRetryable: status === 429 || status >= 500 });

  it('retries a 429 after its Retry-After, then succeeds', async () => {
    let n = 0;
    const model = new MockLanguageModelV4({
      doGenerate: async () => {
        if (n++ === 0) throw apiError(429, { 'retry-after': '0' });
        return result([{ type: 'text', text: 'second' }]);
      },
    });
    const reply = await aiSdkModel(model, { retryBackoff: { initialDelayMs: 1 } }).agenerate([{ role: 'user', content: 'x' }]);
    expect(reply.content).toBe('second');
    expect(n).toBe(2);
  });

  it('a 400 is not retried and keeps its status; the agent reports a generation error', async () => {
    const model = new MockLanguageModelV4({ doGenerate: async () => { throw apiError(400); } });
    const m = aiSdkModel(model, { retryBackoff: { initialDelayMs: 1 } });
    await expect(m.agenerate([{ role: 'user', content: 'x' }])).rejects.toSatisfy((e) => ModelError.isInstance(e) && (e as ModelError).status === 400 && !(e as ModelError).retryable);
    expect(model.doGenerateCalls).toHaveLength(1);
    await expect(new ToolCallingAgent({ model: m, tools: [] }).arun('x')).rejects.toSatisfy((e) => AgentGenerationError.isInstance(e));
  });

  it('the run signal aborts the call', async () => {
    let started!: () => void;
    const called = new Promise<void>((resolve) => (started = resolve));
    const model = new MockLanguageModelV4({
      doGenerate: (options) =>
        new Promise((_, reject) => {
          options.abortSignal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          started();
        }),
    });
    const controller = new AbortController();
    const pending = aiSdkModel(model).agenerate([{ role: 'user', content: 'x' }], { signal: controller.signal });
    await called;
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('an interrupted run ends even when the AI SDK model ignores abortSignal', async () => {
    let started!: () => void;
    const called = new Promise<void>((resolve) => (started = resolve));
    const model = new MockLanguageModelV4({
      doGenerate: () => {
        started();
        return new Promise(() => {});
      },
    });
    const run = new ToolCallingAgent({ model: aiSdkModel(model), tools: [] }).start('x');
    const ended = run.drain().catch((e: unknown) => e);
    await called;
    run.interrupt('user left');
    const error = await ended;
    expect(AgentAbortError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('user left');
  });
});
