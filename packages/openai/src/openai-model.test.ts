import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import {
  AgentAbortError,
  AgentConfigError,
  ModelError,
  RateLimiter,
  StreamAccumulator,
  tool,
  type ChatMessage,
  type ChatMessageStreamDelta,
} from '@smol/core';
import { RUN_SIGNAL, createNodeFetch, getDefaultNodeFetch } from '@smol/core/transport';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OpenAIModel, OpenAIServerModel, type OpenAIServerModelOptions } from './index.js';
import { startFixtureServer, type FixtureServer } from '../test/fixture-server.js';

const KEY = 'sk-test-abcdefghijklmnopqrstuvwxyzWXYZ';
let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  // A test whose abort came before its request was sent must not leave its reply to the next test.
  server.reset();
});

function model(options: Partial<OpenAIServerModelOptions> = {}): OpenAIServerModel {
  return new OpenAIServerModel({ modelId: 'gpt-4.1-mini', baseURL: server.url, apiKey: KEY, retryBackoff: { initialDelayMs: 5, maxDelayMs: 2000 }, ...options });
}

const weather = tool({
  name: 'get_weather',
  description: 'Current weather for a city.',
  inputs: { location: { type: 'string', description: 'City and country' }, unit: { type: 'string', description: 'celsius or fahrenheit', nullable: true } },
  execute: () => 'sunny',
});

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] },
  { role: 'tool-call', content: 'Calling tools: [...]' },
  { role: 'tool-response', content: 'Observation: Paris' },
];

async function collect(stream: AsyncIterable<ChatMessageStreamDelta>): Promise<ChatMessageStreamDelta[]> {
  const out: ChatMessageStreamDelta[] = [];
  for await (const d of stream) out.push(d);
  return out;
}

