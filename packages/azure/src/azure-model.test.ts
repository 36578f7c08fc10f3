import { AgentAbortError, AgentConfigError, ModelError, StreamAccumulator, type ChatMessage } from '@smol/core';
import { closeFixtureServers, collectStream as collect, withEnv, weatherTool as weather } from '@smol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AzureOpenAIServerModel, type AzureOpenAIServerModelOptions } from './index.js';
import { fixture, startAzureServer, type AzureTestServer, type Reply } from '../test/azure-server.js';

const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const API_VERSION = '2024-10-21';
const FAST_RETRY = { maxRetries: 2, retryBackoff: { initialDelayMs: 1, maxDelayMs: 1000, jitter: false } };

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful agent.' },
  { role: 'user', content: 'New task:\nWeather in Paris?' },
];

let server: AzureTestServer | undefined;
afterEach(closeFixtureServers);

async function setup(replies: Reply[], options: Partial<AzureOpenAIServerModelOptions> = {}): Promise<AzureOpenAIServerModel> {
  server = await startAzureServer({ apiKey: KEY, replies });
  return new AzureOpenAIServerModel({ modelId: 'gpt-4o-prod', endpoint: `${server.url}/`, apiKey: KEY, apiVersion: API_VERSION, ...FAST_RETRY, ...options });
}

