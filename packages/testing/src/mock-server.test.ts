import http from 'node:http';
import OpenAI, { AzureOpenAI } from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockLlmServer, type MockLlmServer, type MockLlmServerOptions } from './index.js';

const servers: MockLlmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options?: MockLlmServerOptions): Promise<MockLlmServer> {
  const server = await startMockLlmServer(options);
  servers.push(server);
  return server;
}

function client(server: MockLlmServer, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
  return new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-test-1234567890abcd', maxRetries: 0, ...extra });
}

const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' }, metric: { type: 'boolean' } }, required: ['city', 'days', 'metric'] },
    },
  },
  {
    type: 'function',
    function: { name: 'final_answer', description: 'The answer', parameters: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } },
  },
];

/** Drives the default tool scenario like a ToolCallingAgent would, over the real SDK. */
async function runAgentLoop(openai: OpenAI, task: string, stream: boolean): Promise<{ answer: string; steps: number }> {
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are a helpful agent.' },
    { role: 'user', content: `New task:\n${task}` },
  ];
  for (let step = 1; step <= 10; step++) {
    let call: { id: string; function: { name: string; arguments: string } };
    if (stream) {
      const s = openai.chat.completions.stream({ model: 'gpt-test', messages, tools, stream_options: { include_usage: true } });
      const done = await s.finalChatCompletion();
      call = done.choices[0].message.tool_calls![0] as typeof call;
    } else {
      const done = await openai.chat.completions.create({ model: 'gpt-test', messages, tools });
      call = done.choices[0].message.tool_calls![0] as typeof call;
    }
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
    if (call.function.name === 'final_answer') return { answer: String(args.answer), steps: step };
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: call.function }] });
    messages.push({ role: 'tool', tool_call_id: call.id, content: `weather in ${String(args.city)}: sunny (${task.length})` });
  }
  throw new Error('no final answer');
}

