import type { Readable, Stream } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { tool, type Tool } from '@smol/core';
import { LinkedController, SecretSet, sanitizeError } from '@smol/core/provider';
import pkg from '../package.json' with { type: 'json' };
import { McpToolError, descriptionOf, parametersOf, resultToOutput, sanitiseNames } from './convert.js';
import { ChildStdioTransport, McpConnectionError, StderrTap, stdioFailureMessage } from './stdio.js';

/** Start a local server as a child process and talk to it over stdin/stdout. */
export interface StdioServerParams {
  command: string;
  args?: string[];
  /**
   * Added to a minimal inherited environment (HOME, LOGNAME, PATH, SHELL, TERM, USER), not to all
   * of `process.env`: pass what the server needs, e.g. `{ GITHUB_TOKEN: process.env.GITHUB_TOKEN! }`.
   */
  env?: Record<string, string>;
  cwd?: string;
  /** The child's stderr: shown in ours (default), dropped, or readable from `McpClient.stderr`. */
  stderr?: 'inherit' | 'ignore' | 'pipe';
}

/** Talk to a remote server over Streamable HTTP. */
export interface HttpServerParams {
  url: string | URL;
  /** Sent with every request (e.g. Authorization). Their values never appear in an error's message, stack or cause. */
  headers?: Record<string, string>;
  /** A fetch to use instead of the global one (e.g. `@smol/core/transport`'s keep-alive fetch). */
  fetch?: FetchLike;
}

export type McpServerParams = StdioServerParams | HttpServerParams;

export interface McpClientOptions {
  /** Client name and version announced to the server. */
  clientInfo?: { name: string; version: string };
  /** Timeout of each request to the server, tool calls included. Default: the SDK's 60 s. */
  timeoutMs?: number;
  /** Cancels connecting (the initialize handshake). */
  signal?: AbortSignal;
}

export interface ListToolsOptions {
  /** Keep only these tools, by MCP name or smol name, or those the function accepts (given the MCP name). */
  include?: readonly string[] | ((mcpName: string) => boolean);
  signal?: AbortSignal;
}

// How long close() waits for an HTTP server to acknowledge the end of the session.
const TERMINATE_TIMEOUT_MS = 2_000;

/** A connection to one MCP server, whose tools become smol tools. */
export class McpClient implements AsyncDisposable {
  /** The SDK client, for what this class does not wrap (resources, prompts, notifications). */
  readonly sdk: Client;
  private readonly transport: ChildStdioTransport | StreamableHTTPClientTransport;
  private readonly timeoutMs: number | undefined;
  readonly #secrets: SecretSet;
  private readonly userStderr: Stream | null;
  /** smol tool name → MCP tool name, filled by listTools. */
  private readonly names = new Map<string, string>();
  private closing: Promise<void> | undefined;

  private constructor(sdk: Client, transport: ChildStdioTransport | StreamableHTTPClientTransport, timeoutMs: number | undefined, secrets: SecretSet, userStderr: Stream | null) {
    this.sdk = sdk;
    this.transport = transport;
    this.timeoutMs = timeoutMs;
    this.#secrets = secrets;
    this.userStderr = userStderr;
  }

  /**
   * Starts (stdio) or reaches (HTTP) the server and completes the MCP handshake. Rejects with
   * `McpConnectionError`; a stdio server that exits first is reported as soon as it exits, with
   * the tail of its stderr.
   */
  static async connect(params: McpServerParams, options: McpClientOptions = {}): Promise<McpClient> {
    let tap: StderrTap | undefined;
    let transport: ChildStdioTransport | StreamableHTTPClientTransport;
    if ('url' in params) {
      transport = new StreamableHTTPClientTransport(new URL(params.url), {
        requestInit: params.headers ? { headers: params.headers } : undefined,
        fetch: params.fetch,
      });
    } else {
      // Always piped, so the tail of stderr can explain a failed start; the tap gives the user
      // what they asked for ('inherit', 'ignore' or a stream).
      transport = new ChildStdioTransport({ command: params.command, args: params.args, env: params.env, cwd: params.cwd, stderr: 'pipe' });
      tap = new StderrTap(transport.stderr as Readable, params.stderr ?? 'inherit');
    }
    const sdk = new Client(options.clientInfo ?? { name: 'smol', version: pkg.version });
    const secrets = new SecretSet();
    if ('url' in params) secrets.addHeaders(params.headers);
    const link = new LinkedController(options.signal);
    let pid: number | undefined;
    if (transport instanceof ChildStdioTransport) {
      const start = transport.start.bind(transport);
      transport.start = async () => {
        await start();
        pid = transport.pid ?? undefined;
      };
    }
    try {
      await sdk.connect(transport, { signal: link.signal, timeout: options.timeoutMs });
    } catch (error) {
      // How the child ended on its own, before closing it below ends it anyway.
      const exit = transport instanceof ChildStdioTransport ? transport.exit : undefined;
      // On a failed handshake the SDK starts closing (EOF, SIGTERM, SIGKILL) without waiting for
      // the child, and hides it; wait for its pid to go, so no process outlives this call.
      await transport.close().catch(() => {});
      if (pid !== undefined) await waitForExit(pid);
      if (options.signal?.aborted) throw options.signal.reason;
      if (tap) {
        const stderr = tap.tail(Object.values((params as StdioServerParams).env ?? {}));
        throw new McpConnectionError(stdioFailureMessage(describeParams(params), error, exit, stderr), { cause: error, exit, stderr });
      }
      const redact = (text: string) => secrets.redact(text);
      throw new McpConnectionError(redact(`Could not connect to the MCP server ${describeParams(params)}: ${error instanceof Error ? error.message : String(error)}`), {
        cause: sanitizeError(error, redact),
      });
    } finally {
      link.release();
    }
    return new McpClient(sdk, transport, options.timeoutMs, secrets, tap?.userStream ?? null);
  }

