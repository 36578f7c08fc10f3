// POST /api/chat over real HTTP, read with the AI SDK's own client: DefaultChatTransport (what
// useChat uses) sends the request, readUIMessageStream builds the assistant message.
import { CodeAgent, tool, type AgentRun } from '@smol/core';
import { ScriptedModel } from '@smol/testing';
import { z } from 'zod';
import type { SmolUIMessage } from '@smol/ai-sdk';
import { DefaultChatTransport, readUIMessageStream, type UIMessageChunk } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServers, post, startServer, until, weatherAgent } from '../test/helpers.js';
import { createHandler } from './index.js';

afterEach(closeServers);

const ask = (text: string, extra: Partial<SmolUIMessage> = {}): SmolUIMessage => ({ id: `u-${text.length}`, role: 'user', parts: [{ type: 'text', text }], ...extra });

function transport(url: string, options: { body?: Record<string, unknown>; seen?: Response[] } = {}) {
  return new DefaultChatTransport<SmolUIMessage>({
    api: `${url}/api/chat`,
    body: options.body,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      options.seen?.push(res);
      return res;
    },
  });
}

const send = (t: DefaultChatTransport<SmolUIMessage>, messages: SmolUIMessage[], abortSignal?: AbortSignal) =>
  t.sendMessages({ chatId: 'chat-1', messages, trigger: 'submit-message', messageId: undefined, abortSignal });

async function finalMessage(stream: ReadableStream<UIMessageChunk>): Promise<SmolUIMessage> {
  let last: SmolUIMessage | undefined;
  for await (const message of readUIMessageStream<SmolUIMessage>({ stream, terminateOnError: true })) last = message;
  return last!;
}

async function allChunks(stream: ReadableStream<UIMessageChunk>): Promise<UIMessageChunk[]> {
  const out: UIMessageChunk[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) out.push(next.value);
  return out;
}