describe('mock LLM server: wire format', () => {
  it('answers a non-streaming request in the Chat Completions format', async () => {
    const server = await start();
    const openai = client(server);
    const res = await openai.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
    expect(res).toMatchObject({ object: 'chat.completion', model: 'gpt-test', choices: [{ index: 0, finish_reason: 'tool_calls' }] });
    expect(res.id).toMatch(/^chatcmpl-/);
    const call = res.choices[0].message.tool_calls![0] as { id: string; type: string; function: { name: string; arguments: string } };
    expect(call.type).toBe('function');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', days: 3, metric: true });
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    expect(res._request_id).toBe('req_mock0');
    expect(server.requestCount).toBe(1);
    expect(server.requests[0].body.model).toBe('gpt-test');
    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect(server.requests[0].headers['content-type']).toBe('application/json');
  });

  it('streams text in several chunks, then finish_reason, a usage chunk and [DONE]', async () => {
    const server = await start({ responder: () => ({ content: 'The quick brown fox jumps over the lazy dog.' }) });
    const stream = await client(server).chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThanOrEqual(3);
    expect(contentChunks.map((c) => c.choices[0].delta.content).join('')).toBe('The quick brown fox jumps over the lazy dog.');
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    const finish = chunks.at(-2)!;
    expect(finish.choices[0].finish_reason).toBe('stop');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('omits the usage chunk without stream_options.include_usage', async () => {
    const server = await start({ responder: ['hello there'] });
    const raw = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await raw.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(text).not.toContain('"usage"');
    for (const e of events.slice(0, -1)) expect(e.startsWith('data: {')).toBe(true);
  });

  it('splits tool-call arguments across chunks; the first chunk carries id, type and name', async () => {
    const server = await start({
      responder: () => ({
        toolCalls: [
          { name: 'get_weather', arguments: { city: 'Paris, the capital of France', days: 5, metric: true } },
          { id: 'call_custom', name: 'final_answer', arguments: { answer: 'done' } },
        ],
      }),
    });
    const stream = await client(server).chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      tools,
      stream: true,
    });
    const deltas: NonNullable<ChatCompletionChunk.Choice.Delta['tool_calls']>[number][] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const d of chunk.choices[0]?.delta.tool_calls ?? []) deltas.push(d);
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    const first = deltas.filter((d) => d.index === 0);
    expect(first[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(first[0].id).toMatch(/^call_/);
    expect(first.slice(1).every((d) => d.id === undefined && d.function?.name === undefined)).toBe(true);
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(first.map((d) => d.function?.arguments ?? '').join(''))).toEqual({ city: 'Paris, the capital of France', days: 5, metric: true });
    expect(deltas.find((d) => d.index === 1)!.id).toBe('call_custom');

    // The SDK's own stream helper reassembles the same message.
    const helper = client(server).chat.completions.stream({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], tools });
    const final = await helper.finalChatCompletion();
    const calls = final.choices[0].message.tool_calls as { function: { name: string; arguments: string } }[];
    expect(calls.map((c) => c.function.name)).toEqual(['get_weather', 'final_answer']);
    expect(JSON.parse(calls[1].function.arguments)).toEqual({ answer: 'done' });
  });

  it('cuts content at the request stop sequences, like the real API', async () => {
    const server = await start({ responder: () => 'Thought: go\n<code>\nx = 1\n</code>\nmore' });
    const res = await client(server).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: ['</code>'] });
    expect(res.choices[0].message.content).toBe('Thought: go\n<code>\nx = 1\n');
    expect(res.choices[0].finish_reason).toBe('stop');
  });

  it('accepts /chat/completions and Azure deployments; records headers without credentials', async () => {
    const server = await start({ responder: (req) => `deployment=${req.deployment ?? '-'} path=${req.path}` });
    const azure = new AzureOpenAI({ endpoint: server.url, apiVersion: '2024-10-21', deployment: 'my-gpt', apiKey: 'azure-secret-key-0000', maxRetries: 0 });
    const res = await azure.chat.completions.create({ model: 'my-gpt', messages: [{ role: 'user', content: 'x' }] });
    expect(res.choices[0].message.content).toBe('deployment=my-gpt path=/openai/deployments/my-gpt/chat/completions');
    expect(server.requests[0].url).toContain('api-version=2024-10-21');
    expect(server.requests[0].headers['api-key']).toBeUndefined();
    expect(JSON.stringify(server.requests)).not.toContain('azure-secret-key');

    const plain = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer secret' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(((await plain.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content).toBe('deployment=- path=/chat/completions');
    expect(server.countsByPath).toEqual({ '/openai/deployments/my-gpt/chat/completions': 1, '/chat/completions': 1 });
  });

  it('lists models, and reports unknown paths and bad bodies with OpenAI error bodies', async () => {
    const server = await start({ models: ['gpt-a', 'gpt-b'] });
    const models = [];
    for await (const m of client(server).models.list()) models.push(m.id);
    expect(models).toEqual(['gpt-a', 'gpt-b']);
    expect((await client(server).models.retrieve('gpt-b')).id).toBe('gpt-b');

    const unknown = await fetch(`${server.url}/v1/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { message: 'Invalid URL (GET /v1/nope)', type: 'invalid_request_error', param: null, code: null } });

    const bad = await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const missing = await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', body: '{}' });
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('messages');
    expect(server.requestCount).toBe(0);
    expect(server.countsByPath['/v1/chat/completions']).toBe(2);
  });
});

describe('mock LLM server: responders', () => {
  it('default tool scenario: tools in turn, then final_answer with the task and every tool result', async () => {
    const server = await start({ toolCalls: 3 });
    const { answer, steps } = await runAgentLoop(client(server), 'Plan a trip to Oslo', false);
    expect(steps).toBe(4);
    expect(answer).toContain('Plan a trip to Oslo');
    expect(answer.match(/weather in Oslo: sunny/g)).toHaveLength(3);
  });

  it('gives each of 200 concurrent runs its own answer, streaming or not', async () => {
    const server = await start({ latencyMs: 5 });
    const openai = client(server);
    const runs = await Promise.all(Array.from({ length: 200 }, (_, i) => runAgentLoop(openai, `task number ${i}`, i % 2 === 0)));
    runs.forEach((r, i) => {
      expect(r.steps).toBe(3);
      expect(r.answer).toContain(`"task number ${i}"`);
      expect(r.answer).toContain(`sunny (${`task number ${i}`.length})`);
    });
    expect(server.requestCount).toBe(600);
  });

  it('answers in text when the request has no tools', async () => {
    const server = await start();
    const res = await client(server).chat.completions.create({
      model: 'm',
      messages: [
        { role: 'user', content: 'Summarise' },
        { role: 'tool', tool_call_id: 'a', content: 'result A' },
      ],
    });
    expect(res.choices[0].message.content).toBe('Answer to "Summarise": result A');
    expect(res.choices[0].finish_reason).toBe('stop');
  });

  it('code scenario: a code block first, then final_answer, by counting assistant messages', async () => {
    const { codeScenario } = await import('./index.js');
    const server = await start({ responder: codeScenario() });
    const openai = client(server);
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'compute' }];
    const first = (await openai.chat.completions.create({ model: 'm', messages })).choices[0].message.content!;
    expect(first).toBe('Thought: I will compute.\n<code>\nconst x = 6 * 7;\nconsole.log(x);\n</code>');
    messages.push({ role: 'assistant', content: first }, { role: 'user', content: 'Observation: 42' });
    const second = (await openai.chat.completions.create({ model: 'm', messages })).choices[0].message.content!;
    expect(second).toContain('final_answer(`The answer is ${x}`)');
    expect(second).toMatch(/<code>[\s\S]*<\/code>/);
  });

  it('plays a scripted list in order, then reports exhaustion', async () => {
    const server = await start({ responder: ['one', { content: 'two', usage: { prompt_tokens: 7, completion_tokens: 3 } }] });
    const openai = client(server);
    const ask = () => openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect((await ask()).choices[0].message.content).toBe('one');
    const two = await ask();
    expect(two.choices[0].message.content).toBe('two');
    expect(two.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    await expect(ask()).rejects.toMatchObject({ status: 400, code: 'mock_script_exhausted' });
  });

  it('uses a scripted list only for requests that got no fault', async () => {
    const server = await start({ responder: ['Hello!'], faults: [{ status: 429, retryAfterMs: 5 }] });
    const res = await client(server, { maxRetries: 1 }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.choices[0].message.content).toBe('Hello!');
    expect(server.requestCount).toBe(2);
  });

  it('counts per path and resets', async () => {
    const server = await start({ responder: ['a', 'b'] });
    const openai = client(server);
    await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await openai.models.list();
    expect(server.countsByPath).toEqual({ '/v1/chat/completions': 1, '/v1/models': 1 });
    server.reset();
    expect(server.requestCount).toBe(0);
    expect(server.requests).toEqual([]);
    expect(server.countsByPath).toEqual({});
    expect((await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).choices[0].message.content).toBe('a');
  });
});

describe('mock LLM server: faults', () => {
  const ask = (openai: OpenAI, model = 'gpt-test') => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });

  it('401 gives AuthenticationError with a masked key', async () => {
    const server = await start({ faults: [{ status: 401 }] });
    const err = await ask(client(server)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    expect((err as Error).message).toContain('Incorrect API key provided: sk-');
    expect((err as Error).message).toContain('abcd');
    expect((err as Error).message).not.toContain('sk-test-1234567890abcd');
  });

  it('404 gives NotFoundError with model_not_found', async () => {
    const server = await start({ faults: () => ({ status: 404 }) });
    const err = await ask(client(server), 'gpt-nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found' });
    expect((err as Error).message).toContain('The model `gpt-nope` does not exist');
  });

  it('429 gives RateLimitError with Retry-After; the SDK retries after it and succeeds', async () => {
    const server = await start({ faults: [{ status: 429 }, { status: 429, retryAfterMs: 10 }] });
    const err = await ask(client(server)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('1');

    const started = Date.now();
    const res = await ask(client(server, { maxRetries: 1 }));
    expect(Date.now() - started).toBeLessThan(400);
    expect(res.choices[0].message).toBeDefined();
    expect(server.requestCount).toBe(3);
  });

  it('500 gives InternalServerError; custom status, message and body work', async () => {
    const server = await start({
      faults: [{ status: 500 }, { status: 503, message: 'busy' }, { status: 418, body: { error: { message: 'teapot', type: 'x', param: null, code: 'tea' } } }],
    });
    const openai = client(server);
    const e500 = await ask(openai).catch((e: unknown) => e);
    expect(e500).toBeInstanceOf(OpenAI.InternalServerError);
    expect((e500 as Error).message).toContain('The server had an error while processing your request');
    await expect(ask(openai)).rejects.toMatchObject({ status: 503, message: '503 busy' });
    await expect(ask(openai)).rejects.toMatchObject({ status: 418, code: 'tea' });
  });

  it('reset destroys the socket: APIConnectionError', async () => {
    const server = await start({ faults: [{ reset: true }] });
    const err = await ask(client(server)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('truncate ends a stream without finish_reason or [DONE]: the SDK throws', async () => {
    const server = await start({ faults: [{ truncate: true }, { truncate: true }, { truncate: true }], responder: () => 'a long answer that should have been streamed in full' });
    const openai = client(server);
    const stream = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.choices[0]?.delta.content ?? '');
        expect(chunk.choices[0]?.finish_reason).toBeNull();
      }
    })().catch((e: unknown) => e);
    expect((err as Error).message).toBe('terminated');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.join('')).not.toBe('a long answer that should have been streamed in full');

    await expect(openai.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).finalChatCompletion()).rejects.toThrow('terminated');
    await expect(ask(openai)).rejects.toThrow('terminated'); // a JSON body cut halfway
  });

  it('hang never answers; the client can abort, and close() ends the connection', async () => {
    const server = await start({ faults: [{ hang: true }] });
    const controller = new AbortController();
    const pending = client(server).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);

    const server2 = await start({ faults: () => ({ hang: true }) });
    const hung = client(server2).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await server2.close();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(hung).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });
});

describe('mock LLM server: timing and connections', () => {
  it('applies latencyMs and chunkDelayMs', async () => {
    const server = await start({ latencyMs: 60, chunkDelayMs: 10, responder: () => 'abcdefghijkl' });
    const openai = client(server);
    let started = Date.now();
    await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    started = Date.now();
    const stream = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    const times: number[] = [];
    for await (const _ of stream) times.push(Date.now() - started);
    expect(times.length).toBeGreaterThanOrEqual(5);
    expect(times.at(-1)! - times[0]).toBeGreaterThanOrEqual(30);
  });

  it('a client that stops reading a slow stream stops the server writing', async () => {
    const server = await start({ chunkDelayMs: 20, chunkChars: 1, responder: () => 'x'.repeat(100) });
    const stream = await client(server).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    expect(n).toBe(3);
  });

  it('keeps connections alive, and close() closes idle keep-alive sockets', async () => {
    const server = await start({ responder: () => 'ok' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const sockets = new Set<unknown>();
    const post = () =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(`${server.baseURL}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          sockets.add(res.socket);
          expect(res.headers.connection).toBe('keep-alive');
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts).toString()));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }));
      });
    for (let i = 0; i < 20; i++) await post();
    expect(sockets.size).toBe(1);
    const started = Date.now();
    await server.close();
    // Idle keep-alive sockets are closed, not waited out (Node's keep-alive timeout is 5 s).
    expect(Date.now() - started).toBeLessThan(1000);
    await server.close(); // idempotent
    agent.destroy();
  });

  it('serves 2,000 concurrent keep-alive clients', async () => {
    const server = await start({ latencyMs: 50, responder: (req) => `reply ${req.index}`, recordRequests: false });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2000 });
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'x' }] });
    const post = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${server.baseURL}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', reject);
        req.end(body);
      });
    const statuses = await Promise.all(Array.from({ length: 2000 }, post));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(server.requestCount).toBe(2000);
    expect(server.requests).toHaveLength(0);
    agent.destroy();
  });
});
