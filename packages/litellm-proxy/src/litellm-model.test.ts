import { AgentAbortError, ModelError, StreamAccumulator, type ChatMessage } from '@smol/core';
import { closeFixtureServers, collectStream as collect, withEnv, weatherTool as weather } from '@smol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { LiteLLMModel, type LiteLLMModelOptions } from './index.js';
import { fixture, startLiteLLMServer, type LiteLLMTestServer, type Reply } from '../test/litellm-server.js';

const KEY = 'sk-litellm-TESTKEY-0123456789';
const MODEL = 'anthropic/claude-3-5-sonnet-20240620';
const FAST_RETRY = { maxRetries: 2, retryBackoff: { initialDelayMs: 1, maxDelayMs: 1000, jitter: false } };

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful agent.' },
  { role: 'user', content: 'New task:\nWeather in Paris and Rome?' },
];

let server: LiteLLMTestServer | undefined;
afterEach(closeFixtureServers);

async function setup(replies: Reply[], options: Partial<LiteLLMModelOptions> = {}): Promise<LiteLLMModel> {
  server = await startLiteLLMServer({ apiKey: KEY, models: [MODEL], replies });
  return new LiteLLMModel({ modelId: MODEL, baseURL: server.url, apiKey: KEY, ...FAST_RETRY, ...options });
}

describe('LiteLLMModel: requests', () => {
  it('posts to the proxy with the bearer key and passes the provider-prefixed model id through', async () => {
    const model = await setup([{ json: JSON.parse(fixture('chat-completion-tool-calls.json')) }]);
    const reply = await model.agenerate(conversation, { toolsToCallFrom: [weather], stopSequences: ['Observation:'], temperature: 0 });
    const req = server!.requests[0];
    expect(req).toMatchObject({ method: 'POST', path: '/chat/completions', query: '' });
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.body).toEqual({
      temperature: 0,
      model: MODEL,
      messages: [
        { role: 'system', content: 'You are a helpful agent.' },
        { role: 'user', content: 'New task:\nWeather in Paris and Rome?' },
      ],
      stop: ['Observation:'],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather in a city.', parameters: expect.objectContaining({ type: 'object' }) } }],
    });
    expect(reply.content).toBe("I'll look that up.");
    expect(reply.toolCalls).toEqual([{ id: 'toolu_01Kf8wVq3nXyZ2aB4cD6eF7g', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris' } } }]);
    expect(reply.tokenUsage).toEqual({ inputTokens: 412, outputTokens: 57, totalTokens: 469 });
  });

  it('reads LITELLM_PROXY_URL and LITELLM_API_KEY; a proxy without auth needs no key', async () => {
    server = await startLiteLLMServer({ apiKey: KEY, models: [MODEL], replies: [{ json: JSON.parse(fixture('chat-completion-text.json')) }] });
    await withEnv({ LITELLM_PROXY_URL: `${server.url}/v1`, LITELLM_API_KEY: KEY }, async () => {
      const model = new LiteLLMModel({ modelId: MODEL });
      await expect(model.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toMatchObject({ content: 'Hello from the proxy.' });
    });
    expect(server.requests[0].path).toBe('/v1/chat/completions');
    await server.close();

    server = await startLiteLLMServer({ models: [MODEL], replies: [{ json: JSON.parse(fixture('chat-completion-text.json')) }] });
    await withEnv({ LITELLM_API_KEY: undefined, OPENAI_API_KEY: undefined }, async () => {
      const open = new LiteLLMModel({ modelId: MODEL, baseURL: server!.url });
      await expect(open.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toMatchObject({ content: 'Hello from the proxy.' });
    });
  });
});

describe('LiteLLMModel: streaming', () => {
  it('joins tool-call arguments split across chunks and counts the last chunk\'s usage once', async () => {
    const model = await setup([{ sse: fixture('stream-tool-calls.sse') }]);
    const deltas = await collect(model.agenerateStream(conversation, { toolsToCallFrom: [weather] }));
    expect(server!.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(deltas.filter((d) => d.tokenUsage)).toEqual([{ tokenUsage: { inputTokens: 512, outputTokens: 64, totalTokens: 576 } }]);
    const acc = new StreamAccumulator();
    for (const d of deltas) acc.add(d);
    expect(acc.toMessage()).toMatchObject({
      content: 'Let me check both.',
      toolCalls: [
        { id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris' } } },
        { id: 'toolu_01B', type: 'function', function: { name: 'get_weather', arguments: { location: 'Rome' } } },
      ],
    });
  });

  it('ends a truncated stream with a clear error, not a hang', async () => {
    const model = await setup([{ truncate: fixture('stream-truncated.sse') }, { sse: fixture('stream-truncated.sse') }], { maxRetries: 0 });
    expect(ModelError.isInstance(await collect(model.agenerateStream(conversation)).catch((e) => e))).toBe(true);
    const early = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(early.message).toMatch(/^LiteLLM proxy at 127\.0\.0\.1:\d+: the stream ended before the response was complete/);
  });
});

describe('LiteLLMModel: errors and cancellation', () => {
  it('401 says the key was rejected and never shows it', async () => {
    server = await startLiteLLMServer({ apiKey: 'sk-the-right-one', models: [MODEL], replies: [] });
    const model = new LiteLLMModel({ modelId: MODEL, baseURL: server.url, apiKey: KEY, ...FAST_RETRY });
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.message).toMatch(/^LiteLLM proxy at 127\.0\.0\.1:\d+ answered 401: the API key was rejected.*LITELLM_API_KEY/);
    expect(error.message).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
    const { inspect } = await import('node:util');
    expect(inspect(model, { depth: 6 })).not.toContain(KEY);
  });

  it('an unknown model (the proxy says 400) is named', async () => {
    const model = await setup([], { modelId: 'claude-nope' });
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error).toMatchObject({ status: 400, retryable: false });
    expect(error.message).toMatch(/^LiteLLM proxy at 127\.0\.0\.1:\d+ answered 400 .*claude-nope/);
    expect(server!.requests).toHaveLength(1);
  });

  it('retries 429 (Retry-After) and 500 through the core policy', async () => {
    const model = await setup([{ error: 429 }, { error: 500 }, { json: JSON.parse(fixture('chat-completion-text.json')) }]);
    await expect(model.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toMatchObject({ content: 'Hello from the proxy.' });
    expect(server!.requests).toHaveLength(3);
  });

  it('keeps a long Retry-After on the error', async () => {
    const model = await setup([{ error: 429, headers: { 'retry-after': '9' } }]);
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 9000 });
    expect(error.message).toContain('rate_limit_error');
  });

  it('aborting the signal aborts the HTTP request', async () => {
    const model = await setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = collect(model.agenerateStream([{ role: 'user', content: 'Hi' }], { signal: controller.signal }));
    await server!.arrived(1);
    controller.abort();
    await expect(pending).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    await server!.clientClosed;
  });
});
