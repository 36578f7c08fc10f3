import { AgentAbortError, AgentConfigError, ModelError, StreamAccumulator, type ChatMessage, type ChatMessageStreamDelta } from '@smol/core';
import { closeFixtureServers, collectStream as collect, weatherTool as weather } from '@smol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { InferenceClientModel, type InferenceClientModelOptions } from './index.js';
import { fixture, startHfServer, type HfTestServer, type Reply } from '../test/hf-server.js';

const TOKEN = 'hf_TESTtoken0123456789abcdefXYZ';
const FAST_RETRY = { maxRetries: 2, retryBackoff: { initialDelayMs: 1, maxDelayMs: 1000, jitter: false } };
const ROUTER_MODEL = 'Qwen/Qwen3-Coder-30B-A3B-Instruct';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful agent.' },
  { role: 'user', content: 'New task:\nWeather in Paris?' },
  { role: 'tool-call', content: 'Calling tools:\n[{"id":"0","type":"function","function":{"name":"get_weather","arguments":{"location":"Paris"}}}]' },
  { role: 'tool-response', content: 'Observation:\nsunny' },
];

let server: HfTestServer | undefined;
afterEach(closeFixtureServers);

/** A TGI-style endpoint model. */
async function tgi(replies: Reply[], options: Partial<InferenceClientModelOptions> = {}): Promise<InferenceClientModel> {
  server = await startHfServer({ token: TOKEN, replies });
  return new InferenceClientModel({ modelId: 'tgi', apiKey: TOKEN, baseURL: server.url, ...FAST_RETRY, ...options });
}

/** A model behind the Inference Providers router (the client's real URLs, sent to the local server). */
async function routed(replies: Reply[], options: Partial<InferenceClientModelOptions> = {}): Promise<InferenceClientModel> {
  server = await startHfServer({ token: TOKEN, replies, routerModels: [ROUTER_MODEL, 'meta-llama/Llama-3.3-70B-Instruct-Turbo'] });
  return new InferenceClientModel({ modelId: ROUTER_MODEL, apiKey: TOKEN, fetch: server.routerFetch, ...FAST_RETRY, ...options });
}

function accumulate(deltas: ChatMessageStreamDelta[]): ChatMessage {
  const acc = new StreamAccumulator();
  for (const d of deltas) acc.add(d);
  return acc.toMessage();
}

function expectNoToken(error: unknown): void {
  expect(String((error as Error).message)).not.toContain(TOKEN);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
}

