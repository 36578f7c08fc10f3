// One ToolCallingAgent scenario — two tool calls, then the final answer — through every provider,
// plain and streamed, each against a loopback server speaking its vendor's wire format:
// OpenAI, Azure (deployment path), TGI (HF baseURL) and a LiteLLM proxy on @smol/testing's
// simulated Chat Completions server; Anthropic on the Messages API adapter of the same scenario.
import { AnthropicModel } from '@smol/anthropic';
import { AzureOpenAIServerModel } from '@smol/azure';
import { ToolCallingAgent, tool, type Model, type RunResult } from '@smol/core';
import { InferenceClientModel } from '@smol/hf';
import { LiteLLMModel, LiteLLMRouterModel } from '@smol/litellm-proxy';
import { OpenAIServerModel } from '@smol/openai';
import { startMockLlmServer, type MockLlmServer } from '@smol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicScenarioServer, type AnthropicScenarioServer } from './anthropic-scenario-server.js';

const lookup = tool({
  name: 'lookup',
  description: 'Looks a word up in the dictionary.',
  inputSchema: { type: 'object', properties: { word: { type: 'string', description: 'The word.' } }, required: ['word'] },
  execute: (args: { word: string }) => `lookup(${args.word.slice(0, 16)})`,
});

const letters = tool({
  name: 'count_letters',
  description: 'Counts the letters of a word.',
  inputSchema: { type: 'object', properties: { word: { type: 'string', description: 'The word.' } }, required: ['word'] },
  execute: (args: { word: string }) => `letters=${args.word.replace(/[^a-z]/gi, '').length}`,
});

let openaiWire: MockLlmServer;
let routerWire: MockLlmServer;
let anthropicWire: AnthropicScenarioServer;

beforeAll(async () => {
  [openaiWire, routerWire, anthropicWire] = await Promise.all([startMockLlmServer(), startMockLlmServer(), startAnthropicScenarioServer()]);
});

afterAll(async () => {
  await Promise.all([openaiWire.close(), routerWire.close(), anthropicWire.close()]);
});

interface Provider {
  name: string;
  model: () => Model;
  /** Requests the provider's server has answered, and a check of the last one's wire shape. */
  count: () => number;
  checkWire: () => void;
}

const retry = { maxRetries: 1, retryBackoff: { initialDelayMs: 1, jitter: false } };

function lastOpenAIWireRequest(server: MockLlmServer) {
  return server.requests[server.requests.length - 1];
}

const providers: Provider[] = [
  {
    name: 'OpenAIServerModel',
    model: () => new OpenAIServerModel({ modelId: 'mock-model', baseURL: openaiWire.baseURL, apiKey: 'sk-test', ...retry }),
    count: () => openaiWire.requests.filter((r) => r.path === '/v1/chat/completions' && r.body.model === 'mock-model').length,
    checkWire: () => expect(lastOpenAIWireRequest(openaiWire).path).toBe('/v1/chat/completions'),
  },
  {
    name: 'AzureOpenAIServerModel',
    model: () => new AzureOpenAIServerModel({ modelId: 'gpt-4o-prod', endpoint: openaiWire.url, apiKey: 'azure-key', apiVersion: '2024-10-21', ...retry }),
    count: () => openaiWire.requests.filter((r) => r.deployment === 'gpt-4o-prod').length,
    checkWire: () => {
      const req = lastOpenAIWireRequest(openaiWire);
      expect(req.path).toBe('/openai/deployments/gpt-4o-prod/chat/completions');
      expect(req.url).toContain('api-version=2024-10-21');
    },
  },
  {
    name: 'InferenceClientModel (TGI endpoint)',
    model: () => new InferenceClientModel({ modelId: 'tgi', baseURL: openaiWire.url, ...retry }),
    count: () => openaiWire.requests.filter((r) => r.body.model === 'tgi').length,
    checkWire: () => expect(lastOpenAIWireRequest(openaiWire)).toMatchObject({ path: '/v1/chat/completions', body: { model: 'tgi' } }),
  },
  {
    name: 'LiteLLMModel',
    model: () => new LiteLLMModel({ modelId: 'anthropic/claude-3-5-sonnet-20240620', baseURL: openaiWire.baseURL, apiKey: 'sk-litellm', ...retry }),
    count: () => openaiWire.requests.filter((r) => r.body.model === 'anthropic/claude-3-5-sonnet-20240620').length,
    checkWire: () => expect(lastOpenAIWireRequest(openaiWire).body.model).toBe('anthropic/claude-3-5-sonnet-20240620'),
  },
  {
    name: 'LiteLLMRouterModel',
    model: () =>
      new LiteLLMRouterModel({
        modelId: 'smart',
        routingStrategy: 'least-busy',
        modelList: [
          { modelName: 'smart', litellmParams: { model: 'router-a', baseURL: routerWire.baseURL, apiKey: 'sk-a' } },
          { modelName: 'smart', litellmParams: { model: 'router-b', baseURL: routerWire.baseURL, apiKey: 'sk-b' } },
        ],
        ...retry,
      }),
    count: () => routerWire.requests.length,
    checkWire: () => expect(['router-a', 'router-b']).toContain(lastOpenAIWireRequest(routerWire).body.model),
  },
  {
    name: 'AnthropicModel',
    model: () => new AnthropicModel({ modelId: 'claude-sonnet-5', apiKey: 'sk-ant-test', baseURL: anthropicWire.url, ...retry }),
    count: () => anthropicWire.requests.length,
    checkWire: () => {
      const req = anthropicWire.requests[anthropicWire.requests.length - 1];
      expect(req.path).toBe('/v1/messages');
      expect(typeof req.body.system).toBe('string');
      expect(req.body.tools.map((t: { name: string }) => t.name)).toEqual(['lookup', 'count_letters', 'final_answer']);
    },
  },
];

describe.each(providers)('$name runs the shared ToolCallingAgent scenario', (provider) => {
  for (const stream of [false, true]) {
    it(stream ? 'streamed' : 'plain', async () => {
      const agent = new ToolCallingAgent({ model: provider.model(), tools: [lookup, letters] });
      const before = provider.count();
      const task = `define smol (${provider.name}${stream ? ', streamed' : ''})`;
      let result: RunResult;
      if (stream) {
        const run = agent.arun(task, { stream: true });
        const types = new Set<string>();
        for await (const event of run) types.add(event.type);
        expect([...types]).toEqual(expect.arrayContaining(['model_delta', 'tool_call', 'tool_output', 'final_answer']));
        result = await run.result;
      } else {
        result = (await agent.arun(task, { returnFullResult: true }));
      }

      expect(result.state).toBe('success');
      expect(provider.count() - before).toBe(3); // two tool calls, then final_answer
      const output = String(result.output);
      expect(output).toContain(task);
      // The simulated model passes the name in the task as the word, as a model would.
      expect(output).toContain(`lookup(${provider.name.slice(0, 16)})`);
      expect(output).toMatch(/letters=\d+/);
      expect(result.tokenUsage?.inputTokens).toBeGreaterThan(0);
      expect(result.tokenUsage?.outputTokens).toBeGreaterThan(0);
      provider.checkWire();
    });
  }
});
