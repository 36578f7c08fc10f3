// The HTTP API and web page of `pnpm demo serve`, on Hono. Every request is a new run of ONE
// shared agent; a client that goes away aborts its run.
import { readFile } from 'node:fs/promises';
import { AgentAbortError, AgentError, AgentGenerationError, type AgentRun, type MultiStepAgent } from '@smol/core';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { eventSSE, resultJSON } from './wire.js';

export interface AppOptions {
  /** The one agent every request runs on. */
  agent: MultiStepAgent;
  /** Shown by the page, e.g. "CodeAgent". */
  agentKind?: string;
  /** Runs at once; one more gets a 429. */
  maxConcurrent: number;
  /** Shown by the page: what model answers. */
  modelLabel?: string;
  /** Called with each run as it starts (tests watch its signal). */
  onRun?: (run: AgentRun) => void;
}

const TaskSchema = z.object({
  task: z.string({ error: '"task" must be a string' }).trim().min(1, '"task" must not be empty').max(4000, '"task" must be at most 4000 characters'),
  maxSteps: z.number().int().min(1).max(30).optional(),
});
const StreamQuery = z.object({
  task: TaskSchema.shape.task,
  maxSteps: z.coerce.number().int().min(1).max(30).optional(),
});

type Issue = { path: PropertyKey[]; message: string };
const badRequest = (c: Context, error: string, issues?: readonly Issue[]) =>
  c.json({ error, ...(issues ? { issues: issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } : {}) }, 400);

const PUBLIC = new URL('../public/', import.meta.url);
const ASSETS: Record<string, string> = { '/': 'index.html', '/app.js': 'app.js', '/style.css': 'style.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export function createApp(options: AppOptions): { app: Hono; active: () => number } {
  const { agent, maxConcurrent } = options;
  let active = 0;
  const app = new Hono();

  /** Takes a slot, or answers 429. */
  const acquire = (c: Context): Response | undefined => {
    if (active >= maxConcurrent) {
      c.header('Retry-After', '1');
      return c.json({ error: `Too many runs at once (limit ${maxConcurrent}); try again shortly.` }, 429);
    }
    active++;
    return undefined;
  };
  const release = () => {
    active--;
  };

  const startRun = (task: string, signal: AbortSignal, maxSteps?: number): AgentRun => {
    const run = agent.arun(task, { stream: true, signal, maxSteps });
    options.onRun?.(run);
    return run;
  };

  for (const [path, file] of Object.entries(ASSETS)) {
    app.get(path, async (c) => {
      const body = await readFile(new URL(file, PUBLIC), 'utf8');
      return c.body(body, 200, { 'content-type': TYPES[file.split('.').pop() ?? 'html'], 'cache-control': 'no-cache' });
    });
  }

  app.get('/info', (c) =>
    c.json({ model: options.modelLabel ?? 'unknown', agent: options.agentKind ?? 'agent', tools: [...agent.tools.keys()], maxConcurrent, active }),
  );

  app.post('/run-agent', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return badRequest(c, 'The body must be JSON like {"task": "What is the weather in Paris?"}.');
    }
    const parsed = TaskSchema.safeParse(body);
    if (!parsed.success) return badRequest(c, 'Invalid request body.', parsed.error.issues);
    const busy = acquire(c);
    if (busy) return busy;
    try {
      const run = startRun(parsed.data.task, c.req.raw.signal, parsed.data.maxSteps);
      const result = await run.drain();
      return c.json(resultJSON(result));
    } catch (error) {
      return errorResponse(error);
    } finally {
      release();
    }
  });

  app.get('/run-agent/stream', async (c) => {
    const parsed = StreamQuery.safeParse({ task: c.req.query('task'), maxSteps: c.req.query('maxSteps') });
    if (!parsed.success) return badRequest(c, 'Invalid query: use /run-agent/stream?task=…', parsed.error.issues);
    const busy = acquire(c);
    if (busy) return busy;
    const run = startRun(parsed.data.task, c.req.raw.signal, parsed.data.maxSteps);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => run.interrupt('the client disconnected'));
      try {
        await stream.writeSSE({ event: 'run', data: JSON.stringify({ runId: run.id, task: parsed.data.task }) });
        for await (const event of run) {
          const sse = eventSSE(event);
          if (sse) await stream.writeSSE({ event: sse.event, data: JSON.stringify(sse.data) });
        }
        const result = await run.result;
        await stream.writeSSE({ event: 'done', data: JSON.stringify(resultJSON(result)) });
      } catch (error) {
        if (!stream.aborted && !stream.closed) {
          await stream.writeSSE({ event: 'run_error', data: JSON.stringify(errorJSON(error)) }).catch(() => {});
        }
      } finally {
        release();
      }
    });
  });

  app.notFound((c) => c.json({ error: `Not found: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error) => errorResponse(error));
  return { app, active: () => active };
}

function errorJSON(error: unknown): { error: string; kind: string; aborted?: true } {
  const kind = AgentError.isInstance(error) ? (error as Error).name : 'Error';
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return AgentAbortError.isInstance(error) ? { error: text, kind, aborted: true } : { error: text, kind };
}

/** 499 (nginx's "client closed request") for an aborted run, 502 when the model failed, else 500. */
function errorResponse(error: unknown): Response {
  const status = AgentAbortError.isInstance(error) ? 499 : AgentGenerationError.isInstance(error) ? 502 : 500;
  return new Response(JSON.stringify(errorJSON(error)), { status, headers: { 'content-type': 'application/json' } });
}
