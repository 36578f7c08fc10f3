// End to end: a ToolCallingAgent on OpenAIServerModel, through the real openai SDK and the
// keep-alive transport, against @smol/testing's simulated Chat Completions server.
import { ToolCallingAgent, tool, type AgentEvent } from '@smol/core';
import { startMockLlmServer, type MockLlmServer } from '@smol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAIServerModel } from './index.js';

const lookup = tool({
  name: 'lookup',
  description: 'Looks a word up.',
  inputSchema: z.object({ word: z.string() }),
  execute: ({ word }) => `definition of ${word.slice(0, 20)}`,
});

let server: MockLlmServer;
beforeAll(async () => {
  server = await startMockLlmServer({ latencyMs: 5 });
});
afterAll(async () => {
  await server.close();
});

function agent() {
  const model = new OpenAIServerModel({ modelId: 'mock-model', baseURL: server.baseURL, apiKey: 'sk-test' });
  return new ToolCallingAgent({ model, tools: [lookup] });
}

describe('ToolCallingAgent on OpenAIServerModel against the simulated server', () => {
  it('runs two tool calls then the final answer, with usage', async () => {
    const before = server.requestCount;
    const a = agent();
    const result = (await a.arun('define smol', { returnFullResult: true }));
    expect(server.requestCount - before).toBe(3);
    expect(result.state).toBe('success');
    expect(String(result.output)).toContain('define smol');
    expect(String(result.output)).toContain('definition of define smol');
    expect(result.tokenUsage?.totalTokens).toBeGreaterThan(0);
    const sent = server.requests.at(-1)!.body as { messages: { role: string; content: string }[]; tools: unknown[] };
    expect(sent.messages[0].role).toBe('system');
    expect(sent.tools).toHaveLength(2);
    // The system prompt goes already encoded (shared by the agent's runs): the server reads it back whole.
    const first = server.requests.at(-3)!.body as { messages: { role: string; content: string }[] };
    for (const body of [first, sent]) expect(body.messages[0]).toEqual({ role: 'system', content: a.systemPrompt });
  });

  it('streams: deltas, tool calls and outputs, same answer and usage as without streaming', async () => {
    const run = agent().arun('define stream', { stream: true });
    const types = new Set<AgentEvent['type']>();
    for await (const event of run) types.add(event.type);
    const result = await run.result;
    expect([...types]).toEqual(expect.arrayContaining(['model_delta', 'tool_call', 'tool_output', 'action_step', 'final_answer']));
    expect(String(result.output)).toContain('define stream');
    expect(result.tokenUsage?.totalTokens).toBeGreaterThan(0);
  });

  it('100 concurrent runs on one agent each get their own answer', async () => {
    const a = agent();
    const results = (await Promise.all(Array.from({ length: 100 }, (_, i) => a.arun(`task number ${i}`, { returnFullResult: true }))));
    results.forEach((r, i) => expect(String(r.output)).toContain(`task number ${i}"`));
  });
});
