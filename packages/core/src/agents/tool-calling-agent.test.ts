import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TestModel, abortableDelay, add, call, promptText, reply, usage } from '../../test/helpers.js';
import {
  AgentAbortError,
  AgentGenerationError,
  AgentMaxStepsError,
  ModelError,
  ModelStreamingNotSupportedError,
  ToolCallingAgent,
  executeToolCalls,
  tool,
  type ActionStep,
  type AgentEvent,
  type Model,
} from '../index.js';

const echo = tool({
  name: 'echo',
  description: 'Echoes text.',
  inputSchema: { type: 'object', properties: { text: { type: 'string', description: 'text' } }, required: ['text'] },
  execute: async (args: { text: string }) => `echo: ${args.text}`,
});

function lastPrompt(model: TestModel): string {
  return promptText(model.calls[model.calls.length - 1].messages);
}

describe('ToolCallingAgent: the loop', () => {
  it('calls a tool, shows the observation to the model, and returns the final answer', async () => {
    const model = new TestModel([reply(call('add', { a: 2, b: 3 })), reply(call('final_answer', { answer: 'five' }))]);
    const agent = new ToolCallingAgent({ model, tools: [add] });
    await expect(agent.arun('What is 2+3?')).resolves.toBe('five');

    expect(model.calls).toHaveLength(2);
    const first = model.calls[0].messages;
    expect(first[0].role).toBe('system');
    expect(promptText(first)).toContain('New task:\nWhat is 2+3?');
    expect(model.calls[0].options.toolsToCallFrom?.map((t) => t.name)).toEqual(['add', 'final_answer']);
    // The second prompt is rebuilt from memory: the call and its observation are in it.
    const second = lastPrompt(model);
    expect(second).toContain('[tool-call] Calling tools:');
    expect(second).toContain('[tool-response] Observation:\n5');

    const steps = agent.memory.steps;
    expect(steps.map((s) => s.type)).toEqual(['task', 'action', 'action', 'final_answer']);
    expect((steps[1] as ActionStep).observations).toBe('5');
  });

  it('returns a RunResult with summed token usage and timing when returnFullResult is set', async () => {
    const model = new TestModel([reply(call('add', { a: 1, b: 1 })), reply(call('final_answer', { answer: 2 }))]);
    const agent = new ToolCallingAgent({ model, tools: [add] });
    const result = (await agent.arun('1+1', { returnFullResult: true }));
    expect(result.output).toBe(2);
    expect(result.state).toBe('success');
    expect(result.tokenUsage).toEqual({ inputTokens: 20, outputTokens: 10, totalTokens: 30 });
    expect(result.timing.duration).toBeGreaterThanOrEqual(0);
    expect(result.steps.at(-1)).toEqual({ type: 'final_answer', output: 2 });
  });

  it('reports tokenUsage null when a step has no usage', async () => {
    const model = new TestModel([{ role: 'assistant', content: '', toolCalls: call('final_answer', { answer: 1 }) }]);
    const agent = new ToolCallingAgent({ model });
    expect(((await agent.arun('x', { returnFullResult: true }))).tokenUsage).toBeNull();
  });

  it('counts streamed (incremental) usage once', async () => {
    const model = new TestModel([reply(call('add', { a: 1, b: 2 })), reply(call('final_answer', { answer: 3 }))]);
    const agent = new ToolCallingAgent({ model, tools: [add] });
    const run = agent.arun('1+2', { stream: true });
    const events: AgentEvent[] = [];
    for await (const e of run) events.push(e);
    const result = await run.result;
    expect(result.output).toBe(3);
    expect(result.tokenUsage).toEqual({ inputTokens: 20, outputTokens: 10, totalTokens: 30 });
    const types = new Set(events.map((e) => e.type));
    expect([...types]).toEqual(['model_delta', 'tool_call', 'tool_output', 'action_step', 'final_answer']);
    const outputs = events.filter((e) => e.type === 'tool_output');
    expect(outputs[0]).toMatchObject({ name: 'add', output: 3, isError: false });
  });
});

