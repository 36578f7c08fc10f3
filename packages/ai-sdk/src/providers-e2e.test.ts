// End to end through real AI SDK providers: @ai-sdk/openai (Chat Completions) against
// @smol/testing's simulated server, and @ai-sdk/anthropic against a scripted /v1/messages server.
// Both drive a ToolCallingAgent and a CodeAgent to a final answer.
import { getEventListeners } from 'node:events';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { CodeAgent, ToolCallingAgent, tool } from '@smol/core';
import { getDefaultNodeFetch } from '@smol/core/transport';
import { closeFixtureServers, codeScenario, startMockLlmServer, type MockLlmServer } from '@smol/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startAnthropicMessagesServer, wireText, type AnthropicResponder, type AnthropicWireMessage } from '../test/anthropic-messages-server.js';
import { aiSdkModel } from './index.js';

const weather = tool({
  name: 'get_weather',
  description: 'Current weather in a city.',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city.slice(0, 40)}`,
});

async function drain(run: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of run) {
    // the events themselves are checked in ui-message-stream tests
  }
}

describe('@ai-sdk/openai (chat) against the simulated OpenAI-compatible server', () => {
  let server: MockLlmServer;
  beforeAll(async () => {
    server = await startMockLlmServer();
  });
  afterAll(() => server.close());
  const openai = () => createOpenAI({ baseURL: server.baseURL, apiKey: 'sk-test-openai' });

  it('ToolCallingAgent: native tool calls and tool messages, to a final answer (generate and stream)', async () => {
    const agent = new ToolCallingAgent({ model: aiSdkModel(openai().chat('mock-model')), tools: [weather] });
    server.reset();
    const result = await agent.arun('Paris', { returnFullResult: true });
    expect(result.state).toBe('success');
    expect(String(result.output)).toBe('Answer to "Paris": Sunny in Paris | Sunny in Paris');
    expect(result.tokenUsage?.totalTokens).toBeGreaterThan(0);
    const last = server.requests.at(-1)!.body.messages;
    expect(last.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(['Sunny in Paris', 'Sunny in Paris']);
    expect(last.find((m) => m.role === 'assistant')?.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });

    const run = agent.arun('Oslo', { stream: true });
    await drain(run);
    expect(String((await run.result).output)).toBe('Answer to "Oslo": Sunny in Oslo | Sunny in Oslo');
  });

  it("runs on smol's keep-alive node:http transport (the provider's fetch option), streamed too", async () => {
    const provider = createOpenAI({ baseURL: server.baseURL, apiKey: 'sk-test-openai', fetch: getDefaultNodeFetch() });
    const agent = new ToolCallingAgent({ model: aiSdkModel(provider.chat('mock-model')), tools: [weather] });
    expect(await agent.arun('Rome')).toBe('Answer to "Rome": Sunny in Rome | Sunny in Rome');
    const run = agent.arun('Nice', { stream: true });
    await drain(run);
    expect((await run.result).output).toBe('Answer to "Nice": Sunny in Nice | Sunny in Nice');
  });

  it('200 runs under one long-lived signal leave no abort listener on it', async () => {
    const agent = new ToolCallingAgent({ model: aiSdkModel(openai().chat('mock-model')), tools: [weather] });
    const controller = new AbortController();
    const outputs = await Promise.all(Array.from({ length: 200 }, (_, i) => agent.arun(`city ${i}`, { signal: controller.signal })));
    outputs.forEach((o, i) => expect(String(o)).toContain(`"city ${i}"`));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('CodeAgent: code in text, observations as user turns, to a final answer', async () => {
    const local = await startMockLlmServer({ responder: codeScenario() });
    try {
      const model = aiSdkModel(createOpenAI({ baseURL: local.baseURL, apiKey: 'sk-test' }).chat('mock-model'));
      const agent = new CodeAgent({ model, tools: [] });
      expect(await agent.arun('compute')).toBe('The answer is 42');
      const run = agent.arun('compute again', { stream: true });
      await drain(run);
      expect((await run.result).output).toBe('The answer is 42');
      const sent = local.requests.at(-1)!.body;
      expect(sent.tools).toBeUndefined();
      expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    } finally {
      await local.close();
    }
  });

  it('a 429 with retry-after-ms is retried by smol', async () => {
    const local = await startMockLlmServer({ faults: [{ status: 429, retryAfterMs: 5 }] });
    try {
      const model = aiSdkModel(createOpenAI({ baseURL: local.baseURL, apiKey: 'sk-test' }).chat('mock-model'), { maxRetries: 1 });
      const reply = await model.agenerate([{ role: 'user', content: 'hello' }]);
      expect(reply.content).toContain('hello');
      expect(local.countsByPath['/v1/chat/completions']).toBe(2);
    } finally {
      await local.close();
    }
  });
});

describe('@ai-sdk/anthropic against a scripted /v1/messages server', () => {
  afterEach(closeFixtureServers);
  const anthropic = (url: string) => createAnthropic({ baseURL: `${url}/v1`, apiKey: 'sk-ant-test-key' });

  const toolResults = (messages: AnthropicWireMessage[]) =>
    messages.flatMap((m) => (typeof m.content === 'string' ? [] : m.content.filter((b) => b.type === 'tool_result')));

  const weatherThenAnswer: AnthropicResponder = ({ messages }) => {
    const results = toolResults(messages);
    if (results.length === 0) {
      return {
        blocks: [
          { type: 'thinking', thinking: 'I should look it up.', signature: 'sig-xyz' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
        stopReason: 'tool_use',
      };
    }
    const content = results[0].content;
    const observed = typeof content === 'string' ? content : JSON.stringify(content);
    return { blocks: [{ type: 'tool_use', id: 'toolu_2', name: 'final_answer', input: { answer: `It says: ${observed}` } }], stopReason: 'tool_use' };
  };

  for (const stream of [false, true]) {
    it(`ToolCallingAgent (${stream ? 'stream' : 'generate'}): thinking signature and tool_use go back, tool_result carries the observation`, async () => {
      const server = await startAnthropicMessagesServer(weatherThenAnswer);
      const agent = new ToolCallingAgent({ model: aiSdkModel(anthropic(server.url)('claude-test')), tools: [weather] });
      let output: unknown;
      if (stream) {
        const run = agent.arun('Weather in Paris?', { stream: true });
        await drain(run);
        output = (await run.result).output;
      } else output = await agent.arun('Weather in Paris?');
      expect(output).toBe('It says: Sunny in Paris');
      const second = server.requests[1].body as { messages: AnthropicWireMessage[]; tools: { name: string }[] };
      expect(second.tools.map((t) => t.name)).toEqual(['get_weather', 'final_answer']);
      const assistant = second.messages.find((m) => m.role === 'assistant')!;
      expect(assistant.content).toEqual([
        { type: 'thinking', thinking: 'I should look it up.', signature: 'sig-xyz' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ]);
      expect(toolResults(second.messages)).toEqual([expect.objectContaining({ type: 'tool_result', tool_use_id: 'toolu_1' })]);
    });
  }

  it('CodeAgent: to a final answer', async () => {
    const server = await startAnthropicMessagesServer(({ messages }) => {
      const step = messages.filter((m) => m.role === 'assistant').length;
      const code = step === 0 ? 'const x = 6 * 7;\nconsole.log(x);' : 'final_answer(`The answer is ${x}`);';
      return { blocks: [{ type: 'text', text: `Thought: step ${step}.\n<code>\n${code}\n</code>` }] };
    });
    const agent = new CodeAgent({ model: aiSdkModel(anthropic(server.url)('claude-test')), tools: [] });
    expect(await agent.arun('compute')).toBe('The answer is 42');
    const run = agent.arun('compute', { stream: true });
    await drain(run);
    expect((await run.result).output).toBe('The answer is 42');
    const last = server.requests.at(-1)!.body as { messages: AnthropicWireMessage[] };
    expect(wireText(last.messages.at(-1)!)).toContain('Execution logs:\n42');
  });

  it('an overloaded 529 is retried by smol (retryable per the provider); a 400 is not', async () => {
    let n = 0;
    const server = await startAnthropicMessagesServer(() => (n++ === 0 ? { status: 529, retryAfter: '0' } : { blocks: [{ type: 'text', text: 'ok' }] }));
    const model = aiSdkModel(anthropic(server.url)('claude-test'), { maxRetries: 1, retryBackoff: { initialDelayMs: 1 } });
    expect((await model.agenerate([{ role: 'user', content: 'hi' }])).content).toBe('ok');
    expect(server.requests).toHaveLength(2);

    const bad = await startAnthropicMessagesServer(() => ({ status: 400 }));
    const failing = aiSdkModel(anthropic(bad.url)('claude-test'), { maxRetries: 2, retryBackoff: { initialDelayMs: 1 } });
    await expect(failing.agenerate([{ role: 'user', content: 'hi' }])).rejects.toMatchObject({ status: 400, retryable: false });
    expect(bad.requests).toHaveLength(1);
  });
});
