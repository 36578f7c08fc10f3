// The stdio side of a connection: the SDK's transport, plus what it does not give us — the
// child's exit as it happens, and the tail of its stderr for the error when it will not start.
import type { ChildProcess } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { DEFAULT_INHERITED_ENV_VARS, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { AgentError } from '@smol/core';

// After the child exits, how long its pipes may stay open (output still draining) before we
// close our ends. A grandchild that inherited them would otherwise hold them open, and the SDK,
// which waits for the pipes to close, would notice nothing until a request timed out.
const PIPE_GRACE_MS = 200;
// How much of the child's stderr an error quotes.
const STDERR_TAIL_BYTES = 4_096;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The SDK's stdio transport, noticing when the child exits even if a grandchild holds its pipes. */
export class ChildStdioTransport extends StdioClientTransport {
  exit: ChildExit | undefined;

  override async start(): Promise<void> {
    await super.start();
    // The SDK keeps the ChildProcess private; read it defensively, and without it fall back to
    // the SDK's own behaviour (it sees the exit once the pipes close).
    const child = (this as unknown as { _process?: ChildProcess })._process;
    if (typeof child?.once !== 'function') return;
    child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      const timer = setTimeout(() => {
        for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
      }, PIPE_GRACE_MS);
      child.once('close', () => clearTimeout(timer));
    });
  }
}

/**
 * The child's stderr as the user asked for it ('inherit': into ours, 'ignore', 'pipe': a
 * stream for them), always read through the SDK's pipe so that its tail can go into errors.
 */
export class StderrTap {
  /** The stream handed to the user for `stderr: 'pipe'`. */
  readonly userStream: PassThrough | null;
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(source: Readable, mode: 'inherit' | 'ignore' | 'pipe') {
    this.userStream = mode === 'pipe' ? new PassThrough() : null;
    // pipe() keeps the backpressure the user had before: an unread stream pauses the child.
    if (this.userStream) source.pipe(this.userStream);
    source.on('data', (chunk: Buffer) => {
      this.keep(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      if (mode === 'inherit') process.stderr.write(chunk);
    });
  }

  /** The last few KB of stderr, with the values of `secrets` (the `env` given) masked. */
  tail(secrets: readonly string[] = []): string {
    let text = Buffer.concat(this.chunks).toString('utf8');
    if (this.size > STDERR_TAIL_BYTES) text = `…${text.slice(text.length - STDERR_TAIL_BYTES)}`;
    for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join('[redacted]');
    return text.trim();
  }

  private keep(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Keep a little more than the tail, dropping whole chunks from the front.
    while (this.chunks.length > 1 && this.size - this.chunks[0].length >= STDERR_TAIL_BYTES) this.size -= this.chunks.shift()!.length;
  }
}

/**
 * `McpClient.connect` (or `ToolCollection.fromMcp`) could not reach the server or complete the
 * MCP handshake. For a stdio server, `exit` and `stderr` say what the child did.
 */
export class McpConnectionError extends AgentError {
  static override readonly kind: string = 'McpConnectionError';
  override name = 'McpConnectionError';
  /** How the stdio child ended, when it exited before the handshake completed. */
  readonly exit: ChildExit | undefined;
  /** The tail of the stdio child's stderr ('' when it printed nothing or for HTTP). */
  readonly stderr: string;

  constructor(message: string, options: { cause?: unknown; exit?: ChildExit; stderr?: string } = {}) {
    super(message, { cause: options.cause });
    this.exit = options.exit;
    this.stderr = options.stderr ?? '';
  }
}

/** The message for a stdio server that did not complete the handshake: what happened, its stderr, how to pass env. */
export function stdioFailureMessage(server: string, error: unknown, exit: ChildExit | undefined, stderr: string): string {
  const reason = error instanceof Error ? error.message : String(error);
  const what = exit
    ? `it exited ${exit.code !== null ? `with code ${exit.code}` : `on ${exit.signal}`} before completing the MCP handshake`
    : /ENOENT/.test(reason)
      ? `the command was not found (${reason})`
      : reason;
  return [
    `Could not connect to the MCP server ${server}: ${what}.`,
    stderr ? `Its stderr ended with:\n${stderr.replace(/^/gm, '  ')}` : 'It printed nothing on stderr.',
    `A stdio server starts with a minimal environment (${DEFAULT_INHERITED_ENV_VARS.join(', ')}), not all of process.env: ` +
      'pass the variables it needs in the `env` option, e.g. `{ command, args, env: { API_KEY: process.env.API_KEY! } }`.',
  ].join('\n');
}