describe('errors become observations', () => {
  const retryHint = "Now let's retry";
  it.each([
    ['an unknown tool', call('nope', {}), 'Unknown tool nope, should be one of: add, final_answer'],
    ['arguments that fail the zod schema', call('add', { a: 'x', b: 1 }), "Invalid call to tool 'add'"],
    ['arguments that are not JSON', call('add', '{"a": 1,'), 'not a JSON object'],
  ])('%s', async (_label, badCall, expected) => {
    const model = new TestModel([reply(badCall), reply(call('final_answer', { answer: 'ok' }))]);
    const agent = new ToolCallingAgent({ model, tools: [add] });
    await expect(agent.arun('t')).resolves.toBe('ok');
    const prompt = lastPrompt(model);
    expect(prompt).toContain('Error:\n');
    expect(prompt).toContain(expected);
    expect(prompt).toContain(retryHint);
    expect((agent.memory.steps[1] as ActionStep).error?.name).toMatch(/AgentToolCallError/);
  });

  it('JSON Schema validation errors name the argument', async () => {
    const model = new TestModel([reply(call('echo', { text: 5 })), reply(call('final_answer', { answer: 'ok' }))]);
    const agent = new ToolCallingAgent({ model, tools: [echo] });
    await agent.arun('t');
    expect(lastPrompt(model)).toMatch(/Invalid call to tool 'echo'.*text/s);
  });

  it('a tool that throws', async () => {
    const boom = tool({ name: 'boom', description: 'Fails.', inputSchema: z.object({}), execute: () => { throw new RangeError('kaput'); } });
    const model = new TestModel([reply(call('boom', {})), reply(call('final_answer', { answer: 'recovered' }))]);
    const agent = new ToolCallingAgent({ model, tools: [boom] });
    await expect(agent.arun('t')).resolves.toBe('recovered');
    expect(lastPrompt(model)).toContain("Error executing tool 'boom' with arguments {}: RangeError: kaput");
    expect((agent.memory.steps[1] as ActionStep).error?.name).toBe('AgentToolExecutionError');
  });

  it('a reply without a tool call is a parsing error', async () => {
    const model = new TestModel(['I think the answer is 4.', reply(call('final_answer', { answer: 4 }))]);
    const agent = new ToolCallingAgent({ model });
    await expect(agent.arun('t')).resolves.toBe(4);
    expect(lastPrompt(model)).toContain('The model did not call any tool');
    expect((agent.memory.steps[1] as ActionStep).error?.name).toBe('AgentParsingError');
  });

  it('accepts a tool call written as JSON in the text', async () => {
    const model = new TestModel(['Action: {"name": "final_answer", "arguments": {"answer": "from text"}}']);
    await expect(new ToolCallingAgent({ model }).arun('t')).resolves.toBe('from text');
  });

  it('final_answer together with other calls is an error observation', async () => {
    const both = [...call('add', { a: 1, b: 1 })!, ...call('final_answer', { answer: 2 })!];
    const model = new TestModel([reply(both), reply(call('final_answer', { answer: 2 }))]);
    const agent = new ToolCallingAgent({ model, tools: [add] });
    await expect(agent.arun('t')).resolves.toBe(2);
    expect(lastPrompt(model)).toContain('final_answer must be the only tool call in its step');
    expect(model.calls).toHaveLength(2);
  });

  it('a failing final-answer check becomes an observation and the run continues', async () => {
    const model = new TestModel([reply(call('final_answer', { answer: 'short' })), reply(call('final_answer', { answer: 'a long enough answer' }))]);
    const agent = new ToolCallingAgent({ model, finalAnswerChecks: [function longEnough(a) { return String(a).length > 10; }] });
    await expect(agent.arun('t')).resolves.toBe('a long enough answer');
    expect(lastPrompt(model)).toContain('Check longEnough failed');
  });

  it('only a generation error ends the run, as AgentGenerationError', async () => {
    const model = new TestModel([new ModelError('upstream exploded', { status: 500 })]);
    const agent = new ToolCallingAgent({ model });
    const err = await agent.arun('t').catch((e: unknown) => e);
    expect(AgentGenerationError.isInstance(err)).toBe(true);
    expect((err as Error).message).toContain('upstream exploded');
    expect((agent.memory.steps[1] as ActionStep).error).toBe(err);
  });
});