describe('AzureOpenAIServerModel: requests', () => {
  it('posts to /openai/deployments/{deployment}/chat/completions?api-version with the api-key header', async () => {
    const model = await setup([{ json: JSON.parse(fixture('chat-completion-tool-calls.json')) }]);
    const reply = await model.agenerate(conversation, { toolsToCallFrom: [weather], toolChoice: 'auto', stopSequences: ['Observation:'] });
    const req = server!.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/openai/deployments/gpt-4o-prod/chat/completions');
    expect(req.query.get('api-version')).toBe(API_VERSION);
    expect(req.headers['api-key']).toBe(KEY);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({
      model: 'gpt-4o-prod',
      messages: [
        { role: 'system', content: 'You are a helpful agent.' },
        { role: 'user', content: 'New task:\nWeather in Paris?' },
      ],
      stop: ['Observation:'],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather in a city.', parameters: expect.objectContaining({ type: 'object' }) } }],
      tool_choice: 'auto',
    });
    expect(reply.toolCalls).toEqual([{ id: 'call_Qm3bR8aT2xYz5Lk9', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris' } } }]);
    expect(reply.tokenUsage).toEqual({ inputTokens: 85, outputTokens: 18, totalTokens: 103 });
  });

  it('reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION, unbothered by OPENAI_BASE_URL', async () => {
    server = await startAzureServer({ apiKey: KEY, replies: [{ json: JSON.parse(fixture('chat-completion-text.json')) }] });
    await withEnv({ AZURE_OPENAI_ENDPOINT: server.url, AZURE_OPENAI_API_KEY: KEY, OPENAI_API_VERSION: '2025-01-01-preview', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, async () => {
      const model = new AzureOpenAIServerModel({ modelId: 'gpt-4o-prod' });
      await expect(model.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toMatchObject({ content: 'Hello! How can I help you today?' });
      expect(server!.requests[0].query.get('api-version')).toBe('2025-01-01-preview');
      expect(server!.requests[0].headers['api-key']).toBe(KEY);
    });
  });

  it('authenticates with an Entra ID token provider as a bearer token', async () => {
    server = await startAzureServer({ bearer: 'entra-token-1', replies: [{ json: JSON.parse(fixture('chat-completion-text.json')) }] });
    let calls = 0;
    const model = new AzureOpenAIServerModel({
      modelId: 'gpt-4o-prod',
      endpoint: server.url,
      apiVersion: API_VERSION,
      azureADTokenProvider: async () => {
        calls++;
        return 'entra-token-1';
      },
    });
    await withEnv({ AZURE_OPENAI_API_KEY: undefined }, async () => {
      await model.agenerate([{ role: 'user', content: 'Hi' }]);
    });
    expect(calls).toBe(1);
    expect(server.requests[0].headers.authorization).toBe('Bearer entra-token-1');
    expect(server.requests[0].headers['api-key']).toBeUndefined();
  });

  it('rejects missing or conflicting settings', async () => {
    await withEnv({ AZURE_OPENAI_ENDPOINT: undefined, OPENAI_API_VERSION: undefined, AZURE_OPENAI_API_KEY: undefined }, async () => {
      expect(() => new AzureOpenAIServerModel({ modelId: 'd', apiVersion: API_VERSION })).toThrow(/AZURE_OPENAI_ENDPOINT/);
      expect(() => new AzureOpenAIServerModel({ modelId: 'd', endpoint: 'http://x' })).toThrow(/OPENAI_API_VERSION/);
      expect(() => new AzureOpenAIServerModel({ modelId: 'd', endpoint: 'http://x', apiVersion: API_VERSION, apiKey: 'k', azureADTokenProvider: async () => 't' })).toThrow(AgentConfigError);
      const noKey = new AzureOpenAIServerModel({ modelId: 'd', endpoint: 'http://127.0.0.1:9', apiVersion: API_VERSION });
      await expect(noKey.agenerate([{ role: 'user', content: 'Hi' }])).rejects.toThrow(/AZURE_OPENAI_API_KEY/);
    });
  });
});

describe('AzureOpenAIServerModel: streaming', () => {
  it('skips the prompt-filter chunk, joins tool-call arguments split across chunks, counts usage once', async () => {
    const model = await setup([{ sse: fixture('stream-tool-calls.sse') }]);
    const deltas = await collect(model.agenerateStream(conversation, { toolsToCallFrom: [weather] }));
    expect(server!.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(deltas.filter((d) => d.tokenUsage)).toEqual([{ tokenUsage: { inputTokens: 120, outputTokens: 40, totalTokens: 160 } }]);
    const acc = new StreamAccumulator();
    for (const d of deltas) acc.add(d);
    expect(acc.toMessage().toolCalls).toEqual([
      { id: 'call_1aB', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris' } } },
      { id: 'call_2cD', type: 'function', function: { name: 'get_weather', arguments: { location: 'Rome' } } },
    ]);
  });

  it('streams text', async () => {
    const model = await setup([{ sse: fixture('stream-text.sse') }]);
    const acc = new StreamAccumulator();
    for await (const d of model.agenerateStream([{ role: 'user', content: 'Hi' }])) acc.add(d);
    expect(acc.toMessage()).toMatchObject({ content: 'Hello! Thought: done.\nObservation: ignored', tokenUsage: { totalTokens: 21 } });
  });

  it('ends a truncated stream with a clear error, not a hang', async () => {
    const model = await setup([{ truncate: fixture('stream-truncated.sse') }, { sse: fixture('stream-truncated.sse') }], { maxRetries: 0 });
    const cut = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(ModelError.isInstance(cut)).toBe(true);
    const early = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(early.message).toMatch(/^Azure OpenAI at 127\.0\.0\.1:\d+: the stream ended before the response was complete/);
  });
});

describe('AzureOpenAIServerModel: errors', () => {
  it('401 says the key was rejected and never shows it', async () => {
    server = await startAzureServer({ apiKey: 'the-right-key-0000', replies: [] });
    const model = new AzureOpenAIServerModel({ modelId: 'gpt-4o-prod', endpoint: server.url, apiKey: KEY, apiVersion: API_VERSION, ...FAST_RETRY });
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.message).toMatch(/^Azure OpenAI at 127\.0\.0\.1:\d+ answered 401: the API key was rejected.*AZURE_OPENAI_API_KEY/);
    expect(error.message).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
    const { inspect } = await import('node:util');
    expect(inspect(model, { depth: 6 })).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('404 names the unknown deployment', async () => {
    const model = await setup([], { modelId: 'gpt-5-nowhere' });
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/^Azure OpenAI at 127\.0\.0\.1:\d+ answered 404: .*the deployment "gpt-5-nowhere"/);
    expect(error.message).not.toMatch(/\.\./);
    expect(error.message).toContain('The API deployment for this resource does not exist');
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it('retries 429 (Retry-After) and 500 through the core policy', async () => {
    const model = await setup([{ error: 429 }, { error: 500 }, { json: JSON.parse(fixture('chat-completion-text.json')) }]);
    await expect(model.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toMatchObject({ content: 'Hello! How can I help you today?' });
    expect(server!.requests).toHaveLength(3);
  });

  it('keeps a Retry-After longer than the policy allows on the error, without retrying', async () => {
    const model = await setup([{ error: 429, headers: { 'retry-after': '6' } }]);
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 6000 });
    expect(server!.requests).toHaveLength(1);
  });
});

describe('AzureOpenAIServerModel: cancellation', () => {
  it('aborting the signal aborts the HTTP request (plain and stream)', async () => {
    const model = await setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = model.agenerate([{ role: 'user', content: 'Hi' }], { signal: controller.signal });
    await server!.arrived(1);
    controller.abort();
    await expect(pending).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    await server!.clientClosed;
  });

  it('aborting a stream aborts the HTTP request', async () => {
    const model = await setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = collect(model.agenerateStream([{ role: 'user', content: 'Hi' }], { signal: controller.signal }));
    await server!.arrived(1);
    controller.abort();
    await expect(pending).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    await server!.clientClosed;
  });
});
