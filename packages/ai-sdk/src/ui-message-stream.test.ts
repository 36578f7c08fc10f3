// The UI message stream is read back with the ai package's own readUIMessageStream, so the
// protocol is checked by its authors' code.
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { AgentAbortError, CodeAgent, ToolCallingAgent, tool } from '@smol/core';
import { readUIMessageStream, type UIMessageChunk } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { aiSdkModel, runToUIMessageStream, runToUIMessageStreamResponse, type SmolUIMessage } from './index.js';

const usage = { inputTokens: { total: 5, noCache: 5, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 2, text: 2, reasoning: undefined } };
const finish: LanguageModelV4StreamPart = { type: 'finish', usage, finishReason: { unified: 'tool-calls', raw: 'tool_use' } };
const stream = (parts: LanguageModelV4StreamPart[]) => ({ stream: convertArrayToReadableStream(parts) });

const weather = tool({
  name: 'get_weather',
  description: 'Current weather in a city.',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, sky: 'sunny' }),
});

function weatherModel() {
  return new MockLanguageModelV4({
    doStream: [
      stream([
        { type: 'reasoning-start', id: 'r' },
        { type: 'reasoning-delta', id: 'r', delta: 'Need the weather.' },
        { type: 'reasoning-end', id: 'r' },
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: 'Checking ' },
        { type: 'text-delta', id: 't', delta: 'Paris.' },
        { type: 'text-end', id: 't' },
        { type: 'tool-input-start', id: 'c1', toolName: 'get_weather' },
        { type: 'tool-input-delta', id: 'c1', delta: '{"city":"Paris"}' },
        { type: 'tool-input-end', id: 'c1' },
        { type: 'tool-call', toolCallId: 'c1', toolName: 'get_weather', input: '{"city":"Paris"}' },
        finish,
      ]),
      stream([{ type: 'tool-call', toolCallId: 'c2', toolName: 'final_answer', input: '{"answer":"Sunny in Paris"}' }, finish]),
    ],
  });
}

async function lastMessage(chunks: ReadableStream<UIMessageChunk>): Promise<SmolUIMessage> {
  let last: SmolUIMessage | undefined;
  for await (const message of readUIMessageStream<SmolUIMessage>({ stream: chunks, terminateOnError: true })) last = message;
  return last!;
}

async function collect(chunks: ReadableStream<UIMessageChunk>): Promise<UIMessageChunk[]> {
  const out: UIMessageChunk[] = [];
  const reader = chunks.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) out.push(next.value);
  return out;
}