describe('tool calls in a step', () => {
  it('run concurrently up to maxToolConcurrency, observations joined in call order', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = tool({
      name: 'slow',
      description: 'Waits, then returns its id.',
      inputSchema: z.object({ id: z.number(), ms: z.number() }),
      execute: async ({ id, ms }) => {
        peak = Math.max(peak, ++inFlight);
        await abortableDelay(ms);
        inFlight--;
        return `result ${id}`;
      },
    });
    const calls = [40, 10, 30, 5].flatMap((ms, id) => call('slow', { id, ms }, `c${id}`)!);
    const model = new TestModel([reply(calls), reply(call('final_answer', { answer: 'done' }))]);
    const agent = new ToolCallingAgent({ model, tools: [slow], maxToolConcurrency: 2 });
    await agent.arun('t');
    expect(peak).toBe(2);
    expect((agent.memory.steps[1] as ActionStep).observations).toBe('result 0\nresult 1\nresult 2\nresult 3');
  });

  it('a drained run (no events made) and a streamed run record the same steps', async () => {
    // Sync and async tools, a sync throw, invalid arguments and an unknown tool: each path, both ways.
    const sync = tool({ name: 'sync', description: 'Sync.', inputSchema: z.object({ n: z.number() }), execute: ({ n }) => n * 2 });
    const later = tool({ name: 'later', description: 'Async.', inputSchema: z.object({ n: z.number() }), execute: async ({ n }) => n + 1 });
    const boom = tool({ name: 'boom', description: 'Throws.', inputSchema: z.object({}), execute: () => { throw new Error('kaput'); } });
    const script = () => [
      reply(call('sync', { n: 4 })),
      reply(call('later', { n: 4 })),
      reply(call('boom', {})),
      reply(call('sync', { n: 'four' })),
      reply(call('nope', {})),
      reply(call('final_answer', { answer: 'ok' })),
    ];
    const steps = async (stream: boolean) => {
      const agent = new ToolCallingAgent({ model: new TestModel(script()), tools: [sync, later, boom], maxSteps: 8 });
      const run = agent.start('t', { stream });
      if (stream) for await (const _event of run) { /* drain the events */ }
      const result = stream ? await run.result : await run.drain();
      return result.steps.filter((s): s is ActionStep => s.type === 'action').map((s) => ({ calls: s.toolCalls?.map((c) => c.function.name), observations: s.observations, error: s.error?.message, final: s.isFinalAnswer, output: s.actionOutput }));
    };
    const drained = await steps(false);
    expect(drained.map((s) => s.observations)).toEqual(['8', '5', undefined, undefined, undefined, 'ok']);
    expect(drained[2].error).toContain('kaput');
    expect(drained[3].error).toContain("Invalid call to tool 'sync'");
    expect(drained[4].error).toContain('Unknown tool nope');
    expect(drained.at(-1)).toMatchObject({ final: true, output: 'ok' });
    expect(await steps(true)).toEqual(drained);
  });

  it('executeToolCalls answers a step of one synchronous tool at once, and an async one with a promise', async () => {
    const sync = tool({ name: 'sync', description: 'Sync.', inputSchema: z.object({ n: z.number() }), execute: ({ n }) => n * 2 });
    const later = tool({ name: 'later', description: 'Async.', inputSchema: z.object({ n: z.number() }), execute: async ({ n }) => n + 1 });
    const agent = new ToolCallingAgent({ model: new TestModel([]), tools: [sync, later] });
    const ctx = agent.start('t').context;
    const step = (): ActionStep => ({ type: 'action', stepNumber: 1, timing: { startTime: 0 }, isFinalAnswer: false });

    const now = step();
    const outcomes = executeToolCalls(ctx, agent, now, call('sync', { n: 4 })!);
    expect(outcomes).not.toBeInstanceOf(Promise);
    expect(outcomes).toEqual([{ output: 8, observation: '8' }]);
    expect(now.observations).toBe('8');

    const awaited = step();
    const pending = executeToolCalls(ctx, agent, awaited, call('later', { n: 4 })!);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual([{ output: 5, observation: '5' }]);
    expect(awaited.observations).toBe('5');

    const answered = step();
    executeToolCalls(ctx, agent, answered, call('final_answer', { answer: 'done' })!);
    expect(answered).toMatchObject({ isFinalAnswer: true, actionOutput: 'done', observations: 'done' });
  });
});