  /** The stdio server's process id (undefined for HTTP, or once closed). */
  get pid(): number | undefined {
    return this.transport instanceof ChildStdioTransport ? (this.transport.pid ?? undefined) : undefined;
  }

  /** The stdio server's stderr when it was started with `stderr: 'pipe'`. Read it, or the child may block. */
  get stderr(): Stream | null {
    return this.userStderr;
  }

  /** The server's tools as smol tools: JSON input schema as `parameters`, identifier names. */
  async listTools(options: ListToolsOptions = {}): Promise<Tool[]> {
    const listed: McpTool[] = [];
    const link = new LinkedController(options.signal);
    try {
      let cursor: string | undefined;
      do {
        const page = await this.sdk.listTools(cursor ? { cursor } : undefined, { signal: link.signal, timeout: this.timeoutMs });
        listed.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
    } finally {
      link.release();
    }
    const names = sanitiseNames(listed.map((t) => t.name));
    const byMcpName = new Map(listed.map((t) => [t.name, t]));
    const include = options.include;
    const tools: Tool[] = [];
    for (const [name, mcpName] of names) {
      if (include && !(typeof include === 'function' ? include(mcpName) : include.includes(mcpName) || include.includes(name))) continue;
      this.names.set(name, mcpName);
      const mcpTool = byMcpName.get(mcpName)!;
      tools.push(
        tool<Record<string, unknown>, unknown>({
          name,
          description: descriptionOf(mcpTool),
          inputSchema: parametersOf(mcpTool),
          outputType: mcpTool.outputSchema ? 'object' : 'any',
          // Core has validated the arguments against `parameters` before this runs.
          execute: (args, context) => this.callTool(mcpName, args, { signal: context.signal }),
        }),
      );
    }
    return tools;
  }

  /** The MCP name behind a smol tool name returned by listTools. */
  mcpName(name: string): string | undefined {
    return this.names.get(name);
  }

  /**
   * Calls a tool by its MCP name and converts the result (see `resultToOutput`). Aborting
   * `signal` sends the server a cancellation and rejects at once with the signal's reason.
   */
  async callTool(mcpName: string, args: Record<string, unknown>, options: { signal?: AbortSignal } = {}): Promise<unknown> {
    if (this.closing) throw new Error(`The MCP client is closed; cannot call tool "${mcpName}".`);
    options.signal?.throwIfAborted();
    // The SDK adds an abort listener to the signal it gets and never removes it. Give it a
    // per-call signal instead of the run's long-lived one, and unlink that in finally.
    const link = new LinkedController(options.signal);
    try {
      const result = await this.sdk.callTool({ name: mcpName, arguments: args }, undefined, { signal: link.signal, timeout: this.timeoutMs });
      // `toolResult` is the pre-2024-11 result shape, still allowed by the SDK's types.
      if ('toolResult' in result && !('content' in result)) return result.toolResult;
      return resultToOutput(result as CallToolResult);
    } catch (error) {
      // The SDK rejects an aborted request with a generic error; the run wants its own reason.
      if (options.signal?.aborted) throw options.signal.reason;
      throw this.sanitize(error);
    } finally {
      link.release();
    }
  }

  /** An error with the configured header values replaced in its message, stack and cause chain (McpToolError kept as is, minus secrets). */
  private sanitize(error: unknown): unknown {
    const redact = (text: string) => this.#secrets.redact(text);
    if (error instanceof McpToolError) {
      const text = redact(error.message);
      return text === error.message ? error : new McpToolError(text, error.result);
    }
    return sanitizeError(error, redact) ?? error;
  }

  /**
   * Ends the session and the transport: a stdio child gets EOF on stdin, then SIGTERM, then
   * SIGKILL (the SDK's sequence) and has exited when this resolves. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    if (this.transport instanceof StreamableHTTPClientTransport) {
      // Tell the server to drop the session (DELETE), but do not hang on a server that is gone:
      // sdk.close() below aborts the request if it is still running.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.transport.terminateSession().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, TERMINATE_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    await this.sdk.close();
  }
}

/** Polls until the process is gone (reaped), for at most the SDK's 4 s SIGTERM/SIGKILL sequence. */
async function waitForExit(pid: number): Promise<void> {
  for (let waited = 0; waited < 4_500; waited += 10) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Names the server in an error without arguments, env, headers or query strings (they may hold keys). */
function describeParams(params: McpServerParams): string {
  if ('url' in params) {
    const url = new URL(params.url);
    return `at ${url.origin}${url.pathname}`;
  }
  return `"${params.command}"`;
}
