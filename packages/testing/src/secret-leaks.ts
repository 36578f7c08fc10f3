// For provider tests of issue 13: a server that echoes every request header back (in the error
// body, in response headers, in a streamed error event), and one function that gathers every
// place a user or a log can see after a failed run, so a test can assert no secret is there.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { AgentLogger, ToolCallingAgent, memoryToJSON, type AgentEvent, type Model } from '@smol/core';

/** An HTTP status to answer with, or 'stream': a 200 event stream whose only event is an error. */
export type EchoReply = number | 'stream';

export interface HeaderEchoServer {
  /** http://127.0.0.1:port (any path is answered). */
  readonly url: string;
  /** Queues the next answers; when the queue is empty the server answers 500. */
  reply(...replies: EchoReply[]): void;
  /** Request headers, in order. */
  readonly requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** The marker every echoed message starts with, so a test can check the echo reached the error at all. */
export const ECHO_MARKER = 'ECHOED-REQUEST-HEADERS';

/**
 * Answers every request with what a careless gateway would: all request headers (Authorization,
 * api-key, x-api-key, custom ones) quoted in the error message (in the OpenAI, Anthropic and TGI
 * body shapes at once) and copied into the response headers.
 */
export async function startHeaderEchoServer(): Promise<HeaderEchoServer> {
  const queue: EchoReply[] = [];
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(req.headers);
      const reply = queue.shift() ?? 500;
      const echoed = `${ECHO_MARKER} ${JSON.stringify(req.headers)}`;
      const type = reply === 429 ? 'rate_limit_error' : reply === 'stream' || (typeof reply === 'number' && reply >= 500) ? 'server_error' : 'invalid_request_error';
      const error = { type, message: echoed, code: type };
      const body = JSON.stringify({ type: 'error', error, error_type: type });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[`x-echo-${name}`] = value;
      if (reply === 'stream') {
        res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
        res.end(`event: error\ndata: ${body}\n\n`);
        return;
      }
      res.writeHead(reply, { ...headers, 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reply: (...replies) => void queue.push(...replies),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Everything printable about an error: util.inspect at depth 10, the stack of each error in the chain, and its JSON. */
export function errorSurfaces(error: unknown): string {
  const parts = [inspect(error, { depth: 10, showHidden: true })];
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) parts.push(String(e.stack));
  parts.push(JSON.stringify(error));
  return parts.join('\n');
}

/** A tracer that records every span name, attribute, event, exception and status as text. */
function recordingTracer(out: string[]): unknown {
  const span = {
    setAttribute: (k: string, v: unknown) => (out.push(`attr ${k}=${String(v)}`), span),
    setAttributes: (a: Record<string, unknown>) => (out.push(`attrs ${inspect(a)}`), span),
    addEvent: (n: string, a?: unknown) => (out.push(`event ${n} ${inspect(a, { depth: 10 })}`), span),
    addLink: () => span,
    addLinks: () => span,
    recordException: (e: unknown) => (out.push(`exception ${errorSurfaces(e)}`), undefined),
    setStatus: (s: unknown) => (out.push(`status ${inspect(s)}`), span),
    updateName: (n: string) => (out.push(`name ${n}`), span),
    end: () => undefined,
    isRecording: () => true,
    spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 }),
  };
  return {
    startSpan: (name: string, options?: { attributes?: unknown }) => {
      out.push(`span ${name} ${inspect(options?.attributes, { depth: 10 })}`);
      return span;
    },
    startActiveSpan: () => {
      throw new Error('not used');
    },
  };
}

/**
 * Runs one streamed task on `model` with a debug logger and a recording tracer (content captured),
 * and returns, as one text, every surface a secret could reach: the thrown error, the stream's
 * events, the memory steps (inspected and as JSON), the logger's output and the spans.
 */
export async function runSurfaces(model: Model): Promise<{ error: unknown; text: string }> {
  const logged: string[] = [];
  const spans: string[] = [];
  const agent = new ToolCallingAgent({
    model,
    tools: [],
    maxSteps: 1,
    observers: [new AgentLogger({ level: 'debug', stream: { write: (s: string) => void logged.push(s) }, colors: false })],
    telemetry: { tracer: recordingTracer(spans) as never, captureContent: true },
  });
  const events: AgentEvent[] = [];
  let error: unknown;
  try {
    for await (const event of agent.arun('Say hi.', { stream: true }) as AsyncIterable<AgentEvent>) events.push(event);
  } catch (e) {
    error = e;
  }
  const text = [
    errorSurfaces(error),
    inspect(events, { depth: 10 }),
    JSON.stringify(events),
    inspect(agent.memory.steps, { depth: 10 }),
    JSON.stringify(memoryToJSON(agent.memory)),
    logged.join(''),
    spans.join('\n'),
  ].join('\n');
  return { error, text };
}

export interface LeakReport {
  /** The run's surfaces contain ECHO_MARKER: the server's echo of the headers reached the error at all. */
  readonly echoed: boolean;
  /** The given secrets found in the run's surfaces or in the direct call's error surfaces (none when clean). */
  readonly leaked: string[];
  /** What the agent run threw (undefined if it did not fail). */
  readonly runError: unknown;
  /** What a direct `agenerate` threw (undefined if it did not fail). */
  readonly directError: unknown;
}

/** Runs runSurfaces on one fresh model and a direct agenerate on another, and reports echo, leaked secrets and both errors (test-framework free). */
export async function leakReport(makeModel: () => Model, secrets: readonly string[]): Promise<LeakReport> {
  const { error: runError, text } = await runSurfaces(makeModel());
  const directError = await makeModel()
    .agenerate([{ role: 'user', content: 'hi' }])
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  const directText = errorSurfaces(directError);
  const leaked = secrets.filter((secret) => text.includes(secret) || directText.includes(secret));
  return { echoed: text.includes(ECHO_MARKER), leaked, runError, directError };
}
