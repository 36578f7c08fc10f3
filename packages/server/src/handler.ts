// The whole server as one web-standard handler: Request in, Response out. Mounts in Node (see
// node.ts), Hono, Next.js route handlers, Bun and Deno alike.
import { CodeAgent, ToolCallingAgent, toolParametersSchema, type AgentRun, type MultiStepAgent } from '@smol/core';
import { bearerCheck } from './auth.js';
import { AI_SDK_MISSING, chatSchema, chatTask, EventTap, loadAiSdk } from './chat.js';
import { parseBody, readBody } from './body.js';
import { decisionsSchema, imageParts, issueSentence, issuesOf, startSchema, withFiles, type InputLimits } from './input.js';
import { openApiDocument } from './openapi.js';
import { chatPage } from './page.js';
import { RunRegistry, type RunRecord } from './runs.js';
import { lastEventId, runEventStream } from './sse.js';

/** An agent, or a factory that makes a new agent for each run. */
export type AgentSource = MultiStepAgent | (() => MultiStepAgent | Promise<MultiStepAgent>);

export interface HandlerOptions {
  /** One agent, or several by name (names appear in URLs and in the page's picker). */
  agents: AgentSource | Record<string, AgentSource>;
  /** Bearer tokens; with any set, every /api request needs `Authorization: Bearer <one of them>`. */
  tokens?: string | readonly string[];
  /** Largest request body, checked before parsing (Content-Length and chunked). Default 4 MiB. */
  maxBodyBytes?: number;
  /** Longest task, in characters. Default 20,000. */
  maxTaskChars?: number;
  /** Most images on one task. Default 4. */
  maxImages?: number;
  /** Most text files on one task (they join `additionalArgs.files`). Default 4. */
  maxFiles?: number;
  /** Highest `maxSteps` a request may ask for. Default 50. */
  maxSteps?: number;
  /** Runs at once; one more gets 429 with Retry-After. Default 16. */
  maxConcurrentRuns?: number;
  /** A run that takes longer is aborted. Default 5 minutes. */
  runTimeoutMs?: number;
  /** Events kept per run for clients that reconnect. Default 10,000. */
  maxEventsPerRun?: number;
  /** How long a finished run stays (result, late followers). Default 10 minutes; a run paused on approvals stays at least an hour. */
  keepFinishedRunsMs?: number;
  /** Most finished runs kept. Default 200. Memory is bounded by (running + kept runs) × maxEventsPerRun events. */
  maxFinishedRuns?: number;
  /** A comment on an idle event stream this often. Default 15 s. */
  heartbeatMs?: number;
  /** Serve the chat page at `/`. Default true. */
  page?: boolean;
  /** Called with each run as it starts (metrics, tests). */
  onRun?: (run: AgentRun, info: { runId: string; agent: string }) => void;
}

