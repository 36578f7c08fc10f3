import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FakeExecutor } from '../../test/fake-executor.js';
import { TestModel, abortableDelay, add, broken, call, reply } from '../../test/helpers.js';
import { CodeAgent } from '../agents/code-agent.js';
import { ToolCallingAgent } from '../agents/tool-calling-agent.js';
import { ModelError } from '../errors.js';
import { tool } from '../tools.js';
import { OpenTelemetryObserver, createTelemetryObserver } from './telemetry.js';

/** A provider of our own, passed explicitly: nothing is registered globally. */
function tracing(options: { sampledOut?: boolean } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(options.sampledOut ? { sampler: new AlwaysOffSampler() } : {}),
  });
  const spans = () => exporter.getFinishedSpans();
  const byName = (name: string) => spans().filter((s) => s.name === name);
  const one = (name: string) => {
    const found = byName(name);
    expect(found, `spans named ${name}`).toHaveLength(1);
    return found[0];
  };
  return { provider, tracer: provider.getTracer('test'), spans, byName, one };
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe('OpenTelemetryObserver', () => {
  it('traces run → step → model call / tool call with GenAI attributes', async () => {
    const t = tracing();
    const observer = createTelemetryObserver({ tracer: t.tracer });
    const model = new TestModel([reply(call('add', { a: 2, b: 3 })), reply(call('final_answer', { answer: 'five' }))]);
    await new ToolCallingAgent({ model, tools: [add], name: 'calc', observers: [observer] }).arun('What is 2+3?');

    const run = t.one('invoke_agent calc');
    expect(run.kind).toBe(SpanKind.INTERNAL);
    expect(run.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'calc',
      'gen_ai.request.model': 'test-model',
      'gen_ai.usage.input_tokens': 20,
      'gen_ai.usage.output_tokens': 10,
      'smol.run.state': 'success',
    });
    expect(parentOf(run)).toBeUndefined();

    const steps = t.byName('smol.step');
    expect(steps.map((s) => s.attributes['smol.step.number'])).toEqual([1, 2]);
    for (const s of steps) expect(parentOf(s)).toBe(idOf(run));
    expect(steps[1].attributes['smol.step.final_answer']).toBe(true);

    const chats = t.byName('chat test-model');
    expect(chats).toHaveLength(2);
    expect(chats.map(parentOf)).toEqual(steps.map(idOf));
    expect(chats[0].kind).toBe(SpanKind.CLIENT);
    expect(chats[0].attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'test-model',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
    });

    const tool = t.one('execute_tool add');
    expect(parentOf(tool)).toBe(idOf(steps[0]));
    expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'add', 'gen_ai.tool.call.id': 'call_add' });
    expect(parentOf(t.one('execute_tool final_answer'))).toBe(idOf(steps[1]));

    // One trace; content is opt-in; every span ended; nothing kept.
    expect(new Set(t.spans().map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(tool.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    expect(run.attributes['smol.run.task']).toBeUndefined();
    expect(t.spans()).toHaveLength(7);
    expect(observer.runs.size).toBe(0);
  });

  it('a failed model call: error status and message on the call, the step and the run; no secrets', async () => {
    const t = tracing();
    const secret = 'sk-live-do-not-leak';
    const failure = new ModelError('rate limited', { status: 429, cause: { headers: { authorization: `Bearer ${secret}` } } });
    const agent = new ToolCallingAgent({ model: new TestModel([failure]), observers: [new OpenTelemetryObserver({ tracer: t.tracer })] });
    await expect(agent.arun('t')).rejects.toThrow(/rate limited/);

    const chat = t.one('chat test-model');
    expect(chat.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    expect(chat.attributes['error.type']).toBe('429');
    expect(chat.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([
      ['exception', 'ModelError', 'rate limited'],
    ]);
    expect(t.one('smol.step').status.code).toBe(SpanStatusCode.ERROR);
    const run = t.one('invoke_agent');
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.status.message).toContain('rate limited');
    expect(run.attributes['error.type']).toBe('AgentGenerationError');
    expect(JSON.stringify(t.spans().map((s) => [s.attributes, s.events, s.status]))).not.toContain(secret);
  });

  it('a failing tool marks its span and its step, not the run', async () => {
    const t = tracing();
    const model = new TestModel([reply(call('broken', {})), reply(call('final_answer', { answer: 1 }))]);
    await new ToolCallingAgent({ model, tools: [broken], observers: [createTelemetryObserver({ tracer: t.tracer })] }).arun('t');
    const tool = t.one('execute_tool broken');
    expect(tool.status.code).toBe(SpanStatusCode.ERROR);
    expect(tool.status.message).toContain('disk on fire');
    expect(tool.attributes['error.type']).toBe('AgentToolExecutionError');
    expect(t.byName('smol.step').map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(t.one('invoke_agent').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('captureContent records the task, arguments, results and output', async () => {
    const t = tracing();
    const model = new TestModel([reply(call('add', { a: 2, b: 3 })), reply(call('final_answer', { answer: 'five' }))]);
    await new ToolCallingAgent({ model, tools: [add], observers: [createTelemetryObserver({ tracer: t.tracer, captureContent: true })] }).arun('2+3?');
    expect(t.one('execute_tool add').attributes).toMatchObject({ 'gen_ai.tool.call.arguments': '{"a":2,"b":3}', 'gen_ai.tool.call.result': '5' });
    expect(t.one('invoke_agent').attributes).toMatchObject({ 'smol.run.task': '2+3?', 'smol.run.output': 'five' });
  });

  it('CodeAgent: code execution is an execute_tool javascript_interpreter span under its step', async () => {
    const t = tracing();
    const model = new TestModel(['<code>\nundefinedFn();\n</code>', '<code>\nfinal_answer(4)\n</code>']);
    await new CodeAgent({ model, executor: new FakeExecutor(), observers: [createTelemetryObserver({ tracer: t.tracer })] }).arun('t');
    const code = t.byName('execute_tool javascript_interpreter');
    const steps = t.byName('smol.step');
    expect(code).toHaveLength(2);
    expect(code.map(parentOf)).toEqual(steps.map(idOf));
    expect(code[0].attributes['gen_ai.tool.name']).toBe('javascript_interpreter');
    expect(code[0].status.code).toBe(SpanStatusCode.ERROR);
    expect(code[0].status.message).toContain('undefinedFn is not defined');
    expect(code[1].status.code).toBe(SpanStatusCode.UNSET);
  });

  it('the answer after max steps gets its own step span; streamed runs trace the same', async () => {
    const t = tracing();
    const model = new TestModel([reply(call('add', { a: 1, b: 1 })), 'It is 2.']);
    const agent = new ToolCallingAgent({ model, tools: [add], maxSteps: 1, observers: [createTelemetryObserver({ tracer: t.tracer })] });
    for await (const _ of agent.arun('t', { stream: true })) {
      // drain
    }
    const steps = t.byName('smol.step');
    expect(steps.map((s) => s.attributes['smol.step.number'])).toEqual([1, 2]);
    expect(steps.map(parentOf)).toEqual([idOf(t.one('invoke_agent')), idOf(t.one('invoke_agent'))]);
    expect(steps[1].attributes['smol.step.final_answer']).toBe(true);
    expect(t.one('invoke_agent').attributes['smol.run.state']).toBe('max_steps_error');
  });

  it('concurrent runs on one observer make separate traces', async () => {
    const t = tracing();
    const observer = createTelemetryObserver({ tracer: t.tracer });
    const model = new TestModel(() => reply(call('add', { a: 1, b: 1 }), 'Adding.'), 5);
    const agent = new ToolCallingAgent({ model, tools: [add], maxSteps: 2, observers: [observer] });
    await Promise.all([agent.arun('a'), agent.arun('b'), agent.arun('c')]);
    const runs = t.byName('invoke_agent');
    expect(new Set(runs.map((r) => r.spanContext().traceId)).size).toBe(3);
    for (const run of runs) {
      const inTrace = t.spans().filter((s) => s.spanContext().traceId === run.spanContext().traceId);
      // run, 3 steps (two + the answer after max steps), 3 model calls (the last answer's too), 2 tool calls
      expect(inTrace).toHaveLength(9);
    }
    expect(observer.runs.size).toBe(0);
  });

  it('an interrupted run ends its open spans with the abort', async () => {
    const t = tracing();
    const observer = createTelemetryObserver({ tracer: t.tracer });
    const running = Promise.withResolvers<void>();
    const slow = tool({ name: 'slow', description: 'Slow.', inputSchema: z.object({}), execute: (_a, ctx) => (running.resolve(), abortableDelay(10_000, ctx.signal)) });
    const agent = new ToolCallingAgent({ model: new TestModel([reply(call('slow', {}))]), tools: [slow], observers: [observer] });
    const run = agent.start('t');
    const done = run.drain();
    await running.promise; // interrupted while the tool's span is open
    run.interrupt();
    await expect(done).rejects.toThrow(/interrupted/);
    expect(t.one('execute_tool slow').status.code).toBe(SpanStatusCode.ERROR);
    expect(t.one('smol.step').status.code).toBe(SpanStatusCode.ERROR);
    expect(t.one('invoke_agent').attributes['error.type']).toBe('AgentAbortError');
    expect(observer.runs.size).toBe(0);
  });
});

describe('OpenTelemetryObserver without an SDK', () => {
  /** Counts spans started through a tracer. */
  function counting(tracer: Tracer) {
    const counter = { started: 0, tracer: undefined as unknown as Tracer };
    counter.tracer = {
      startSpan: (...args: Parameters<Tracer['startSpan']>) => (counter.started++, tracer.startSpan(...args)),
      startActiveSpan: tracer.startActiveSpan.bind(tracer) as Tracer['startActiveSpan'],
    };
    return counter;
  }

  async function runWith(observer: OpenTelemetryObserver) {
    let kept = -1;
    const peek = tool({ name: 'peek', description: 'Looks.', inputSchema: z.object({}), execute: () => void (kept = observer.runs.size) });
    const model = new TestModel([reply(call('peek', {})), reply(call('final_answer', { answer: 1 }))]);
    await new ToolCallingAgent({ model, tools: [peek], observers: [observer] }).arun('t', { stream: false });
    return kept;
  }

  it('with the no-op global tracer: one span started per run, nothing kept, no per-step work', async () => {
    const counter = counting(trace.getTracer('no-sdk'));
    const observer = createTelemetryObserver({ tracer: counter.tracer });
    expect(await runWith(observer)).toBe(0);
    expect(counter.started).toBe(1);
    expect(observer.runs.size).toBe(0);
    // The default (global) tracer is the no-op one here as well.
    expect(await runWith(createTelemetryObserver())).toBe(0);
  });

  it('a run whose span does not record leaves the observer: none of its other hooks is called', async () => {
    const hooks = ['onStepStart', 'onModelCallStart', 'onModelCallEnd', 'onToolCallStart', 'onToolCallEnd', 'onEvent', 'onRunEnd'] as const;
    const watched = (tracer: Tracer) => {
      const observer = createTelemetryObserver({ tracer });
      const calls: string[] = [];
      for (const hook of hooks) {
        const original = observer[hook].bind(observer) as (...args: unknown[]) => void;
        Object.assign(observer, { [hook]: (...args: unknown[]) => (calls.push(hook), original(...args)) });
      }
      return { observer, calls };
    };
    const run = (observer: OpenTelemetryObserver) =>
      new ToolCallingAgent({ model: new TestModel([reply(call('add', { a: 1, b: 2 })), reply(call('final_answer', { answer: 3 }))]), tools: [add], observers: [observer] }).arun('1+2?');
    const off = watched(trace.getTracer('no-sdk'));
    await run(off.observer);
    expect(off.calls).toEqual([]);
    const on = watched(tracing().tracer);
    await run(on.observer);
    expect(new Set(on.calls)).toEqual(new Set(hooks));
  });

  it('a sampled-out run is not tracked either', async () => {
    const t = tracing({ sampledOut: true });
    const counter = counting(t.tracer);
    const observer = new OpenTelemetryObserver({ tracer: counter.tracer });
    expect(await runWith(observer)).toBe(0);
    expect(counter.started).toBe(1);
    expect(t.spans()).toHaveLength(0);
  });
});

describe('OpenTelemetryObserver and the caller’s context', () => {
  afterEach(() => {
    context.disable();
  });

  it('a run started inside an active span is its child', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const t = tracing();
    const model = new TestModel([reply(call('final_answer', { answer: 1 }))]);
    const agent = new ToolCallingAgent({ model, observers: [createTelemetryObserver({ tracerProvider: t.provider })] });
    const request = t.tracer.startSpan('http request');
    await context.with(trace.setSpan(context.active(), request), () => agent.arun('t'));
    request.end();
    const run = t.one('invoke_agent');
    expect(parentOf(run)).toBe(request.spanContext().spanId);
    expect(run.spanContext().traceId).toBe(request.spanContext().traceId);
  });

  it("a managed agent's run is a child of its manager's tool-call span", async () => {
    const t = tracing();
    const observer = new OpenTelemetryObserver({ tracer: t.tracer });
    const member = new ToolCallingAgent({
      model: new TestModel(() => reply(call('final_answer', { answer: 'found' }))),
      name: 'researcher',
      description: 'Looks things up.',
      telemetry: false,
      observers: [observer],
    });
    const manager = new ToolCallingAgent({
      model: new TestModel([reply(call('researcher', { task: 'x' }, 'call_r')), reply(call('final_answer', { answer: 'ok' }))]),
      managedAgents: [member],
      telemetry: false,
      observers: [observer],
    });
    await manager.arun('t');
    const toolSpan = t.one('execute_tool researcher');
    const memberRun = t.one('invoke_agent researcher');
    expect(parentOf(memberRun)).toBe(idOf(toolSpan));
    expect(memberRun.spanContext().traceId).toBe(toolSpan.spanContext().traceId);
  });
});
