// `pnpm demo serve --redis URL`: the demo's HTTP API on the run queue (@smol/bullmq). Runs are
// submitted to Redis and run by `pnpm demo worker --redis URL` processes, anywhere.
//
// Why not @smol/server: its handler drives an AgentRun in its own process (its run registry
// buffers the events and owns the result). A queued run lives in Redis instead, so this is a
// small separate endpoint set with the same routes, events from the run's Redis Stream.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentAbortError } from '@smol/core';
import { AgentQueue, QueueConnectionError, RunFailedError, RunNotFoundError, describeConnection, type QueuedRunOutcome, type RunHandle } from '@smol/bullmq';
import { z } from 'zod';
import type { DemoArgs } from './args.js';
import type { Io } from './demo.js';
import { closeOnSignals } from './signals.js';

export interface RunningQueueServer {
  url: string;
  queue: AgentQueue;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const STREAM_ID = /^(0|\d{1,20}-\d{1,20})$/;

const StartSchema = z.strictObject({
  task: z.string().min(1).max(20_000),
  agent: z.enum(['code', 'tool']).optional(),
  maxSteps: z.number().int().min(1).max(50).optional(),
  /** Answer with the event stream (SSE) instead of the awaited result. */
  stream: z.boolean().optional(),
  /** Answer 202 with the run id at once; follow with GET /api/runs/:id(/events). */
  wait: z.boolean().optional(),
});
const DecisionsSchema = z.strictObject({ decisions: z.record(z.string(), z.boolean()) });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `The request body is larger than ${MAX_BODY} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const checked = schema.safeParse(value);
  if (!checked.success) throw new HttpError(400, `Invalid request: ${checked.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ')}`);
  return checked.data;
}

/** A stored outcome as the HTTP answer: 200 with the result, or the error's status. */
async function sendResult(res: ServerResponse, handle: RunHandle): Promise<void> {
  let outcome: QueuedRunOutcome;
  try {
    outcome = await handle.result();
  } catch (error) {
    if (AgentAbortError.isInstance(error)) return sendJson(res, 499, { runId: handle.runId, state: 'cancelled', error: (error as Error).message });
    if (RunFailedError.isInstance(error)) return sendJson(res, 502, { runId: handle.runId, state: 'failed', kind: (error as RunFailedError).errorName, error: (error as Error).message });
    throw error;
  }
  if (outcome.state === 'awaiting_approval') return sendJson(res, 200, outcome);
  if (outcome.state === 'success' || outcome.state === 'max_steps_error') {
    const { runId, state, output, actionSteps, tokenUsage, attempt } = outcome;
    return sendJson(res, 200, { runId, state, output, stepCount: actionSteps, tokenUsage, attempt });
  }
  sendJson(res, 200, outcome);
}

/** The run's Redis Stream as Server-Sent Events, after `from`; the stream id is each event's `id:`. */
async function sendEvents(res: ServerResponse, handle: RunHandle, from: string): Promise<void> {
  // A client that leaves stops its reader, not the run (cancel is POST /api/runs/:id/cancel).
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', 'x-run-id': handle.runId });
  res.write('retry: 1000\n\n');
  try {
    for await (const { id, event } of handle.events(from, { signal: controller.signal })) {
      res.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
  } catch (error) {
    if (!controller.signal.aborted) res.write(`event: error\ndata: ${JSON.stringify({ error: (error as Error).name })}\n\n`);
  }
  res.end();
}

export async function startQueueServer(args: DemoArgs, io: Io): Promise<RunningQueueServer> {
  if (!args.redis) throw new Error('startQueueServer needs --redis URL');
  const queue = new AgentQueue({ connection: args.redis });
  const defaultAgent = args.agentType;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/api/health') return sendJson(res, 200, { ok: true, queue: queue.name });
    if (method === 'POST' && path === '/api/runs') {
      const body = parse(StartSchema, await readJson(req));
      const handle = await queue.submit(body.agent ?? defaultAgent, body.task, { maxSteps: body.maxSteps });
      if (body.wait === false) return sendJson(res, 202, { runId: handle.runId }, { 'x-run-id': handle.runId });
      const stream = body.stream ?? (req.headers.accept ?? '').includes('text/event-stream');
      return stream ? sendEvents(res, handle, '0') : sendResult(res, handle);
    }
    const match = /^\/api\/runs\/([\w-]{1,100})(\/events|\/cancel|\/approvals)?$/.exec(path);
    if (!match) throw new HttpError(404, `Not found: ${method} ${path}.`);
    const handle = queue.handle(match[1]);
    const action = match[2] ?? '';
    if (method === 'GET' && action === '') return sendResult(res, handle);
    if (method === 'GET' && action === '/events') {
      const from = String(req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? '0').trim();
      if (!STREAM_ID.test(from)) throw new HttpError(400, 'Invalid request: "Last-Event-ID" must be an event id of this run (like 1733232000000-0).');
      return sendEvents(res, handle, from);
    }
    if (method === 'POST' && action === '/cancel') {
      await handle.cancel('cancelled by a client');
      return sendJson(res, 202, { runId: handle.runId, cancelled: true });
    }
    if (method === 'POST' && action === '/approvals') {
      const { decisions } = parse(DecisionsSchema, await readJson(req));
      await handle.approve(decisions);
      return sendJson(res, 202, { runId: handle.runId, resumed: true });
    }
    throw new HttpError(405, `Method ${method} is not allowed on ${path}.`);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      if (RunNotFoundError.isInstance(error)) return sendJson(res, 404, { error: (error as Error).message });
      // Its message names the connection, never the password.
      if (QueueConnectionError.isInstance(error)) return sendJson(res, 503, { error: (error as Error).message }, { 'retry-after': '5' });
      sendJson(res, 500, { error: 'Internal server error.', kind: error instanceof Error ? error.name : 'Error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      void queue.close();
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${args.port} on ${args.host} is already in use.`) : error);
    });
    server.listen(args.port, args.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${args.host.includes(':') ? `[${args.host}]` : args.host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await queue.close();
    })());
  io.stdout.write(`smol demo server on ${url} — runs go to the queue "${queue.name}" on ${describeConnection(args.redis)}; start workers with: pnpm demo worker --redis ${describeConnection(args.redis)}\n`);
  io.stdout.write(`  curl -s ${url}/api/runs -H 'content-type: application/json' -d '{"task":"What is the weather in Paris?","agent":"tool"}'\n`);
  return { url, queue, close };
}

/** For the CLI: start, and stop on Ctrl-C / SIGTERM (queued and running runs go on in the workers). */
export async function serveQueue(args: DemoArgs, io: Io): Promise<void> {
  const server = await startQueueServer(args, io);
  closeOnSignals(() => server.close(), io);
}