export interface SmolHandler {
  /** The handler: a web-standard Request to a Response. */
  fetch(request: Request): Promise<Response>;
  /** Runs in progress now. */
  readonly activeRuns: number;
  /** Stops taking runs (503), waits up to `deadlineMs` for the active ones, then aborts the rest. */
  shutdown(deadlineMs?: number): Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

const problem = (status: number, error: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => json(status, { error, ...extra }, headers);

interface Entry {
  name: string;
  source: AgentSource;
  /** An instance for listing tools (the agent itself, or the factory's first product). */
  sample?: Promise<MultiStepAgent>;
}

function isAgent(value: unknown): value is MultiStepAgent {
  return typeof value === 'object' && value !== null && typeof (value as MultiStepAgent).start === 'function';
}

function kindOf(agent: MultiStepAgent): string {
  // Class names do not survive every bundler, so the two built-in kinds are named here.
  if (agent instanceof CodeAgent) return 'CodeAgent';
  if (agent instanceof ToolCallingAgent) return 'ToolCallingAgent';
  return agent.constructor.name;
}

type Route = { method: string; pattern: RegExp; handle: (request: Request, url: URL, params: string[]) => Promise<Response> | Response; open?: boolean };

export function createHandler(options: HandlerOptions): SmolHandler {
  const entries = new Map<string, Entry>();
  if (isAgent(options.agents) || typeof options.agents === 'function') {
    const source = options.agents;
    entries.set(isAgent(source) && source.name ? source.name : 'default', { name: isAgent(source) && source.name ? source.name : 'default', source });
  } else {
    for (const [name, source] of Object.entries(options.agents)) entries.set(name, { name, source });
  }
  if (entries.size === 0) throw new TypeError('createHandler needs at least one agent.');
  const defaultAgent = entries.keys().next().value as string;
  const limits: InputLimits = { maxTaskChars: options.maxTaskChars ?? 20_000, maxImages: options.maxImages ?? 4, maxFiles: options.maxFiles ?? 4, maxSteps: options.maxSteps ?? 50 };
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxConcurrent = options.maxConcurrentRuns ?? 16;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const StartSchema = startSchema(limits);
  const ChatSchema = chatSchema(limits);
  const authorized = bearerCheck(options.tokens);
  const registry = new RunRegistry({
    maxEventsPerRun: options.maxEventsPerRun ?? 10_000,
    runTimeoutMs: options.runTimeoutMs ?? 300_000,
    keepFinishedRunsMs: options.keepFinishedRunsMs ?? 600_000,
    maxFinishedRuns: options.maxFinishedRuns ?? 200,
  });
  let closing = false;

  const instance = async (entry: Entry): Promise<MultiStepAgent> => (isAgent(entry.source) ? entry.source : await entry.source());
  const sample = (entry: Entry) => (entry.sample ??= instance(entry));

  const listAgents = async () => {
    const agents = [];
    for (const entry of entries.values()) {
      const agent = await sample(entry);
      agents.push({
        name: entry.name,
        kind: kindOf(agent),
        description: agent.description ?? null,
        modelId: agent.model.modelId,
        maxSteps: agent.maxSteps,
        tools: [...agent.tools.values()].map((t) => ({ name: t.name, description: t.description, parameters: toolParametersSchema(t), needsApproval: t.needsApproval !== undefined && t.needsApproval !== false })),
      });
    }
    return { agents, defaultAgent, limits: { ...limits, maxBodyBytes, maxConcurrentRuns: maxConcurrent } };
  };

  /** 429 when full, 503 when shutting down; undefined when a run may start. */
  const refuse = (): Response | undefined => {
    if (closing) return problem(503, 'The server is shutting down; it takes no new runs.', {}, { 'retry-after': '5', connection: 'close' });
    if (registry.active >= maxConcurrent) {
      return problem(429, `Too many runs at once (limit ${maxConcurrent}); try again shortly.`, {}, { 'retry-after': '1' });
    }
    return undefined;
  };

  /** Reads, parses and validates a body; a Response when that fails. */
  const input = async <T>(request: Request, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }): Promise<T | Response> => {
    const body = await readBody(request, maxBodyBytes);
    if (!body.ok) {
      return body.reason === 'too_large'
        ? problem(413, `The request body is larger than the limit of ${maxBodyBytes} bytes.`, { limit: maxBodyBytes }, { connection: 'close' })
        : problem(400, 'The request body was cut off before its end.');
    }
    const parsed = await parseBody(request, body.bytes);
    if (!parsed.ok) return problem(parsed.status, parsed.error);
    const checked = schema.safeParse(parsed.value);
    if (!checked.success) {
      const issues = issuesOf(checked.error);
      return problem(400, issueSentence(issues), { issues });
    }
    return checked.data;
  };

  /**
   * Answers for a run segment: the SSE stream (the client's disconnect aborts the run unless
   * `keep`), or the awaited result as JSON.
   */
  const respond = async (request: Request, record: RunRecord, stream: boolean, keep: boolean, after: number): Promise<Response> => {
    const disconnect = () => {
      if (!keep && record.running) registry.abort(record, 'disconnected', 'the client disconnected');
    };
    if (stream) {
      const body = runEventStream(record, { after, heartbeatMs, onCancel: disconnect });
      return new Response(body, {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', 'x-run-id': record.id },
      });
    }
    const gone = () => disconnect();
    request.signal.addEventListener('abort', gone, { once: true });
    try {
      await record.settled;
    } finally {
      request.signal.removeEventListener('abort', gone);
    }
    const outcome = record.outcome!;
    return json(outcome.status, outcome.body, { 'x-run-id': record.id });
  };

  const wantsStream = (request: Request, flag: boolean | undefined) => flag ?? (request.headers.get('accept') ?? '').includes('text/event-stream');

  const entryFor = (name: string): Entry | Response =>
    entries.get(name) ??
    problem(400, `Invalid request: "agent" must be one of ${[...entries.keys()].map((n) => `"${n}"`).join(', ')}; got "${name}".`, { issues: [{ field: 'agent', message: 'is not an agent of this server' }] });

  /** 429/503 before the body is read: nothing of it is, so the client is told not to keep sending it on this connection. */
  const refuseUnread = (): Response | undefined => {
    const busy = refuse();
    return busy && new Response(busy.body, { status: busy.status, headers: { ...Object.fromEntries(busy.headers), connection: 'close' } });
  };

  const startRun = async (request: Request): Promise<Response> => {
    const busy = refuseUnread();
    if (busy) return busy;
    const data = await input(request, StartSchema);
    if (data instanceof Response) return data;
    const name = data.agent ?? defaultAgent;
    const entry = entryFor(name);
    if (entry instanceof Response) return entry;
    const agent = await instance(entry);
    const again = refuse(); // the body took time to arrive: check the limit again, right before starting
    if (again) return again;
    const run = agent.start(data.task, {
      stream: true,
      maxSteps: data.maxSteps,
      additionalArgs: withFiles(data.additionalArgs, data.files),
      images: imageParts(data.images),
    });
    const record = registry.create(run.id, name, data.task);
    record.push('run', { runId: run.id, agent: name, task: data.task });
    registry.drive(record, run);
    options.onRun?.(run, { runId: run.id, agent: name });
    return respond(request, record, wantsStream(request, data.stream), data.keep ?? false, 0);
  };

  /** POST /api/chat: useChat's request in, the run as an AI SDK UI message stream out. */
  const startChat = async (request: Request): Promise<Response> => {
    const sdk = await loadAiSdk();
    if ('missing' in sdk) return problem(501, AI_SDK_MISSING, { install: ['@smol/ai-sdk', 'ai'], missing: sdk.missing });
    const busy = refuseUnread();
    if (busy) return busy;
    const data = await input(request, ChatSchema);
    if (data instanceof Response) return data;
    const chat = chatTask(data, limits);
    if (Array.isArray(chat)) return problem(400, issueSentence(chat), { issues: chat });
    const name = data.agent ?? defaultAgent;
    const entry = entryFor(name);
    if (entry instanceof Response) return entry;
    const agent = await instance(entry);
    const again = refuse();
    if (again) return again;
    const run = agent.start(chat.task, { stream: true, maxSteps: data.maxSteps, additionalArgs: withFiles(undefined, chat.files), images: chat.images });
    const record = registry.create(run.id, name, chat.task);
    record.push('run', { runId: run.id, agent: name, task: chat.task });
    // The stream's cancel (the client went away) and a client too far behind abort the run.
    const tap = new EventTap(run, options.maxEventsPerRun ?? 10_000, (reason) => {
      if (record.running) registry.abort(record, 'disconnected', reason);
    });
    registry.drive(record, run, tap);
    options.onRun?.(run, { runId: run.id, agent: name });
    // keepAliveMs goes through to the AI SDK's createUIMessageStreamResponse: comments while a step is quiet.
    const init: ResponseInit & { keepAliveMs?: number } = { headers: { 'x-run-id': run.id }, keepAliveMs: heartbeatMs > 0 ? heartbeatMs : undefined };
    return sdk.runToUIMessageStreamResponse(tap, { messageId: run.id, ...init });
  };

  const decide = async (request: Request, _url: URL, [id]: string[]): Promise<Response> => {
    const record = registry.get(id);
    if (!record) return problem(404, `No run with id "${id}" (finished runs are kept for a while, then forgotten).`);
    if (record.status !== 'awaiting_approval' || !record.snapshot) return problem(409, `The run "${id}" is not waiting for approvals (its status is "${record.status}").`);
    const busy = refuse();
    if (busy) return busy;
    const data = await input(request, decisionsSchema);
    if (data instanceof Response) return data;
    const pending = new Set(((record.outcome?.body.pendingApprovals as { callId: string }[] | undefined) ?? []).map((p) => p.callId));
    const unknown = Object.keys(data.decisions).filter((callId) => !pending.has(callId));
    if (unknown.length > 0) return problem(400, `Invalid request: "decisions.${unknown[0]}" is not a pending call of this run.`, { issues: unknown.map((k) => ({ field: `decisions.${k}`, message: 'is not a pending call' })), pending: [...pending] });
    const agent = await instance(entries.get(record.agent)!);
    const again = refuse();
    if (again) return again;
    if (record.status !== 'awaiting_approval' || !record.snapshot) return problem(409, `The run "${id}" is not waiting for approvals any more.`);
    const snapshot = record.snapshot;
    record.reopen();
    const run = agent.resume(snapshot, { decisions: data.decisions, stream: true });
    record.push('resumed', { runId: record.id, decisions: data.decisions });
    registry.drive(record, run);
    options.onRun?.(run, { runId: record.id, agent: record.agent });
    return respond(request, record, wantsStream(request, data.stream), data.keep ?? false, record.lastEventId - 1);
  };

  const follow = (request: Request, url: URL, [id]: string[]): Response => {
    const record = registry.get(id);
    if (!record) return problem(404, `No run with id "${id}" (finished runs are kept for a while, then forgotten).`);
    const after = lastEventId(request, url);
    if (after === undefined) return problem(400, 'Invalid request: "Last-Event-ID" must be an event id (a non-negative integer).', { issues: [{ field: 'Last-Event-ID', message: 'must be a non-negative integer' }] });
    // Following never owns the run: a follower that leaves aborts nothing.
    return new Response(runEventStream(record, { after, heartbeatMs }), {
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
    });
  };

  const cancel = (_request: Request, _url: URL, [id]: string[]): Response => {
    const record = registry.get(id);
    if (!record) return problem(404, `No run with id "${id}".`);
    if (!record.running) return json(200, { runId: id, status: record.status, cancelled: false });
    registry.abort(record, 'cancelled', 'cancelled by a client');
    return json(202, { runId: id, status: 'cancelling', cancelled: true });
  };

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/(?:chat\.js|chat\.css)?$/, open: true, handle: (_r, url) => (options.page === false ? problem(404, `Not found: GET ${url.pathname}`) : chatPage(url.pathname)) },
    { method: 'GET', pattern: /^\/openapi\.json$/, open: true, handle: () => json(200, openApiDocument(limits, maxBodyBytes)) },
    { method: 'GET', pattern: /^\/api\/health$/, open: true, handle: () => json(200, { ok: !closing, activeRuns: registry.active }) },
    { method: 'GET', pattern: /^\/api\/agents$/, handle: async () => json(200, await listAgents()) },
    { method: 'POST', pattern: /^\/api\/runs$/, handle: (r) => startRun(r) },
    { method: 'POST', pattern: /^\/api\/chat$/, handle: (r) => startChat(r) },
    // useChat({ resume: true }) asks here after a reload. A chat run ends with its request (the client going
    // away aborts it), so there is never a stream to resume: 204 is the transport's "nothing to resume".
    { method: 'GET', pattern: /^\/api\/chat\/([^/]+)\/stream$/, handle: () => new Response(null, { status: 204, headers: { 'cache-control': 'no-store' } }) },
    {
      method: 'GET',
      pattern: /^\/api\/runs\/([^/]+)$/,
      handle: (_r, _u, [id]) => {
        const record = registry.get(id);
        return record ? json(200, record.toJSON()) : problem(404, `No run with id "${id}".`);
      },
    },
    { method: 'GET', pattern: /^\/api\/runs\/([^/]+)\/events$/, handle: follow },
    { method: 'POST', pattern: /^\/api\/runs\/([^/]+)\/cancel$/, handle: cancel },
    { method: 'POST', pattern: /^\/api\/runs\/([^/]+)\/approvals$/, handle: decide },
  ];

  const fetch = async (request: Request): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return problem(400, 'The request URL is not valid.');
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const matching = routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return problem(404, `Not found: ${request.method} ${path}. See GET /openapi.json for the routes.`);
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = matching.find((r) => r.method === method);
    const allow = [...new Set(matching.map((r) => r.method))].join(', ');
    if (!route) return problem(405, `Method ${request.method} is not allowed on ${path}; use ${allow}.`, {}, { allow });
    if (authorized && !route.open && !authorized(request)) {
      return problem(401, 'Missing or wrong bearer token: send "Authorization: Bearer <token>".', {}, { 'www-authenticate': 'Bearer' });
    }
    let params: string[];
    try {
      params = route.pattern.exec(path)!.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      return problem(400, `The path ${path} is not valid percent-encoding.`);
    }
    try {
      return await route.handle(request, url, params);
    } catch (error) {
      // A bug or a failing agent factory: never the error's details (they may hold secrets).
      const kind = error instanceof Error ? error.name : 'Error';
      return problem(500, 'Internal server error.', { kind });
    }
  };

  const shutdown = async (deadlineMs = 10_000): Promise<void> => {
    closing = true;
    if (await registry.idle(deadlineMs)) return;
    for (const record of registry.all()) if (record.running) registry.abort(record, 'shutdown', 'the server is shutting down');
    await registry.idle(5_000);
  };

  return {
    fetch,
    get activeRuns() {
      return registry.active;
    },
    shutdown,
  };
}
