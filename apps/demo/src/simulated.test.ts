// The demo's simulated model, driven by real agents over HTTP: short arguments taken from the
// task, and a final answer that gives up after a failed tool call (not a retry loop to maxSteps).
import { CodeAgent, ToolCallingAgent, tool, type ActionStep } from '@smol/core';
import { OpenAIServerModel } from '@smol/openai';
import type { MockLlmServer } from '@smol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startSimulatedModel } from './simulated.js';
import { demoTools } from './tools.js';

let server: MockLlmServer;
let model: OpenAIServerModel;

beforeAll(async () => {
  server = await startSimulatedModel({ latencyMs: 0, chunkDelayMs: 0 });
  model = new OpenAIServerModel({ modelId: 'smol-simulated', baseURL: server.baseURL, apiKey: 'simulated' });
});
afterAll(() => server.close());

const calls = (steps: readonly { type: string }[]) =>
  steps.filter((s): s is ActionStep => s.type === 'action').flatMap((s) => (s.toolCalls ?? []).map((c) => ({ name: c.function.name, arguments: c.function.arguments })));

/** A tool of the user's own (not one the demo knows), with a string argument. */
const lookup = (execute: (args: { topic: string }) => Promise<string>) =>
  tool({ name: 'lookup', description: 'Looks a topic up.', inputSchema: z.object({ topic: z.string() }), execute });

describe('the simulated model with a tool calling agent', () => {
  it("passes a short argument from the task to a tool it does not know, then answers with the tool's result", async () => {
    const seen: string[] = [];
    const agent = new ToolCallingAgent({ model, tools: [lookup(async ({ topic }) => (seen.push(topic), `${topic} wrote the first program`))], maxSteps: 5 });
    const result = await agent.arun('Tell me about Ada Lovelace', { returnFullResult: true });
    expect(seen).toEqual(['Ada Lovelace']);
    expect(result.output).toBe('Ada Lovelace wrote the first program');
  });

  it('gives up after a tool call fails, with an answer that says so', async () => {
    let tries = 0;
    const failing = lookup(async () => {
      tries++;
      throw new Error('the encyclopedia is offline');
    });
    const agent = new ToolCallingAgent({ model, tools: [failing], maxSteps: 6 });
    const result = await agent.arun('Tell me about Ada Lovelace', { returnFullResult: true });
    expect(tries).toBe(1);
    expect(result.actionSteps).toBe(2);
    expect(String(result.output)).toMatch(/^I could not answer "Tell me about Ada Lovelace": a tool call failed \(.*the encyclopedia is offline.*\)\.$/);
    expect(calls(result.steps).map((c) => c.name)).toEqual(['lookup', 'final_answer']);
  });

  it("gives up the same way when the demo's own weather tool fails", async () => {
    const [weather] = demoTools({ latencyMs: 0 });
    const broken = { ...weather, forward: async () => Promise.reject(new Error('weather service down')) } as typeof weather;
    const agent = new ToolCallingAgent({ model, tools: [broken], maxSteps: 6 });
    const result = await agent.arun('What is the weather in Paris?', { returnFullResult: true });
    expect(calls(result.steps)[0]).toEqual({ name: 'get_weather', arguments: { city: 'Paris' } });
    expect(result.actionSteps).toBe(2);
    expect(String(result.output)).toContain('a tool call failed');
    expect(String(result.output)).toContain('weather service down');
  });
});

describe('the simulated model with a CodeAgent', () => {
  it('gives up after the code fails instead of retrying until maxSteps', async () => {
    const [weather] = demoTools({ latencyMs: 0 });
    const broken = { ...weather, forward: async () => Promise.reject(new Error('weather service down')) } as typeof weather;
    const agent = new CodeAgent({ model, tools: [broken], maxSteps: 6 });
    const result = await agent.arun('What is the weather in Paris?', { returnFullResult: true });
    expect(result.actionSteps).toBe(2);
    expect(String(result.output)).toMatch(/^I could not answer "What is the weather in Paris\?": a tool call failed \(.*weather service down/);
  });
});