describe('InferenceClientModel: requests', () => {
  it('posts to an endpoint\'s /v1/chat/completions with the bearer token and a chat-completion body', async () => {
    const model = await tgi([{ json: JSON.parse(fixture('tgi-chat-completion-tool-call.json')) }]);
    const reply = await model.agenerate(conversation, { toolsToCallFrom: [weather], toolChoice: 'required', stopSequences: ['Observation:'], temperature: 0.1 });
    const req = server!.requests[0];
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions', query: '' });
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.body).toEqual({
      model: 'tgi',
      temperature: 0.1,
      messages: [
        { role: 'system', content: 'You are a helpful agent.' },
        { role: 'user', content: 'New task:\nWeather in Paris?' },
        { role: 'assistant', content: conversation[2].content },
        { role: 'user', content: 'Observation:\nsunny' },
      ],
      stop: ['Observation:'],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather in a city.', parameters: expect.objectContaining({ type: 'object' }) } }],
      tool_choice: 'required',
    });
    expect(reply.toolCalls).toEqual([{ id: '0', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris' } } }]);
    expect(reply.tokenUsage).toEqual({ inputTokens: 310, outputTokens: 24, totalTokens: 334 });
  });

  it('accepts a baseURL ending in /v1, and legacy TGI arguments given as an object', async () => {
    server = await startHfServer({ replies: [{ json: JSON.parse(fixture('tgi-legacy-chat-completion-tool-call.json')) }] });
    const model = new InferenceClientModel({ modelId: 'tgi', baseURL: `${server.url}/v1` });
    const reply = await model.agenerate([{ role: 'user', content: 'Weather?' }]);
    expect(server.requests[0].path).toBe('/v1/chat/completions');
    expect(server.requests[0].headers.authorization).toBeUndefined(); // no token: a local TGI
    expect(reply.toolCalls?.[0].function).toEqual({ name: 'get_weather', arguments: { location: 'Paris' } });
  });

  it('goes through the router with provider "auto" (the default) and sends billTo', async () => {
    const model = await routed([{ json: JSON.parse(fixture('router-chat-completion-text.json')) }], { billTo: 'my-org' });
    const reply = await model.agenerate([{ role: 'user', content: 'Hello' }]);
    const req = server!.requests[0];
    expect(req.path).toBe('/router/v1/chat/completions');
    expect(req.headers['x-hf-bill-to']).toBe('my-org');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.body.model).toBe(ROUTER_MODEL);
    expect(reply).toMatchObject({ content: 'Hello! How can I help you today?', tokenUsage: { inputTokens: 11, outputTokens: 10, totalTokens: 21 } });
  });

  it('with a named provider, looks the model up on the Hub and calls that provider through the router', async () => {
    const model = await routed([{ json: JSON.parse(fixture('router-chat-completion-text.json')) }], { modelId: 'meta-llama/Llama-3.3-70B-Instruct', provider: 'together' });
    await model.agenerate([{ role: 'user', content: 'Hello' }]);
    const [lookup, call] = server!.requests;
    expect(lookup).toMatchObject({ method: 'GET', path: '/hub/api/models/meta-llama/Llama-3.3-70B-Instruct' });
    expect(call.path).toBe('/router/together/v1/chat/completions');
    expect(call.body.model).toBe('meta-llama/Llama-3.3-70B-Instruct-Turbo');
  });

  it('reads HF_TOKEN, and rejects conflicting or missing settings', async () => {
    expect(() => new InferenceClientModel({ modelId: 'm', baseURL: 'http://a', provider: 'together' })).toThrow(/baseURL cannot be combined/);
    const saved = process.env.HF_TOKEN;
    try {
      delete process.env.HF_TOKEN;
      const missing = new InferenceClientModel({ modelId: ROUTER_MODEL });
      await expect(missing.agenerate([{ role: 'user', content: 'x' }])).rejects.toSatisfy((e) => AgentConfigError.isInstance(e) && /HF_TOKEN/.test((e as Error).message));
      process.env.HF_TOKEN = TOKEN;
      server = await startHfServer({ token: TOKEN, replies: [{ json: JSON.parse(fixture('router-chat-completion-text.json')) }] });
      const fromEnv = new InferenceClientModel({ modelId: ROUTER_MODEL, fetch: server.routerFetch });
      await expect(fromEnv.agenerate([{ role: 'user', content: 'x' }])).resolves.toMatchObject({ content: expect.stringContaining('Hello') });
    } finally {
      if (saved === undefined) delete process.env.HF_TOKEN;
      else process.env.HF_TOKEN = saved;
    }
  });
});

describe('InferenceClientModel: streaming', () => {
  it('router stream: two tool calls with arguments split across chunks, usage in the last chunk', async () => {
    const model = await routed([{ sse: fixture('router-stream-tool-calls.sse') }]);
    const deltas = await collect(model.agenerateStream(conversation, { toolsToCallFrom: [weather] }));
    expect(server!.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(deltas.at(-1)).toEqual({ tokenUsage: { inputTokens: 420, outputTokens: 48, totalTokens: 468 } });
    expect(deltas.filter((d) => d.tokenUsage)).toHaveLength(1);
    const message = accumulate(deltas);
    expect(message.content).toBe('Checking both.');
    expect(message.toolCalls).toEqual([
      { id: 'call_a1', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris' } } },
      { id: 'call_b2', type: 'function', function: { name: 'get_weather', arguments: { location: 'Rome' } } },
    ]);
  });

  it('TGI streams, current and legacy (tool_calls as one object)', async () => {
    const model = await tgi([{ sse: fixture('tgi-stream-tool-call.sse') }, { sse: fixture('tgi-legacy-stream-tool-call.sse') }]);
    for (const output of [24, 21]) {
      const message = accumulate(await collect(model.agenerateStream(conversation, { toolsToCallFrom: [weather] })));
      expect(message.toolCalls).toEqual([{ id: '0', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris' } } }]);
      expect(message.tokenUsage).toEqual({ inputTokens: 310, outputTokens: output, totalTokens: 310 + output });
    }
  });

  it('cuts at a stop sequence client-side and ends the request', async () => {
    const model = await tgi([{ sse: fixture('tgi-stream-text.sse') }], { supportsStopParameter: false });
    const message = accumulate(await collect(model.agenerateStream([{ role: 'user', content: 'Hi' }], { stopSequences: ['Observation:'] })));
    expect(server!.requests[0].body.stop).toBeUndefined();
    expect(message.content).toBe('Hello! Thought: done.\n');
  });

  it('ends a truncated stream with a clear error, not a hang', async () => {
    const model = await tgi([{ truncate: fixture('tgi-stream-truncated.sse') }]);
    const error = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(ModelError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/^Hugging Face at 127\.0\.0\.1:\d+: the connection was cut before the response ended/);
  });

  it('reports a stream that ends cleanly but without a finish_reason', async () => {
    const model = await tgi([{ sse: fixture('tgi-stream-truncated.sse') }], { maxRetries: 0 });
    const error = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(error.message).toMatch(/^Hugging Face at 127\.0\.0\.1:\d+: the stream ended before the response was complete/);
  });

  it('turns an error event inside the stream into a ModelError', async () => {
    const model = await tgi([{ sse: fixture('tgi-stream-error.sse') }]);
    const error = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(ModelError.isInstance(error)).toBe(true);
    expect(error.message).toContain('CUDA out of memory');
    expect(error.message).toContain('(generation)');
    expect(server!.requests).toHaveLength(1); // text had been yielded: no retry
  });
});

describe('InferenceClientModel: errors', () => {
  it('401 says the token was rejected and never shows it', async () => {
    server = await startHfServer({ token: 'hf_the_right_one', replies: [] });
    const model = new InferenceClientModel({ modelId: ROUTER_MODEL, apiKey: TOKEN, fetch: server.routerFetch, ...FAST_RETRY });
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.message).toMatch(/^Hugging Face at router\.huggingface\.co answered 401: the API key was rejected.*HF_TOKEN/);
    expectNoToken(error);
    expect(server.requests).toHaveLength(1);
    // Nor does inspecting the model (after its client exists) show it.
    expect(JSON.stringify(model)).not.toContain(TOKEN);
    const { inspect } = await import('node:util');
    expect(inspect(model, { depth: 5 })).not.toContain(TOKEN);
  });

  it('404 names the unknown model', async () => {
    const model = await routed([], { modelId: 'org/no-such-model' });
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error.status).toBe(404);
    expect(error.message).toContain('"org/no-such-model"');
    expect(error.message).toContain("The requested model 'org/no-such-model' does not exist");
    expectNoToken(error);
  });

  it('retries 429 (after Retry-After), 500 and 503 through the core policy, once per attempt', async () => {
    const ok = { json: JSON.parse(fixture('tgi-chat-completion-tool-call.json')) };
    const model = await tgi([{ error: 429 }, { error: 503 }, ok]);
    await expect(model.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toMatchObject({ tokenUsage: { totalTokens: 334 } });
    expect(server!.requests).toHaveLength(3);
    await server!.close();

    const again = await tgi([{ error: 500 }, ok]);
    await expect(again.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toBeTruthy();
    expect(server!.requests).toHaveLength(2);
  });

  it('keeps the Retry-After of a 429 on the error (the client\'s own errors drop headers)', async () => {
    const model = await tgi([{ error: 429, headers: { 'retry-after': '7' } }]);
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7000 });
    expect(error.message).toContain('Model is overloaded');
    expect(server!.requests).toHaveLength(1); // 7 s is over maxDelayMs: no retry
  });

  it('retries a stream whose request failed before any output', async () => {
    const model = await tgi([{ error: 503 }, { sse: fixture('tgi-stream-text.sse') }]);
    const message = accumulate(await collect(model.agenerateStream([{ role: 'user', content: 'Hi' }])));
    expect(message.content).toContain('Hello');
    expect(server!.requests).toHaveLength(2);
  });
});

describe('InferenceClientModel: cancellation and timeout', () => {
  it('aborting the signal aborts the HTTP request', async () => {
    const model = await tgi([{ hang: true }]);
    const controller = new AbortController();
    const pending = model.agenerate([{ role: 'user', content: 'Hi' }], { signal: controller.signal });
    await server!.arrived(1);
    controller.abort();
    await expect(pending).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    await server!.clientClosed;
  });

  it('aborting a stream aborts the HTTP request', async () => {
    const model = await tgi([{ hang: true, dribble: true }]);
    const controller = new AbortController();
    const seen: ChatMessageStreamDelta[] = [];
    const pending = (async () => {
      for await (const d of model.agenerateStream([{ role: 'user', content: 'Hi' }], { signal: controller.signal })) {
        seen.push(d);
        controller.abort(new Error('user cancelled'));
      }
    })();
    await expect(pending).rejects.toSatisfy((e) => AgentAbortError.isInstance(e) && /user cancelled/.test((e as Error).message));
    expect(seen).toHaveLength(1);
    await server!.clientClosed;
  });

  it('times out a stalled stream as a retryable ModelError', async () => {
    const model = await tgi([{ hang: true, dribble: true }], { timeoutMs: 60, maxRetries: 0 });
    const error = await collect(model.agenerateStream([{ role: 'user', content: 'Hi' }])).catch((e) => e);
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/^Hugging Face at 127\.0\.0\.1:\d+ did not answer within 60 ms \(timeoutMs\)/);
    await server!.clientClosed;
  });
});
