import { getEventListeners } from 'node:events';
import { AgentAbortError, AgentConfigError, ModelError, StreamAccumulator, type ChatMessage } from '@smol/core';
import { RUN_SIGNAL, getDefaultNodeFetch } from '@smol/core/provider';
import { closeFixtureServers, collectStream as collect, weatherTool as weather } from '@smol/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicModel, type AnthropicModelOptions } from './index.js';
import { fixture, startAnthropicServer, type AnthropicTestServer, type Reply } from '../test/anthropic-server.js';

const KEY = 'sk-ant-api03-TESTKEY-0123456789abcdef';
const FAST_RETRY = { maxRetries: 2, retryBackoff: { initialDelayMs: 1, maxDelayMs: 1000, jitter: false } };

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful agent.' },
  { role: 'user', content: 'New task:\nWeather in SF?' },
  { role: 'tool-call', content: 'Calling tools:\n[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":{"location":"SF"}}}]' },
  { role: 'tool-response', content: 'Observation:\nsunny' },
];

let server: AnthropicTestServer | undefined;
afterEach(closeFixtureServers);

async function setup(replies: Reply[], options: Partial<AnthropicModelOptions> = {}): Promise<AnthropicModel> {
  server = await startAnthropicServer({ apiKey: KEY, replies });
  return new AnthropicModel({ modelId: 'claude-sonnet-5', apiKey: KEY, baseURL: server.url, ...FAST_RETRY, ...options });
}

function expectNoKey(error: unknown): void {
  expect(String((error as Error).message)).not.toContain(KEY);
  expect(JSON.stringify(error)).not.toContain(KEY);
  expect(String((error as Error).stack)).not.toContain(KEY);
}

describe('AnthropicModel: requests', () => {
  it('posts to /v1/messages with the key, the version header, the system prompt split out and the tools', async () => {
    const model = await setup([{ json: JSON.parse(fixture('message-tool-use.json')) }]);
    const reply = await model.agenerate(conversation, { toolsToCallFrom: [weather], toolChoice: 'required', stopSequences: ['Observation:'], temperature: 0.2 });

    const req = server!.requests[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/messages');
    expect(req.query).toBe('');
    expect(req.headers.authorization ?? req.headers['x-api-key']).toContain(KEY);
    expect(req.headers['anthropic-version']).toBeTruthy();
    expect(req.body).toEqual({
      model: 'claude-sonnet-5',
      max_tokens: 4096,
      temperature: 0.2,
      system: 'You are a helpful agent.',
      messages: [
        { role: 'user', content: 'New task:\nWeather in SF?' },
        { role: 'assistant', content: conversation[2].content },
        { role: 'user', content: 'Observation:\nsunny' },
      ],
      stop_sequences: ['Observation:'],
      tools: [{ name: 'get_weather', description: 'Current weather in a city.', input_schema: expect.objectContaining({ type: 'object', required: ['location'] }) }],
      tool_choice: { type: 'any' },
    });

    expect(reply.content).toBe("I'll check the weather in San Francisco.");
    expect(reply.toolCalls).toEqual([
      { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'celsius' } } },
    ]);
    // Cached input tokens count as input.
    expect(reply.tokenUsage).toEqual({ inputTokens: 572, outputTokens: 89, totalTokens: 661 });
  });

  it('reads a text reply, and takes max_tokens from maxTokens or the call', async () => {
    const model = await setup([{ json: JSON.parse(fixture('message-text.json')) }], { maxTokens: 1000 });
    const reply = await model.agenerate([{ role: 'user', content: 'Hello' }]);
    expect(reply).toMatchObject({ role: 'assistant', content: 'Hi! My name is Claude.', tokenUsage: { inputTokens: 2095, outputTokens: 503, totalTokens: 2598 } });
    expect(server!.requests[0].body.max_tokens).toBe(1000);
    expect(server!.requests[0].body.system).toBeUndefined();
    await model.agenerate([{ role: 'user', content: 'Hello' }], { max_tokens: 77 });
    expect(server!.requests[1].body.max_tokens).toBe(77);
  });

  it('maps tool choices and sends images as blocks', async () => {
    const model = await setup([{ json: JSON.parse(fixture('message-text.json')) }]);
    const image: ChatMessage = { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', image: new Uint8Array([1, 2, 3]), mediaType: 'image/png' }] };
    await model.agenerate([image], { toolsToCallFrom: [weather], toolChoice: { type: 'function', function: { name: 'get_weather' } } });
    const body = server!.requests[0].body;
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(body.messages[0].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AQID' } },
    ]);
  });

  it('uses the given fetch instead of the shared transport', async () => {
    let calls = 0;
    const fetch: typeof globalThis.fetch = (input, init) => {
      calls++;
      return globalThis.fetch(input, init);
    };
    const model = await setup([{ json: JSON.parse(fixture('message-text.json')) }], { fetch });
    await model.agenerate([{ role: 'user', content: 'Hi' }]);
    expect(calls).toBe(1);
  });

  it('reports a missing key at the first call as a config error', async () => {
    const saved = { key: process.env.ANTHROPIC_API_KEY, token: process.env.ANTHROPIC_AUTH_TOKEN };
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_AUTH_TOKEN;
    try {
      const model = new AnthropicModel({ modelId: 'claude-sonnet-5', baseURL: 'http://127.0.0.1:9' });
      await expect(model.agenerate([{ role: 'user', content: 'Hi' }])).rejects.toSatisfy((e) => AgentConfigError.isInstance(e) && /ANTHROPIC_API_KEY/.test((e as Error).message));
    } finally {
      if (saved.key !== undefined) process.env.ANTHROPIC_API_KEY = saved.key;
      if (saved.token !== undefined) process.env.ANTHROPIC_AUTH_TOKEN = saved.token;
    }
  });
});

