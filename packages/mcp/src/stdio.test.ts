import { getEventListeners } from 'node:events';
import { AgentAbortError, AgentToolCallError, AgentToolExecutionError, ToolCallingAgent, type ActionStep, type AgentEvent, type Tool } from '@smol/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { McpClient, McpToolError, ToolCollection } from './index.js';
import { RED_PIXEL_PNG } from '../test/fixtures/echo-server.ts';
import { ScriptedModel, echoServer, handles, processExists } from '../test/helpers.js';

const byName = (tools: Tool[], name: string): Tool => tools.find((t) => t.name === name)!;
const context = (signal = new AbortController().signal) => ({ signal, runId: 'test', state: {} });

describe('McpClient over stdio against the fixture server', () => {
  let collection: ToolCollection;
  beforeAll(async () => {
    collection = await ToolCollection.fromMcp(echoServer);
  });
  afterAll(() => collection.close());

  it('lists the tools with their JSON input schemas, derived inputs and identifier names', () => {
    const { tools } = collection;
    expect(tools.map((t) => t.name)).toEqual(['add', 'echo', 'text_upper', 'fail', 'slow', 'pixel', 'stats']);
    const add = byName(tools, 'add');
    expect(add.description).toBe('Adds two numbers.');
    expect(add.parameters).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number', description: 'first addend' }, b: { type: 'number', description: 'second addend' } },
      required: ['a', 'b'],
    });
    expect(add.parameters).not.toHaveProperty('$schema');
    expect(add.inputs).toEqual({ a: { type: 'number', description: 'first addend' }, b: { type: 'number', description: 'second addend' } });
    expect(add.outputType).toBe('object'); // it declares an outputSchema
    expect(byName(tools, 'echo').outputType).toBe('any');
    expect(byName(tools, 'fail').parameters).toMatchObject({ type: 'object', properties: {} });
    expect(collection.client.mcpName('text_upper')).toBe('text.upper');
  });

  it('converts results: structuredContent as data, texts joined, an image as an ImagePart', async () => {
    const { tools } = collection;
    await expect(byName(tools, 'add').forward({ a: 2, b: 3 }, context())).resolves.toEqual({ sum: 5 });
    await expect(byName(tools, 'echo').forward({ text: 'hi' }, context())).resolves.toBe('echo: hi\nlength: 2');
    await expect(byName(tools, 'text_upper').forward({ text: 'hi' }, context())).resolves.toBe('HI');
    await expect(byName(tools, 'pixel').forward({}, context())).resolves.toEqual({
      type: 'image',
      image: `data:image/png;base64,${RED_PIXEL_PNG}`,
      mediaType: 'image/png',
    });
    const failure = Promise.resolve(byName(tools, 'fail').forward({}, context()));
    await expect(failure).rejects.toBeInstanceOf(McpToolError);
    await expect(failure).rejects.toThrow('the disk is on fire');
  });

  it('runs inside a ToolCallingAgent: calls, an isError observation, an image for the model', async () => {
    const model = new ScriptedModel([
      [
        ['add', { a: 2, b: 3 }],
        ['text_upper', { text: 'mcp' }],
      ],
      [['fail', {}]],
      [['pixel', {}]],
      [['final_answer', { answer: 'done' }]],
    ]);
    const agent = new ToolCallingAgent({ model, tools: collection.tools });
    const outputs: Extract<AgentEvent, { type: 'tool_output' }>[] = [];
    for await (const event of agent.arun('use the tools', { stream: true })) if (event.type === 'tool_output') outputs.push(event);

    expect(outputs.map((o) => [o.name, o.isError])).toEqual([
      ['add', false],
      ['text_upper', false],
      ['fail', true],
      ['pixel', false],
      ['final_answer', false],
    ]);
    const steps = agent.memory.steps.filter((s): s is ActionStep => s.type === 'action');
    expect(steps[0].observations).toBe('{"sum":5}\nMCP');
    // The server's error text reaches the model as an observation; the run goes on.
    expect(AgentToolExecutionError.isInstance(steps[1].error)).toBe(true);
    expect(steps[1].error!.message).toContain('McpToolError: the disk is on fire');
    expect(steps[2].observationsImages?.[0]).toMatchObject({ type: 'image', mediaType: 'image/png' });
    const lastPrompt = model.calls[3].messages;
    expect(JSON.stringify(lastPrompt)).toContain('the disk is on fire');
    expect(lastPrompt.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image'))).toBe(true);
  });

  it('validates arguments in core against the MCP schema, before anything is sent to the server', async () => {
    const callTool = vi.spyOn(collection.client.sdk, 'callTool');
    const model = new ScriptedModel([[['add', { a: 'two', b: 3 }]], [['final_answer', { answer: 'gave up' }]]]);
    const agent = new ToolCallingAgent({ model, tools: collection.tools });
    await expect(agent.arun('add')).resolves.toBe('gave up');
    const step = agent.memory.steps.find((s): s is ActionStep => s.type === 'action')!;
    expect(AgentToolCallError.isInstance(step.error)).toBe(true);
    expect(step.error!.message).toMatch(/Invalid call to tool 'add'.*a/);
    expect(callTool).not.toHaveBeenCalled();
  });

  it('aborting a run during a slow call cancels the request on the server, promptly', async () => {
    const model = new ScriptedModel([[['slow', { ms: 10_000 }]]]);
    const agent = new ToolCallingAgent({ model, tools: collection.tools });
    const controller = new AbortController();
    let abortedAt = 0;
    const run = agent.arun('wait', { signal: controller.signal, stream: true });
    const done = (async () => {
      for await (const event of run) {
        if (event.type === 'tool_call') {
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort(new Error('user cancelled'));
          }, 100);
        }
      }
    })();
    await expect(done).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    expect(performance.now() - abortedAt).toBeLessThan(500);
    // The cancellation notification went out before this request on the same pipe.
    await expect(collection.client.callTool('stats', {})).resolves.toMatchObject({ cancelled: 1 });
  });

  it('a direct forward rejects with the abort reason, and leaves no listener on the caller’s signal', async () => {
    const slow = byName(collection.tools, 'slow');
    const controller = new AbortController();
    const pending = slow.forward({ ms: 10_000 }, context(controller.signal));
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(pending).rejects.toThrow('stop');

    const longLived = new AbortController().signal;
    const echo = byName(collection.tools, 'echo');
    await Promise.all(Array.from({ length: 200 }, (_, i) => echo.forward({ text: String(i) }, context(longLived))));
    expect(getEventListeners(longLived, 'abort')).toHaveLength(0);
  });
});

