import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AgentAbortError, ToolCallingAgent, type ActionStep } from '@smol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpClient, ToolCollection } from './index.js';
import { createEchoServer } from '../test/fixtures/echo-server.ts';
import { ScriptedModel } from '../test/helpers.js';

/** The fixture's tools behind a stateful Streamable HTTP endpoint: one McpServer per session. */
async function startHttpServer(): Promise<{ url: URL; sessions: Map<string, McpServer>; headers: IncomingHttpHeaders[]; server: Server }> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const sessions = new Map<string, McpServer>();
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer(async (req, res) => {
    headers.push(req.headers);
    if (!req.url?.startsWith('/mcp')) {
      res.writeHead(404).end();
      return;
    }
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? transports.get(id) : undefined;
    if (!transport) {
      if (id !== undefined || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const mcp = createEchoServer();
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (sid) => {
          transports.set(sid, created);
          sessions.set(sid, mcp);
        },
        onsessionclosed: async (sid) => {
          transports.delete(sid);
          sessions.delete(sid);
          await mcp.close();
        },
      });
      transport = created;
      await mcp.connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), sessions, headers, server };
}

describe('McpClient over Streamable HTTP', () => {
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  beforeAll(async () => {
    http = await startHttpServer();
  });
  afterAll(async () => {
    http.server.closeAllConnections();
    await new Promise((resolve) => http.server.close(resolve));
  });

  it('lists the tools, sends the headers, and serves a ToolCallingAgent', async () => {
    await using collection = await ToolCollection.fromMcp({ url: http.url, headers: { authorization: 'Bearer test-token' } }, { include: ['add', 'fail'] });
    expect(collection.tools.map((t) => t.name)).toEqual(['add', 'fail']);
    expect(collection.tools[0].parameters).toMatchObject({ properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
    expect(http.headers.every((h) => h.authorization === 'Bearer test-token')).toBe(true);

    const model = new ScriptedModel([[['add', { a: 40, b: 2 }]], [['fail', {}]], [['final_answer', { answer: 42 }]]]);
    const agent = new ToolCallingAgent({ model, tools: collection.tools });
    await expect(agent.arun('add')).resolves.toBe(42);
    const steps = agent.memory.steps.filter((s): s is ActionStep => s.type === 'action');
    expect(steps[0].observations).toBe('{"sum":42}');
    expect(steps[1].error?.message).toContain('the disk is on fire');
  });

  it('aborting a slow call rejects promptly and the server sees the cancellation', async () => {
    await using collection = await ToolCollection.fromMcp({ url: http.url });
    const model = new ScriptedModel([[['slow', { ms: 10_000 }]]]);
    const agent = new ToolCallingAgent({ model, tools: collection.tools });
    const started = performance.now();
    await expect(agent.arun('wait', { signal: AbortSignal.timeout(150) })).rejects.toSatisfy((e) => AgentAbortError.isInstance(e));
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(collection.client.callTool('stats', {})).resolves.toMatchObject({ cancelled: 1 });
  });

  it('close() ends the session on the server', async () => {
    const client = await McpClient.connect({ url: http.url });
    expect(http.sessions.size).toBe(1);
    await client.close();
    expect(http.sessions.size).toBe(0);
    await expect(client.callTool('echo', { text: 'x' })).rejects.toThrow(/closed/);
  });

  it('an unreachable server is a clear error that names the address but not the query or headers', async () => {
    const url = new URL(http.url);
    url.pathname = '/nowhere';
    url.search = '?key=secret';
    const error = await McpClient.connect({ url, headers: { authorization: 'Bearer secret' } }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`Could not connect to the MCP server at ${url.origin}/nowhere`);
    expect((error as Error).message).not.toContain('secret');
  });
});
