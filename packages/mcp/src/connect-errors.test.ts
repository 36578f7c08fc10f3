// A stdio server that cannot start: reported when it exits (not after the 60 s request
// timeout), as a typed error with the tail of its stderr and how to pass it env variables.
import { AgentError } from '@smol/core';
import { describe, expect, it } from 'vitest';
import { McpClient, McpConnectionError, McpToolError, ToolCollection } from './index.js';
import { echoServer, handles } from '../test/helpers.js';

const node = process.execPath;

/** A server that checks its environment, prints an error and exits, as many real ones do. */
const needsToken = {
  command: node,
  args: ['-e', "if (!process.env.ECHO_TOKEN) { console.error('Error: ECHO_TOKEN environment variable is required'); process.exit(1); }"],
  stderr: 'ignore' as const,
};

async function connectError(promise: Promise<unknown>): Promise<McpConnectionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpConnectionError);
  return error as McpConnectionError;
}

describe('connecting to a stdio server that cannot start', () => {
  it('rejects with McpConnectionError quoting its stderr and naming the `env` option', async () => {
    const before = await handles();
    const error = await connectError(McpClient.connect(needsToken));
    expect(AgentError.isInstance(error)).toBe(true);
    expect(McpConnectionError.isInstance(error)).toBe(true);
    expect(error.name).toBe('McpConnectionError');
    expect(error.exit).toEqual({ code: 1, signal: null });
    expect(error.stderr).toBe('Error: ECHO_TOKEN environment variable is required');
    expect(error.message).toContain('exited with code 1 before completing the MCP handshake');
    expect(error.message).toContain('  Error: ECHO_TOKEN environment variable is required');
    expect(error.message).toMatch(/minimal environment \(HOME, .*PATH.*\).*`env` option/s);
    expect(await handles()).toEqual(before);
  });

  it('is reported when the server exits even if a process it started keeps its pipes open', async () => {
    // Before: the SDK waited for the pipes to close, so this took the whole 60 s request timeout.
    const script = [
      "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'inherit' });",
      "console.error('helper ' + c.pid); console.error('fatal: cannot read config'); process.exit(2);",
    ].join('\n');
    const started = performance.now();
    const error = await connectError(McpClient.connect({ command: node, args: ['-e', script], stderr: 'ignore' }));
    const elapsed = performance.now() - started;
    const helper = Number(/helper (\d+)/.exec(error.stderr)?.[1]);
    if (helper) process.kill(helper);
    expect(elapsed).toBeLessThan(10_000);
    expect(error.exit?.code).toBe(2);
    expect(error.message).toContain('fatal: cannot read config');
  });

  it('passes `env` to the child and keeps its values out of the error', async () => {
    const leaky = { command: node, args: ['-e', "console.error('bad token ' + process.env.ECHO_TOKEN); process.exit(1)"], stderr: 'ignore' as const, env: { ECHO_TOKEN: 'sk-live-123456' } };
    const error = await connectError(ToolCollection.fromMcp(leaky));
    expect(error.message).toContain('bad token [redacted]');
    expect(error.message).not.toContain('sk-live-123456');
    expect(error.stderr).not.toContain('sk-live-123456');
  });

  it('a command that does not exist is a McpConnectionError too', async () => {
    const error = await connectError(McpClient.connect({ command: 'smol-no-such-mcp-server', stderr: 'ignore' }));
    expect(error.message).toMatch(/"smol-no-such-mcp-server": the command was not found/);
  });

  it("a server that stays silent times out with the request timeout's error, still typed", async () => {
    const silent = { command: node, args: ['-e', "console.error('waiting for a database'); process.stdin.resume().on('end', () => process.exit(0))"], stderr: 'ignore' as const };
    const error = await connectError(McpClient.connect(silent, { timeoutMs: 300 }));
    expect(error.exit).toBeUndefined();
    expect(error.message).toMatch(/timed out/i);
    expect(error.message).toContain('waiting for a database');
  });
});

describe('stderr modes still work with the tail kept', () => {
  it("'pipe' exposes the child's stderr as client.stderr, from its first byte", async () => {
    const client = await McpClient.connect({ ...echoServer, env: { ECHO_SERVER_LOG: 'echo-server ready' }, stderr: 'pipe' });
    try {
      // Read only after connect: output written during the handshake is still there.
      const stream = client.stderr!;
      const text = await new Promise<string>((resolve) => {
        let seen = '';
        stream.on('data', (chunk: Buffer) => {
          seen += String(chunk);
          if (seen.includes('\n')) resolve(seen);
        });
      });
      expect(text).toBe('echo-server ready\n');
    } finally {
      await client.close();
    }
  });

  it("'ignore' gives no stream", async () => {
    const client = await McpClient.connect({ ...echoServer, env: { ECHO_SERVER_LOG: 'dropped' }, stderr: 'ignore' });
    expect(client.stderr).toBeNull();
    await client.close();
  });
});

describe('McpToolError', () => {
  it('is an AgentError', () => {
    const error = new McpToolError('nope', { content: [], isError: true });
    expect(AgentError.isInstance(error)).toBe(true);
    expect(McpToolError.isInstance(error)).toBe(true);
    expect(error.name).toBe('McpToolError');
  });
});