describe('max steps', () => {
  it('asks the model once more without tools and reports max_steps_error', async () => {
    const model = new TestModel((_m, _o, i) => (i < 3 ? reply(call('add', { a: i, b: 1 })) : 'Best guess: 42'));
    const agent = new ToolCallingAgent({ model, tools: [add], maxSteps: 3 });
    const result = (await agent.arun('never ends', { returnFullResult: true }));
    expect(model.calls).toHaveLength(4);
    expect(model.calls[3].options.toolsToCallFrom).toBeUndefined();
    expect(promptText(model.calls[3].messages)).toContain('please provide an answer to the following user task:\nnever ends');
    expect(result.state).toBe('max_steps_error');
    expect(result.output).toBe('Best guess: 42');
    const last = result.steps.filter((s) => s.type === 'action').at(-1) as ActionStep;
    expect(AgentMaxStepsError.isInstance(last.error)).toBe(true);
  });
});

describe('per-run isolation', () => {
  it('500 concurrent runs on ONE agent each return their own answer and keep their own memory', async () => {
    const model = new TestModel(async (messages, _o) => {
      const task = /New task:\n(.*)/.exec(promptText(messages))![1];
      const hasObservation = messages.some((m) => m.role === 'tool-response');
      await abortableDelay(Math.random() * 5);
      return hasObservation ? reply(call('final_answer', { answer: `answer to ${task}` })) : reply(call('echo', { text: task }));
    });
    const agent = new ToolCallingAgent({ model, tools: [echo] });
    const results = (await Promise.all(Array.from({ length: 500 }, (_, i) => agent.arun(`task-${i}`, { returnFullResult: true }))));
    results.forEach((r, i) => {
      expect(r.output).toBe(`answer to task-${i}`);
      const tasks = r.steps.filter((s) => s.type === 'task');
      expect(tasks).toEqual([{ type: 'task', task: `task-${i}` }]);
      expect((r.steps[1] as ActionStep).observations).toBe(`echo: task-${i}`);
    });
  });

  it('agent.memory is the memory of the last run to finish', async () => {
    const model = new TestModel(async (messages) => {
      const task = /New task:\n(.*)/.exec(promptText(messages))![1];
      await abortableDelay(task === 'slow' ? 60 : 5);
      return reply(call('final_answer', { answer: task }));
    });
    const agent = new ToolCallingAgent({ model });
    await Promise.all([agent.arun('slow'), agent.arun('fast')]);
    expect(agent.memory.steps[0]).toEqual({ type: 'task', task: 'slow' });
  });

  it('continueFrom continues the chosen run, never another caller\'s run on the shared agent', async () => {
    const model = new TestModel([
      reply(call('final_answer', { answer: 'alice-1' })),
      reply(call('final_answer', { answer: 'bob-1' })),
      reply(call('final_answer', { answer: 'alice-2' })),
      reply(call('final_answer', { answer: 'bob-2' })),
    ]);
    const agent = new ToolCallingAgent({ model });
    const alice = await agent.arun('I am Alice', { returnFullResult: true });
    const bobRun = agent.start('I am Bob');
    await bobRun.result;
    // Alice continues from her result, Bob from his run's snapshot (as another process would).
    const snapshot = JSON.parse(JSON.stringify(bobRun.toJSON()));
    const alice2 = await agent.arun('What is my name?', { continueFrom: alice, returnFullResult: true });
    await agent.arun('What is my name?', { continueFrom: snapshot });
    const alicePrompt = promptText(model.calls[2].messages);
    expect(alicePrompt).toContain('New task:\nI am Alice');
    expect(alicePrompt).not.toContain('Bob');
    const bobPrompt = promptText(model.calls[3].messages);
    expect(bobPrompt).toContain('New task:\nI am Bob');
    expect(bobPrompt).not.toContain('Alice');
    expect(alice2.steps).toHaveLength(6);
    expect(alice.steps).toHaveLength(3);
    // Without continueFrom every run starts fresh.
    await expect(agent.arun('again', { continueFrom: {} as never })).rejects.toThrow(/continueFrom takes/);
  });

  it('the agent is frozen configuration', () => {
    const agent = new ToolCallingAgent({ model: new TestModel([]) });
    expect(Object.isFrozen(agent)).toBe(true);
    expect(() => {
      (agent as unknown as { maxSteps: number }).maxSteps = 3;
    }).toThrow();
  });

  it('additionalArgs reach the task text and the tool context state', async () => {
    let seen: unknown;
    const peek = tool({ name: 'peek', description: 'Reads state.', inputSchema: z.object({}), execute: (_a, ctx) => { seen = ctx.state.city; return 'ok'; } });
    const model = new TestModel([reply(call('peek', {})), reply(call('final_answer', { answer: 'ok' }))]);
    await new ToolCallingAgent({ model, tools: [peek] }).arun('t', { additionalArgs: { city: 'Paris' } });
    expect(seen).toBe('Paris');
    expect(promptText(model.calls[0].messages)).toContain('"city":"Paris"');
  });
});