describe('runToUIMessageStream', () => {
  it('a ToolCallingAgent run becomes steps with reasoning, text, tool calls with outputs, data parts and the answer', async () => {
    const agent = new ToolCallingAgent({ model: aiSdkModel(weatherModel()), tools: [weather] });
    const message = await lastMessage(runToUIMessageStream(agent.arun('Weather in Paris?', { stream: true }), { messageId: 'm1' }));
    expect(message.id).toBe('m1');
    const types = message.parts.map((p) => p.type);
    expect(types).toEqual([
      'step-start', 'reasoning', 'text', 'tool-get_weather', 'data-step',
      'step-start', 'tool-final_answer', 'data-step',
      'step-start', 'text',
      'data-run',
    ]);
    expect(message.parts[1]).toMatchObject({ type: 'reasoning', text: 'Need the weather.', state: 'done' });
    expect(message.parts[2]).toMatchObject({ type: 'text', text: 'Checking Paris.', state: 'done' });
    expect(message.parts[3]).toMatchObject({ type: 'tool-get_weather', toolCallId: 'c1', state: 'output-available', input: { city: 'Paris' }, output: { city: 'Paris', sky: 'sunny' } });
    expect(message.parts[4]).toMatchObject({ type: 'data-step', data: { stepNumber: 1, isFinalAnswer: false, tokenUsage: { totalTokens: 7 } } });
    expect(message.parts[9]).toMatchObject({ type: 'text', text: 'Sunny in Paris' });
    expect(message.parts[10]).toMatchObject({ type: 'data-run', data: { state: 'success', output: 'Sunny in Paris' } });
  });

  it('a CodeAgent run carries its code as data-code and the interpreter call as a tool part', async () => {
    const text = (t: string): LanguageModelV4StreamPart[] => [{ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: t }, { type: 'text-end', id: 't' }, { ...finish, finishReason: { unified: 'stop', raw: 'stop' } }];
    const model = new MockLanguageModelV4({
      doStream: [stream(text('Thought: go.\n<code>\nconst x = 6 * 7;\nconsole.log(x);\n</code>')), stream(text('Thought: done.\n<code>\nfinal_answer(`x=${x}`);\n</code>'))],
    });
    const message = await lastMessage(runToUIMessageStream(new CodeAgent({ model: aiSdkModel(model), tools: [] }).arun('compute', { stream: true })));
    const code = message.parts.filter((p) => p.type === 'data-code');
    expect(code).toHaveLength(2);
    expect(code[0]).toMatchObject({ data: { stepNumber: 1, code: 'const x = 6 * 7;\nconsole.log(x);', isFinalAnswer: false, logs: '42' } });
    expect(code[1]).toMatchObject({ data: { stepNumber: 2, isFinalAnswer: true, output: 'x=42' } });
    const interpreter = message.parts.find((p) => p.type === 'tool-javascript_interpreter');
    expect(interpreter).toMatchObject({ state: 'output-available', input: { code: 'const x = 6 * 7;\nconsole.log(x);' }, output: { logs: '42' } });
    expect(message.parts.at(-2)).toMatchObject({ type: 'text', text: 'x=42' });
  });

  it('a failed run ends with an error chunk; an interrupted one with abort', async () => {
    const failing = new MockLanguageModelV4({ doStream: async () => { throw new Error('secret internals'); } });
    const chunks = await collect(runToUIMessageStream(new ToolCallingAgent({ model: aiSdkModel(failing, { maxRetries: 0 }), tools: [] }).arun('x', { stream: true })));
    const last = chunks.at(-1)!;
    expect(last.type).toBe('error');
    expect((last as { errorText: string }).errorText).toMatch(/call failed/);

    const hanging = new MockLanguageModelV4({
      doStream: async ({ abortSignal }) => ({
        stream: new ReadableStream({ start: (c) => abortSignal?.addEventListener('abort', () => c.error(new Error('aborted')), { once: true }) }),
      }),
    });
    const run = new ToolCallingAgent({ model: aiSdkModel(hanging), tools: [] }).arun('x', { stream: true });
    setTimeout(() => run.interrupt('user left'), 20);
    const aborted = await collect(runToUIMessageStream(run));
    expect(aborted.at(-1)).toMatchObject({ type: 'abort', reason: expect.stringContaining('user left') });
  });

  it('cancelling the stream aborts the run', async () => {
    let signal: AbortSignal | undefined;
    const calling = Promise.withResolvers<void>();
    const hanging = new MockLanguageModelV4({
      doStream: async ({ abortSignal }) => {
        signal = abortSignal;
        calling.resolve();
        return { stream: new ReadableStream({ start: (c) => abortSignal?.addEventListener('abort', () => c.error(new Error('aborted')), { once: true }) }) };
      },
    });
    const run = new ToolCallingAgent({ model: aiSdkModel(hanging), tools: [] }).arun('x', { stream: true });
    const reader = runToUIMessageStream(run).getReader();
    expect((await reader.read()).value).toEqual({ type: 'start' });
    const pending = reader.read();
    await calling.promise; // cancelled while the model call is in flight
    await reader.cancel();
    await pending.catch(() => {});
    await expect(run.result).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    expect(signal?.aborted).toBe(true);
  });

  it('runToUIMessageStreamResponse answers SSE with the UI message stream header', async () => {
    const agent = new ToolCallingAgent({ model: aiSdkModel(weatherModel()), tools: [weather] });
    const response = runToUIMessageStreamResponse(agent.arun('Weather?', { stream: true }), { headers: { 'x-run': 'yes' } });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(response.headers.get('x-run')).toBe('yes');
    const body = await response.text();
    expect(body.startsWith('data: {"type":"start"}')).toBe(true);
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