describe('AnthropicModel: streaming', () => {
  it('maps events to deltas: text, tool-call arguments split across chunks, usage counted once', async () => {
    const model = await setup([{ sse: fixture('stream-tool-use.sse') }]);
    const deltas = await collect(model.agenerateStream(conversation, { toolsToCallFrom: [weather] }));
    expect(server!.requests[0].body.stream).toBe(true);

    // Input arrives with message_start, output with message_delta (the last usage event).
    const usages = deltas.filter((d) => d.tokenUsage).map((d) => d.tokenUsage);
    expect(usages[0]).toEqual({ inputTokens: 500, outputTokens: 2, totalTokens: 502 });
    expect(usages.at(-1)).toEqual({ inputTokens: 0, outputTokens: 87, totalTokens: 87 });
    const argPieces = deltas.flatMap((d) => d.toolCalls ?? []).filter((c) => c.index === 0 && c.function?.arguments);
    expect(argPieces.length).toBeGreaterThan(2);

    const acc = new StreamAccumulator();
    for (const d of deltas) acc.add(d);
    const message = acc.toMessage();
    expect(message.content).toBe("Okay, let's check the weather twice:");
    expect(message.toolCalls).toEqual([
      { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'fahrenheit' } } },
      { id: 'toolu_02Bq8x2gK45rBn3uUsOoP8Vq', type: 'function', function: { name: 'get_time', arguments: { timezone: 'America/Los_Angeles' } } },
    ]);
    expect(message.tokenUsage).toEqual({ inputTokens: 500, outputTokens: 89, totalTokens: 589 });
  });

  it('streams text and sends stop sequences', async () => {
    const model = await setup([{ sse: fixture('stream-text.sse') }]);
    const acc = new StreamAccumulator();
    for await (const d of model.agenerateStream([{ role: 'user', content: 'Hi' }], { stopSequences: ['Observation:'] })) acc.add(d);
    expect(server!.requests[0].body.stop_sequences).toEqual(['Observation:']);
    expect(acc.toMessage()).toMatchObject({ content: 'Hello! Thought: done.\nObservation: ignored', tokenUsage: { inputTokens: 25, outputTokens: 15 } });
  });

  it('cuts the output client-side when the API is told not to take stop sequences', async () => {
    const model = await setup([{ sse: fixture('stream-text.sse') }], { supportsStopParameter: false });
    const acc = new StreamAccumulator();
    for await (const d of model.agenerateStream([{ role: 'user', content: 'Hi' }], { stopSequences: ['Observation:'] })) acc.add(d);
    expect(server!.requests[0].body.stop_sequences).toBeUndefined();
    expect(acc.text).toBe('Hello! Thought: done.\n');
  });

  it('ends a truncated stream with a clear error, not a hang', async () => {
    const model = await setup([{ truncate: fixture('stream-truncated.sse') }]);
    const error = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(ModelError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/^Anthropic at 127\.0\.0\.1:\d+: the connection was cut before the response ended/);
  });

  it('reports a stream that ends cleanly but without message_stop', async () => {
    const model = await setup([{ sse: fixture('stream-truncated.sse') }], { maxRetries: 0 });
    const error = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(error.message).toMatch(/Anthropic stream ended before message_stop/);
  });

  it('turns an error event inside the stream into a retryable ModelError', async () => {
    const model = await setup([{ sse: fixture('stream-error-overloaded.sse') }]);
    const error = await collect(model.agenerateStream(conversation)).catch((e) => e);
    expect(ModelError.isInstance(error)).toBe(true);
    expect(error.message).toContain('overloaded_error');
    expect(error.retryable).toBe(true);
    expect(server!.requests).toHaveLength(1); // output had started, so no retry
  });
});