describe('step callbacks', () => {
  it('run per step type, sync or async, awaited in order', async () => {
    const log: string[] = [];
    const model = new TestModel([reply(call('add', { a: 1, b: 1 })), reply(call('final_answer', { answer: 2 }))]);
    const agent = new ToolCallingAgent({
      model,
      tools: [add],
      stepCallbacks: {
        action: [async (s) => { await abortableDelay(5); log.push(`action ${s.stepNumber}`); }],
        finalAnswer: [async (s) => { await abortableDelay(5); log.push(`final ${String(s.output)}`); }],
        all: [(s) => void log.push(`all ${s.type}`)],
      },
    });
    await agent.arun('t');
    expect(log).toEqual(['action 1', 'all action', 'action 2', 'all action', 'final 2', 'all final_answer']);
  });
});

describe('cancellation', () => {
  it('aborting rejects promptly with AgentAbortError, reaching the model call', async () => {
    const model = new TestModel([reply(call('final_answer', { answer: 1 }))], 10_000);
    const agent = new ToolCallingAgent({ model });
    const controller = new AbortController();
    const started = performance.now();
    const pending = agent.arun('t', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 20);
    const err = await pending.catch((e: unknown) => e);
    expect(AgentAbortError.isInstance(err)).toBe(true);
    expect((err as Error).message).toContain('user left');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborting reaches a running tool, and settles even if the tool ignores the signal', async () => {
    let toolSignal: AbortSignal | undefined;
    const running = Promise.withResolvers<void>();
    const stubborn = tool({ name: 'stubborn', description: 'Never returns.', inputSchema: z.object({}), execute: (_a, ctx) => { toolSignal = ctx.signal; running.resolve(); return new Promise(() => {}); } });
    const model = new TestModel([reply(call('stubborn', {}))]);
    const agent = new ToolCallingAgent({ model, tools: [stubborn] });
    const controller = new AbortController();
    const pending = agent.arun('t', { signal: controller.signal });
    // Aborted while the tool runs (a fixed sleep could end before a loaded machine reaches it).
    await running.promise;
    controller.abort();
    await expect(pending).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
    expect(toolSignal?.aborted).toBe(true);
  });

  it('an interrupted run ends even if its model ignores the signal', async () => {
    let modelSignal: AbortSignal | undefined;
    let called!: () => void;
    const calling = new Promise<void>((resolve) => (called = resolve));
    const stubborn: Model = {
      modelId: 'stubborn',
      agenerate: (_messages, options) => {
        modelSignal = options?.signal;
        called();
        return new Promise(() => {});
      },
      agenerateStream: () => {
        throw new Error('not used');
      },
    };
    const run = new ToolCallingAgent({ model: stubborn }).start('t');
    const ended = run.drain().catch((e: unknown) => e);
    // Interrupted while the model call is in flight, not before it starts.
    await calling;
    run.interrupt('operator pressed stop');
    const err = await ended;
    expect(AgentAbortError.isInstance(err)).toBe(true);
    expect((err as Error).message).toContain('operator pressed stop');
    expect(modelSignal?.aborted).toBe(true);
  });

  it('a streamed run ends even if its model stops sending and ignores the signal', async () => {
    const stubborn: Model = {
      modelId: 'stubborn',
      agenerate: () => Promise.reject(new Error('not used')),
      async *agenerateStream() {
        yield { content: 'thinking' };
        await new Promise(() => {});
      },
    };
    const run = new ToolCallingAgent({ model: stubborn }).arun('t', { stream: true });
    const seen: string[] = [];
    const consumed = (async () => {
      for await (const event of run) {
        seen.push(event.type);
        if (event.type === 'model_delta') setTimeout(() => run.interrupt(), 10);
      }
    })().catch((e: unknown) => e);
    expect(AgentAbortError.isInstance(await consumed)).toBe(true);
    expect(seen).toContain('model_delta');
    await expect(run.result).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
  });

  it('interrupt() on a run stops it with a typed error naming the reason', async () => {
    const model = new TestModel([reply(call('final_answer', { answer: 1 }))], 10_000);
    const run = new ToolCallingAgent({ model }).start('t');
    setTimeout(() => run.interrupt('operator pressed stop'), 10);
    const err = await run.drain().catch((e: unknown) => e);
    expect(AgentAbortError.isInstance(err)).toBe(true);
    expect((err as Error).message).toContain('operator pressed stop');
  });

  it('breaking out of a stream cancels the run', async () => {
    let modelSignal: AbortSignal | undefined;
    const model = new TestModel((_m, o, i) => { modelSignal = o.signal; return i === 0 ? reply(call('add', { a: 1, b: 1 })) : reply(call('final_answer', { answer: 1 })); }, 0);
    const run = new ToolCallingAgent({ model, tools: [add] }).arun('t', { stream: true });
    for await (const event of run) if (event.type === 'tool_call') break;
    expect(modelSignal?.aborted).toBe(true);
    await expect(run.result).rejects.toSatisfy((e: unknown) => AgentAbortError.isInstance(e));
  });

  it('after 10,000 runs no listener is left on a long-lived parent signal', async () => {
    const parent = new AbortController();
    const model = new TestModel(() => reply(call('final_answer', { answer: 'x' })));
    const agent = new ToolCallingAgent({ model });
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 1000 }, () => agent.arun('t', { signal: parent.signal })));
    }
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('an already aborted signal rejects without calling the model', async () => {
    const model = new TestModel([]);
    const err = await new ToolCallingAgent({ model }).arun('t', { signal: AbortSignal.abort('nope') }).catch((e: unknown) => e);
    expect(AgentAbortError.isInstance(err)).toBe(true);
    expect(model.calls).toHaveLength(0);
  });
});