describe('McpClient lifecycle', () => {
  it('close() ends the child process (reaped, not a zombie) and leaves no handles open', async () => {
    const before = await handles();
    const client = await McpClient.connect(echoServer);
    const pid = client.pid!;
    expect(processExists(pid)).toBe(true);
    expect(await client.listTools({ include: ['echo', 'text.upper'] })).toHaveLength(2);
    await client.close();
    await client.close(); // idempotent
    expect(processExists(pid)).toBe(false);
    expect(client.pid).toBeUndefined();
    expect(await handles()).toEqual(before);
    await expect(client.callTool('echo', { text: 'x' })).rejects.toThrow(/closed/);
  });

  it('close() stops a server that ignores EOF on stdin (SIGTERM after the SDK’s 2 s grace)', async () => {
    const client = await McpClient.connect({ ...echoServer, env: { ECHO_SERVER_HOLD_OPEN: '1' } });
    const pid = client.pid!;
    const started = performance.now();
    await client.close();
    expect(performance.now() - started).toBeGreaterThan(1_900);
    expect(processExists(pid)).toBe(false);
  });

  it('`await using` closes the collection at the end of the scope; include filters tools', async () => {
    let pid = 0;
    {
      await using tools = await ToolCollection.fromMcp(echoServer, { include: (name) => name.startsWith('e') || name === 'text.upper' });
      pid = tools.client.pid!;
      expect(tools.tools.map((t) => t.name)).toEqual(['echo', 'text_upper']);
    }
    expect(processExists(pid)).toBe(false);
  });

  it('a server that exits during the handshake is a clear error, and nothing is left running', async () => {
    const before = await handles();
    await expect(McpClient.connect({ command: process.execPath, args: ['-e', 'process.exit(3)'], stderr: 'ignore' })).rejects.toThrow(
      /Could not connect to the MCP server ".*node.*"/,
    );
    expect(await handles()).toEqual(before);
  });

  it('a server that never answers the handshake times out, and its process is gone when connect rejects', async () => {
    const before = await handles();
    // Reads stdin, never replies, exits on EOF (as a well-behaved stdio server does).
    const silent = { command: process.execPath, args: ['-e', "process.stdin.resume().on('end', () => process.exit(0))"], stderr: 'ignore' as const };
    await expect(McpClient.connect(silent, { timeoutMs: 200 })).rejects.toThrow(/timed out/i);
    expect(await handles()).toEqual(before);
  });

  it('connect honours its signal', async () => {
    const controller = new AbortController();
    const silent = { command: process.execPath, args: ['-e', "process.stdin.resume().on('end', () => process.exit(0))"], stderr: 'ignore' as const };
    setTimeout(() => controller.abort(new Error('give up')), 100);
    await expect(McpClient.connect(silent, { signal: controller.signal })).rejects.toThrow('give up');
  });
});