describe('AnthropicModel: errors', () => {
  it('401 says the key was rejected and never shows it', async () => {
    server = await startAnthropicServer({ apiKey: 'sk-ant-the-right-one', replies: [] });
    const model = new AnthropicModel({ modelId: 'claude-sonnet-5', apiKey: KEY, baseURL: server.url, ...FAST_RETRY });
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(ModelError.isInstance(error)).toBe(true);
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^Anthropic at 127\.0\.0\.1:\d+ answered 401: the API key was rejected.*ANTHROPIC_API_KEY/);
    expectNoKey(error);
    expect(server.requests).toHaveLength(1);
    // Nor does inspecting the model (after its client exists) show it.
    expect(JSON.stringify(model)).not.toContain(KEY);
    const { inspect } = await import('node:util');
    expect(inspect(model, { depth: 5 })).not.toContain(KEY);
  });

  it('404 names the unknown model', async () => {
    const model = await setup([], { modelId: 'claude-nope-1' });
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error.status).toBe(404);
    expect(error.message).toContain('"claude-nope-1"');
    expect(error.message).toContain('model: claude-nope-1');
    expectNoKey(error);
  });

  it('retries 429 after Retry-After, and 500 and 529', async () => {
    const ok = { json: JSON.parse(fixture('message-text.json')) };
    const model = await setup([{ error: 429 }, { error: 500 }, ok]);
    await expect(model.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toMatchObject({ content: 'Hi! My name is Claude.' });
    expect(server!.requests).toHaveLength(3);
    await server!.close();

    const overloaded = await setup([{ error: 529 }, ok]);
    await expect(overloaded.agenerate([{ role: 'user', content: 'Hi' }])).resolves.toMatchObject({ content: 'Hi! My name is Claude.' });
    expect(server!.requests).toHaveLength(2);
  });

  it('honours a Retry-After longer than the policy allows by not retrying, and keeps it on the error', async () => {
    const model = await setup([{ error: 429, headers: { 'retry-after': '7' } }]);
    const error = await model.agenerate([{ role: 'user', content: 'Hi' }]).catch((e) => e);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7000 });
    expect(error.message).toContain('rate_limit_error');
    expect(server!.requests).toHaveLength(1);
  });

  it('retries a stream whose request failed before any output', async () => {
    const model = await setup([{ error: 500 }, { sse: fixture('stream-text.sse') }]);
    const acc = new StreamAccumulator();
    for await (const d of model.agenerateStream([{ role: 'user', content: 'Hi' }])) acc.add(d);
    expect(acc.text).toContain('Hello');
    expect(server!.requests).toHaveLength(2);
  });
});

describe('AnthropicModel: cancellation', () => {
  it('aborting the signal aborts the HTTP request', async () => {
    const model = await setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = model.agenerate([{ role: 'user', content: 'Hi' }], { signal: controller.signal });
    await server!.arrived(1);
    controller.abort();
    await expect(pending).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    await server!.clientClosed;
  });

  it.each([
    ['a fetch that declares it reads RUN_SIGNAL (a wrapper of smol\'s): the run signal beside the SDK\'s', true],
    ['a fetch of the user\'s: the signal through the SDK', false],
  ])('hands the signal to %s, and leaves no listener on it', async (_name, declares) => {
    const seen: (RequestInit & { [RUN_SIGNAL]?: AbortSignal })[] = [];
    const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init ?? {});
      return getDefaultNodeFetch()(input, init);
    };
    const model = await setup([{ json: JSON.parse(fixture('message-tool-use.json')) }], { fetch: declares ? Object.assign(fetch, { [RUN_SIGNAL]: true }) : fetch });
    const controller = new AbortController();
    await model.agenerate([{ role: 'user', content: 'Hi' }], { signal: controller.signal });
    expect(seen).toHaveLength(1);
    // Either way the request can be cancelled; only the declaring fetch gets the run signal itself.
    expect(seen[0].signal).toBeInstanceOf(AbortSignal);
    expect(seen[0][RUN_SIGNAL]).toBe(declares ? controller.signal : undefined);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborting a stream aborts the HTTP request', async () => {
    const model = await setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = collect(model.agenerateStream([{ role: 'user', content: 'Hi' }], { signal: controller.signal }));
    await server!.arrived(1);
    controller.abort(new Error('user cancelled'));
    await expect(pending).rejects.toSatisfy((e) => AgentAbortError.isInstance(e) && /user cancelled/.test((e as Error).message));
    await server!.clientClosed;
  });
});