function errorOf(p: Promise<unknown>): Promise<any> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('OpenAIServerModel.agenerate', () => {
  it('sends a Chat Completions request and reads text and usage', async () => {
    server.reply({ fixture: 'chat-completion-text.json' });
    const m = model({ modelParameters: { temperature: 0 } });
    const reply = await m.agenerate(messages, { max_completion_tokens: 50 });
    expect(reply.role).toBe('assistant');
    expect(reply.content).toBe('The capital of France is Paris.');
    expect(reply.tokenUsage).toEqual({ inputTokens: 24, outputTokens: 8, totalTokens: 32 });
    const [req] = server.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.body).toEqual({
      temperature: 0,
      max_completion_tokens: 50,
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Capital of France?' },
        { role: 'assistant', content: 'Calling tools: [...]' },
        { role: 'user', content: 'Observation: Paris' },
      ],
    });
  });

  it('keeps the whole completion on raw only when asked (keepRawResponse)', async () => {
    server.reply({ fixture: 'chat-completion-text.json' }, { fixture: 'chat-completion-text.json' });
    const plain = await model().agenerate(messages);
    expect(plain.content).toBe('The capital of France is Paris.');
    expect(plain).not.toHaveProperty('raw');
    const kept = await model({ keepRawResponse: true }).agenerate(messages);
    expect(kept.raw).toMatchObject({ id: 'chatcmpl-Bq7kTQ0lWn3bJ1sQ9mN4xY2zA8cD', model: 'gpt-4.1-mini-2025-04-14' });
  });

  it('sends tools, tool_choice, stop and response_format, and parses tool calls', async () => {
    server.reply({ fixture: 'chat-completion-tool-calls.json' });
    const reply = await model().agenerate([{ role: 'user', content: 'Weather in Paris and Tokyo?' }], {
      toolsToCallFrom: [weather],
      toolChoice: 'required',
      stopSequences: ['Observation:'],
      responseFormat: { type: 'json_schema', jsonSchema: { name: 'answer', schema: { type: 'object' }, strict: true } },
    });
    const { body } = server.requests[0];
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city.',
          parameters: {
            type: 'object',
            properties: { location: { type: 'string', description: 'City and country' }, unit: { type: ['string', 'null'], description: 'celsius or fahrenheit' } },
            required: ['location'],
            additionalProperties: false,
          },
        },
      },
    ]);
    expect(body.tool_choice).toBe('required');
    expect(body.stop).toEqual(['Observation:']);
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } });
    expect(body.stream).toBeUndefined();
    expect(reply.content).toBeNull();
    expect(reply.toolCalls).toEqual([
      { id: 'call_Vq3nH8dJ2kLm5pR7sT1uW9xZ', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris, France', unit: 'celsius' } } },
      { id: 'call_Ab4cD6eF8gH0iJ2kL4mN6oP8', type: 'function', function: { name: 'get_weather', arguments: { location: 'Tokyo, Japan', unit: 'celsius' } } },
    ]);
    expect(reply.tokenUsage?.totalTokens).toBe(133);
  });

  it('does not send stop when the server does not support it, and cuts the text itself', async () => {
    server.reply({ fixture: 'chat-completion-text.json' });
    const reply = await model({ supportsStopParameter: false }).agenerate(messages, { stopSequences: [' Paris'] });
    expect(server.requests[0].body.stop).toBeUndefined();
    expect(reply.content).toBe('The capital of France is');
  });

  it('retries a 429, honouring retry-after-ms over its own backoff', async () => {
    server.reply({ status: 429, fixture: 'error-429.json', headers: { 'retry-after-ms': '150' } }, { fixture: 'chat-completion-text.json' });
    const t0 = performance.now();
    const reply = await model({ retryBackoff: { initialDelayMs: 10_000 } }).agenerate(messages);
    const elapsed = performance.now() - t0;
    expect(reply.content).toBe('The capital of France is Paris.');
    expect(server.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2000);
  });

  it('retries a 429 with Retry-After in seconds', async () => {
    server.reply({ status: 429, fixture: 'error-429.json', headers: { 'retry-after': '1' } }, { fixture: 'chat-completion-text.json' });
    const t0 = performance.now();
    await model().agenerate(messages);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it('reports a 429 that outlasts the retries with status and retryAfterMs', async () => {
    server.reply(...Array.from({ length: 3 }, () => ({ status: 429, fixture: 'error-429.json', headers: { 'retry-after-ms': '5' } })));
    const err = await errorOf(model().agenerate(messages));
    expect(ModelError.isInstance(err)).toBe(true);
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(5);
    expect(err.message).toMatch(/^OpenAI-compatible server at 127\.0\.0\.1:\d+ answered 429 \(rate limited, rate_limit_exceeded\): Rate limit reached/);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a 500 then succeeds', async () => {
    server.reply({ status: 500, fixture: 'error-500.json' }, { fixture: 'chat-completion-text.json' });
    const reply = await model().agenerate(messages);
    expect(reply.content).toBe('The capital of France is Paris.');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].headers['x-stainless-retry-count']).toBe('0'); // the SDK itself never retried
  });

  it('does not retry a 401, and the message names the provider but never the key', async () => {
    server.reply({ status: 401, fixture: 'error-401.json' });
    const err = await errorOf(model().agenerate(messages));
    expect(ModelError.isInstance(err)).toBe(true);
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^OpenAI-compatible server at 127\.0\.0\.1:\d+ answered 401: the API key was rejected/);
    const everything = JSON.stringify({ message: err.message, stack: err.stack, json: err, cause: String(err.cause) });
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain('sk-test');
    expect(everything).not.toContain('WXYZ');
    expect(server.requests).toHaveLength(1);
  });

  it('names the unknown model on a 404', async () => {
    server.reply({ status: 404, fixture: 'error-404.json' });
    const err = await errorOf(model({ modelId: 'gpt-9-imaginary' }).agenerate(messages));
    expect(err.status).toBe(404);
    expect(err.message).toContain('"gpt-9-imaginary"');
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['smol\'s transport (the signal beside the SDK\'s)', {}, true],
    ['a fetch of the user\'s (the signal through the SDK)', { fetch: (input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init) }, false],
  ])('aborts a request in flight promptly and leaves no listener, on %s', async (_name, options, ours) => {
    server.reply({ hang: true });
    const ac = new AbortController();
    const closed = server.closed();
    const p = model(options).agenerate(messages, { signal: ac.signal });
    // Abort once the server holds the request, however long connecting took on a busy machine.
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 10_000, interval: 5 });
    ac.abort();
    const t0 = performance.now();
    const err = await errorOf(p);
    expect(AgentAbortError.isInstance(err)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    // smol's transport tears the connection down (how another fetch does it is its own business).
    if (ours) await closed;
  });

  it('hands the run signal straight to a fetch that declares it reads RUN_SIGNAL (a wrapper of smol\'s)', async () => {
    server.reply({ fixture: 'chat-completion-text.json' });
    const seen: (RequestInit & { [RUN_SIGNAL]?: AbortSignal })[] = [];
    const wrapper = Object.assign((input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init ?? {});
      return getDefaultNodeFetch()(input, init);
    }, { [RUN_SIGNAL]: true });
    const ac = new AbortController();
    await model({ fetch: wrapper }).agenerate(messages, { signal: ac.signal });
    expect(seen).toHaveLength(1);
    expect(seen[0][RUN_SIGNAL]).toBe(ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('aborts during the retry wait', async () => {
    server.reply({ status: 503, fixture: 'error-500.json', headers: { 'retry-after': '10' } });
    const ac = new AbortController();
    const p = model({ retryBackoff: { maxDelayMs: 20_000 } }).agenerate(messages, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    expect(AgentAbortError.isInstance(await errorOf(p))).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('leaves no listener on a long-lived signal after many calls', async () => {
    const ac = new AbortController();
    const m = model();
    for (let i = 0; i < 200; i++) server.reply({ fixture: 'chat-completion-text.json' });
    await Promise.all(Array.from({ length: 200 }, () => m.agenerate(messages, { signal: ac.signal })));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('awaits the rate limiter before each request', async () => {
    const limiter = new RateLimiter({ requestsPerMinute: 600, burst: 1 }); // one per 100 ms
    const a = model({ rateLimiter: limiter });
    const b = model({ rateLimiter: limiter });
    server.reply({ fixture: 'chat-completion-text.json' }, { fixture: 'chat-completion-text.json' }, { fixture: 'chat-completion-text.json' });
    const t0 = performance.now();
    await Promise.all([a.agenerate(messages), b.agenerate(messages), a.agenerate(messages)]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(180);
    expect(server.requests).toHaveLength(3);
  });

  it('reports a missing API key at the first call, as AgentConfigError', async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const m = new OpenAIServerModel({ modelId: 'gpt-4.1-mini', baseURL: server.url });
      const err = await errorOf(m.agenerate(messages));
      expect(AgentConfigError.isInstance(err)).toBe(true);
      expect(err.message).toMatch(/OPENAI_API_KEY/);
      expect(server.requests).toHaveLength(0);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('uses the shared keep-alive transport by default, and a user fetch when given', async () => {
    expect((model().client as unknown as { fetch: unknown }).fetch).toBe(getDefaultNodeFetch());
    let calls = 0;
    const base = createNodeFetch();
    const userFetch: typeof fetch = (input, init) => {
      calls++;
      return base(input, init);
    };
    server.reply({ fixture: 'chat-completion-text.json' }, { fixture: 'chat-completion-text.json' }, { fixture: 'chat-completion-text.json' });
    const before = server.connections.opened;
    const m = model({ fetch: userFetch });
    for (let i = 0; i < 3; i++) await m.agenerate(messages);
    expect(calls).toBe(3);
    expect(server.connections.opened - before).toBe(1); // one kept-alive socket
  });

  it('never shows the key when the model is inspected or serialised', async () => {
    server.reply({ fixture: 'chat-completion-text.json' });
    const m = model();
    await m.agenerate(messages); // the client exists now
    expect(inspect(m, { depth: 20, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(m)).not.toContain(KEY);
  });

  it('exports OpenAIModel as an alias', () => {
    expect(OpenAIModel).toBe(OpenAIServerModel);
  });
});

describe('OpenAIServerModel.agenerateStream', () => {
  it('streams text with usage counted once, and asks for usage', async () => {
    server.reply({ fixture: 'stream-text.sse' });
    const deltas = await collect(model().agenerateStream(messages));
    const acc = new StreamAccumulator();
    for (const d of deltas) acc.add(d);
    expect(acc.text).toBe('The capital of France is Paris.');
    expect(deltas.filter((d) => d.tokenUsage)).toEqual([{ tokenUsage: { inputTokens: 24, outputTokens: 9, totalTokens: 33 } }]);
    expect(acc.toMessage().tokenUsage).toEqual({ inputTokens: 24, outputTokens: 9, totalTokens: 33 });
    const { body, headers, path } = server.requests[0];
    expect(path).toBe('/v1/chat/completions');
    expect(headers.authorization).toBe(`Bearer ${KEY}`);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it('streams tool-call fragments that assemble into parsed calls', async () => {
    server.reply({ fixture: 'stream-tool-calls.sse' });
    const deltas = await collect(model().agenerateStream([{ role: 'user', content: 'Weather?' }], { toolsToCallFrom: [weather] }));
    expect(server.requests[0].body.tools[0].function.name).toBe('get_weather');
    expect(deltas.filter((d) => d.toolCalls).length).toBeGreaterThan(10);
    const acc = new StreamAccumulator();
    for (const d of deltas) acc.add(d);
    const message = acc.toMessage();
    expect(message.toolCalls).toEqual([
      { id: 'call_Vq3nH8dJ2kLm5pR7sT1uW9xZ', type: 'function', function: { name: 'get_weather', arguments: { location: 'Paris, France', unit: 'celsius' } } },
      { id: 'call_Ab4cD6eF8gH0iJ2kL4mN6oP8', type: 'function', function: { name: 'get_weather', arguments: { location: 'Tokyo, Japan', unit: 'celsius' } } },
    ]);
    expect(message.tokenUsage?.totalTokens).toBe(133);
  });

  it('retries a 500 before the first delta', async () => {
    server.reply({ status: 500, fixture: 'error-500.json' }, { fixture: 'stream-text.sse' });
    const deltas = await collect(model().agenerateStream(messages));
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('The capital of France is Paris.');
    expect(server.requests).toHaveLength(2);
  });

  it('a truncated stream ends in a clear ModelError, not a hang', async () => {
    server.reply({ fixture: 'stream-truncated.sse' });
    const seen: string[] = [];
    const err = await errorOf(
      (async () => {
        for await (const d of model().agenerateStream(messages)) seen.push(d.content ?? '');
      })(),
    );
    expect(ModelError.isInstance(err)).toBe(true);
    expect(err.message).toMatch(/^OpenAI-compatible server at 127\.0\.0\.1:\d+: the stream ended before the response was complete/);
    expect(seen.join('')).toBe('The capital');
    expect(server.requests).toHaveLength(1); // deltas were already out: no retry
  });

  it('aborts mid-stream promptly and leaves no listener', async () => {
    server.reply({ fixture: 'stream-text.sse', stallAfterEvents: 3 });
    const ac = new AbortController();
    const closed = server.closed();
    const it = model().agenerateStream(messages, { signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ content: 'The' });
    expect((await it.next()).value).toEqual({ content: ' capital' });
    const pending = it.next();
    setTimeout(() => ac.abort(), 20);
    const t0 = performance.now();
    expect(AgentAbortError.isInstance(await errorOf(pending))).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    await closed;
  });

  it('breaking out of the stream closes the request', async () => {
    server.reply({ fixture: 'stream-text.sse', stallAfterEvents: 3 });
    const closed = server.closed();
    for await (const d of model().agenerateStream(messages)) {
      if (d.content) break;
    }
    await closed;
  });

  it('cuts the stream client-side at a stop sequence when stop is unsupported', async () => {
    server.reply({ fixture: 'stream-text.sse' });
    const deltas = await collect(model({ supportsStopParameter: false }).agenerateStream(messages, { stopSequences: [' France'] }));
    expect(server.requests[0].body.stop).toBeUndefined();
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('The capital of');
  });
});