describe('structured outputs', () => {
  it('a responseFormat in modelParameters reaches the model on every call', async () => {
    const responseFormat = { type: 'json_schema' as const, jsonSchema: { name: 'Answer', schema: { type: 'object', properties: { city: { type: 'string' } } } } };
    const model = new TestModel([reply(call('final_answer', { answer: { city: 'Paris' } }))]);
    await expect(new ToolCallingAgent({ model, modelParameters: { responseFormat, temperature: 0 } }).arun('t')).resolves.toEqual({ city: 'Paris' });
    expect(model.calls[0].options).toMatchObject({ responseFormat, temperature: 0 });
  });
});

describe('models that cannot stream', () => {
  it('a streamed run on such a model fails with a clear typed error', async () => {
    const model = { modelId: 'plain', agenerate: async () => reply(call('final_answer', { answer: 1 })) } as unknown as TestModel;
    const run = new ToolCallingAgent({ model }).arun('t', { stream: true });
    const err = await (async () => {
      for await (const _e of run) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(AgentGenerationError.isInstance(err)).toBe(true);
    expect(ModelStreamingNotSupportedError.isInstance((err as Error).cause)).toBe(true);
    expect((err as Error).message).toContain('cannot stream');
  });
});

describe('usage', () => {
  it('sums usage per step and per run', async () => {
    const model = new TestModel([{ ...reply(call('add', { a: 1, b: 1 })), tokenUsage: usage(100, 7) }, { ...reply(call('final_answer', { answer: 2 })), tokenUsage: usage(150, 3) }]);
    const result = (await new ToolCallingAgent({ model, tools: [add] }).arun('t', { returnFullResult: true }));
    expect((result.steps[1] as ActionStep).tokenUsage).toEqual(usage(100, 7));
    expect(result.tokenUsage).toEqual(usage(250, 10));
  });
});