describe('POST /api/chat (AI SDK UI message stream)', () => {
  it("useChat's transport gets the tool call with its input and output, and the answer", async () => {
    const runs: AgentRun[] = [];
    const server = await startServer({ onRun: (r) => runs.push(r) });
    const seen: Response[] = [];
    const earlier: SmolUIMessage[] = [ask('Hello'), { id: 'a-0', role: 'assistant', parts: [{ type: 'text', text: 'Hi! How can I help?' }] }];
    const message = await finalMessage(await send(transport(server.url, { seen }), [...earlier, ask('Weather in Paris?')]));

    expect(seen[0].headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(seen[0].headers.get('content-type')).toContain('text/event-stream');
    expect(seen[0].headers.get('x-run-id')).toBe(runs[0].id);
    expect(message.role).toBe('assistant');
    expect(message.id).toBe(runs[0].id);
    const call = message.parts.find((p) => p.type === 'tool-get_weather');
    expect(call).toMatchObject({ state: 'output-available', input: { city: 'Paris' }, output: 'sunny in Paris' });
    const texts = message.parts.flatMap((p) => (p.type === 'text' ? [p.text] : []));
    expect(texts).toContain('Let me check the weather.');
    expect(texts.at(-1)).toBe('sunny in Paris');
    expect(message.parts.filter((p) => p.type === 'step-start').length).toBeGreaterThanOrEqual(2);
    expect(message.parts.find((p) => p.type === 'data-run')).toMatchObject({ data: { runId: runs[0].id, state: 'success', output: 'sunny in Paris' } });
    // The task is the last user message's text, and nothing else of the chat.
    const task = server.model.calls[0].messages.find((m) => m.role === 'user')!;
    expect(JSON.stringify(task.content)).toContain('Weather in Paris?');
    expect(JSON.stringify(server.model.calls[0].messages)).not.toContain('How can I help');
    // The chat's run is a run like the others: its status and events are there.
    const status = await (await fetch(`${server.url}/api/runs/${runs[0].id}`)).json();
    expect(status).toMatchObject({ status: 'success', task: 'Weather in Paris?', result: { output: 'sunny in Paris' } });
    await until(() => server.activeRuns === 0);
  });

  it("a CodeAgent's code arrives as a tool part with its logs, and as data-code parts", async () => {
    const model = new ScriptedModel(
      (messages) =>
        messages.some((m) => m.role === 'assistant')
          ? 'Thought: I have it.\n<code>\nfinal_answer(report);\n</code>'
          : 'Thought: I will ask.\n<code>\nconst report = await get_weather({ city: "Paris" });\nconsole.log(report, 42);\n</code>',
      { chunkChars: 8 },
    );
    const getWeather = tool({ name: 'get_weather', description: 'Weather.', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `sunny in ${city}` });
    const server = await startServer({ agents: new CodeAgent({ model, tools: [getWeather], maxSteps: 4, telemetry: false }) });
    const message = await finalMessage(await send(transport(server.url), [ask('Weather in Paris?')]));
    const code = message.parts.filter((p) => p.type === 'tool-javascript_interpreter');
    expect(code[0]).toMatchObject({ state: 'output-available', input: { code: expect.stringContaining('get_weather({ city: "Paris" })') }, output: { logs: expect.stringContaining('sunny in Paris 42') } });
    expect(message.parts.filter((p) => p.type === 'data-code').map((p) => (p as { data: { code: string } }).data.code)).toEqual([expect.stringContaining('console.log'), expect.stringContaining('final_answer')]);
    expect(message.parts.findLast((p) => p.type === 'text')).toMatchObject({ text: 'sunny in Paris' });
  });

  it('runs the agent named in the body; an unknown one is a 400', async () => {
    const server = await startServer({ agents: { first: weatherAgent().agent, second: weatherAgent().agent } });
    const message = await finalMessage(await send(transport(server.url, { body: { agent: 'second' } }), [ask('Weather?')]));
    const runId = (message.parts.find((p) => p.type === 'data-run') as { data: { runId: string } }).data.runId;
    expect((await (await fetch(`${server.url}/api/runs/${runId}`)).json()).agent).toBe('second');
    await expect(send(transport(server.url, { body: { agent: 'third' } }), [ask('Weather?')])).rejects.toThrow(/is not an agent of this server/);
  });

  it('bad input gets a 400 naming the field', async () => {
    const { url } = await startServer();
    const cases: [unknown, string][] = [
      [{ id: 'c' }, 'messages'],
      [{ messages: [] }, 'messages'],
      [{ messages: 'hi' }, 'messages'],
      [{ messages: [{ role: 'user' }] }, 'messages.0.parts'],
      [{ messages: [{ role: 'robot', parts: [] }] }, 'messages.0.role'],
      [{ messages: [ask('Hi'), { role: 'assistant', parts: [{ type: 'text', text: 'Hello' }] }] }, 'messages.1.role'],
      [{ messages: [{ role: 'user', parts: [{ type: 'step-start' }] }] }, 'messages.0.parts'],
      [{ messages: [{ role: 'user', parts: [{ type: 'text', text: 42 }] }] }, 'messages.0.parts.0.text'],
      [{ messages: [{ role: 'user', parts: [{ type: 'text', text: 'x'.repeat(20_001) }] }] }, 'messages.0.parts'],
      [{ messages: [{ role: 'user', parts: [{ type: 'file', mediaType: 'application/pdf', url: 'data:application/pdf;base64,AAAA' }, { type: 'text', text: 'Read' }] }] }, 'messages.0.parts.0'],
      [{ messages: [ask('Hi')], trigger: 'resend' }, 'trigger'],
      [{ messages: [ask('Hi')], maxSteps: 0 }, 'maxSteps'],
    ];
    for (const [body, field] of cases) {
      const res = await post(`${url}/api/chat`, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const json = await res.json();
      expect(json.issues[0].field, JSON.stringify(body).slice(0, 80)).toBe(field);
      expect(json.error).toContain(`"${field}"`);
    }
    expect((await post(`${url}/api/chat`, '{"messages": [')).status).toBe(400);
    expect((await fetch(`${url}/api/chat`)).status).toBe(405);
  });

  it('image and text file parts reach the agent', async () => {
    const server = await startServer();
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const notes = `data:text/plain;base64,${Buffer.from('Paris is in France.').toString('base64')}`;
    const message = ask('Weather?', {
      parts: [
        { type: 'file', mediaType: 'image/png', url: png, filename: 'sky.png' },
        { type: 'file', mediaType: 'text/plain', url: notes, filename: 'notes.txt' },
        { type: 'text', text: 'Weather?' },
      ],
    });
    await finalMessage(await send(transport(server.url), [message]));
    const first = JSON.stringify(server.model.calls[0].messages);
    expect(first).toContain(png);
    expect(first).toContain('Paris is in France.');
  });

  it('a client that aborts aborts its run; the active count returns to 0', async () => {
    const runs: AgentRun[] = [];
    const server = await startServer({ onRun: (r) => runs.push(r) }, { delayMs: 5000 });
    const client = new AbortController();
    const stream = await send(transport(server.url), [ask('Weather?')], client.signal);
    const reader = stream.getReader();
    expect((await reader.read()).value).toMatchObject({ type: 'start' });
    expect(server.activeRuns).toBe(1);
    client.abort();
    await until(() => runs[0].signal.aborted);
    await until(() => server.activeRuns === 0);
    expect((await (await fetch(`${server.url}/api/runs/${runs[0].id}`)).json()).status).toBe('cancelled');
  });

  it('a client that stops reading and falls too far behind ends its run (the handler alone, no HTTP)', async () => {
    const handler = createHandler({ agents: weatherAgent().agent, maxEventsPerRun: 5 });
    const body = JSON.stringify({ id: 'c', messages: [ask('Weather in Paris?')], trigger: 'submit-message' });
    const res = await handler.fetch(new Request('http://smol.test/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    expect(res.status).toBe(200);
    // Nothing reads the body while the run streams its deltas.
    await until(() => handler.activeRuns === 0);
    const runId = res.headers.get('x-run-id')!;
    const status = await (await handler.fetch(new Request(`http://smol.test/api/runs/${runId}`))).json();
    expect(status.status).toBe('cancelled');
    const text = await res.text();
    expect(text).toContain('"type":"error"');
    expect(text).toContain('fell more than 5 events behind');
  });

  it('a run over its time limit ends the stream with an abort chunk', async () => {
    const server = await startServer({ runTimeoutMs: 200 }, { delayMs: 5000 });
    const chunks = await allChunks(await send(transport(server.url), [ask('Weather?')]));
    expect(chunks[0]).toMatchObject({ type: 'start' });
    expect(chunks.at(-1)).toMatchObject({ type: 'abort' });
    expect((chunks.at(-1) as { reason?: string }).reason).toContain('time limit');
    await until(() => server.activeRuns === 0);
  });

  it('one run too many gets 429 with Retry-After', async () => {
    const server = await startServer({ maxConcurrentRuns: 1 }, { delayMs: 5000 });
    const client = new AbortController();
    const first = await send(transport(server.url), [ask('Weather?')], client.signal);
    const res = await post(`${server.url}/api/chat`, { id: 'c', messages: [ask('Weather?')], trigger: 'submit-message' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    client.abort();
    await first.cancel().catch(() => {});
    await until(() => server.activeRuns === 0);
  });

  it('useChat({ resume: true }) finds nothing to resume', async () => {
    const { url } = await startServer();
    expect(await transport(url).reconnectToStream({ chatId: 'chat-1' })).toBeNull();
  });

  it('a quiet step gets SSE keep-alive comments every heartbeatMs', async () => {
    const { url } = await startServer({ heartbeatMs: 50 }, { delayMs: 400 });
    const text = await (await post(`${url}/api/chat`, { messages: [ask('Weather?')] })).text();
    expect(text).toContain(': keep-alive');
    expect(text).toContain('"type":"finish"');
  });

  it('with bearer tokens, the chat needs one too', async () => {
    const { url } = await startServer({ tokens: 'tok-1234567890' });
    expect((await post(`${url}/api/chat`, { messages: [ask('Weather?')] })).status).toBe(401);
    const t = new DefaultChatTransport<SmolUIMessage>({ api: `${url}/api/chat`, headers: { authorization: 'Bearer tok-1234567890' } });
    const message = await finalMessage(await send(t, [ask('Weather?')]));
    expect(message.parts.find((p) => p.type === 'data-run')).toMatchObject({ data: { state: 'success' } });
  });

  it('the OpenAPI document has the route and the schema that validates it', async () => {
    const { url } = await startServer();
    const doc = await (await fetch(`${url}/openapi.json`)).json();
    expect(doc.paths['/api/chat'].post.responses).toHaveProperty('501');
    expect(doc.components.schemas.Chat.required).toEqual(['messages']);
    expect(doc.components.schemas.Chat.properties.messages.items.properties.role.enum).toEqual(['system', 'user', 'assistant']);
  });

  it('a body over the limit gets 413', async () => {
    const { url } = await startServer({ maxBodyBytes: 1000 });
    const res = await post(`${url}/api/chat`, { messages: [ask('x'.repeat(2000))] });
    expect(res.status).toBe(413);
  });
});
