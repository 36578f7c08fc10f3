// What a newcomer relies on in the first hour: results that settle, max steps that speak,
// typed answers, events with names, errors that can be acted on, checkpoints that resume.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { FakeExecutor } from '../../test/fake-executor.js';
import { TestModel, add, call, promptText, reply } from '../../test/helpers.js';
import {
  AgentConfigError,
  AgentGenerationError,
  AgentMaxStepsError,
  CodeAgent,
  ModelError,
  ToolCallingAgent,
  tool,
  type AgentEvent,
  type AgentRun,
  type RunResult,
  type RunSnapshot,
  type ToolContext,
} from '../index.js';

const approvalTool = tool({
  name: 'transfer',
  description: 'Moves money.',
  inputSchema: z.object({ amount: z.number() }),
  needsApproval: true,
  execute: ({ amount }) => `moved ${amount}`,
});

describe('run.result settles on its own', () => {
  it('start(task).result runs the run to its end without anyone iterating', async () => {
    const agent = new ToolCallingAgent({ model: new TestModel([reply(call('add', { a: 1, b: 2 })), reply(call('final_answer', { answer: 3 }))]), tools: [add] });
    const result = await agent.start('1+2').result;
    expect(result.output).toBe(3);
    expect(result.actionSteps).toBe(2);
  });

  it('arun(task, { stream: true }).result settles, and iterating after that is a clear error', async () => {
    const agent = new ToolCallingAgent({ model: new TestModel([reply(call('final_answer', { answer: 'ok' }))]) });
    const run = agent.arun('t', { stream: true });
    await expect(run.result).resolves.toMatchObject({ output: 'ok', state: 'success' });
    await expect(async () => {
      for await (const _ of run) {
        // never reached
      }
    }).rejects.toThrow(/already being consumed/);
  });

  it('holding .result and then iterating still streams every event, and the run happens once', async () => {
    const model = new TestModel([reply(call('final_answer', { answer: 'ok' }))]);
    const run = new ToolCallingAgent({ model }).start('t');
    const pending = run.result;
    const types: string[] = [];
    for await (const e of run) types.push(e.type);
    expect(types).toEqual(['tool_call', 'tool_output', 'action_step', 'final_answer']);
    await expect(pending).resolves.toMatchObject({ output: 'ok' });
    expect(model.calls).toHaveLength(1);
  });

  it('.result asked for after a drained run ended gives the same outcome, success or failure', async () => {
    const ok = new ToolCallingAgent({ model: new TestModel([reply(call('final_answer', { answer: 'ok' }))]) }).start('t');
    const drained = await ok.drain();
    await expect(ok.result).resolves.toBe(drained);

    const broken = new ToolCallingAgent({ model: new TestModel([new ModelError('down', { retryable: false })]) }).start('t');
    const error = await broken.drain().catch((e: unknown) => e);
    expect(AgentGenerationError.isInstance(error)).toBe(true);
    await expect(broken.result).rejects.toBe(error);
    // Draining again is not running again.
    await expect(broken.drain()).rejects.toBe(error);
  });

  it('resume(snapshot, { decisions }).result settles without iteration', async () => {
    const script = () => [reply(call('transfer', { amount: 5 }, 'call_t')), reply(call('final_answer', { answer: 'done' }))];
    const agent = new ToolCallingAgent({ model: new TestModel(script()), tools: [approvalTool] });
    const paused = await agent.start('pay').result;
    expect(paused.state).toBe('awaiting_approval');
    const other = new ToolCallingAgent({ model: new TestModel(script().slice(1)), tools: [approvalTool] });
    const resumed = await other.resume(JSON.parse(JSON.stringify(paused.snapshot)), { decisions: { call_t: true } }).result;
    expect(resumed).toMatchObject({ state: 'success', output: 'done' });
  });
});

describe('running out of steps', () => {
  const looping = () => new TestModel((_m, options) => (options.toolsToCallFrom ? reply(call('add', { a: 1, b: 1 }), 'Adding again.') : 'My best answer: 2.'));

  it("by default asks once more over the memory and says so in the result's state", async () => {
    const agent = new ToolCallingAgent({ model: looping(), tools: [add], maxSteps: 3 });
    const result = await agent.arun('loop', { returnFullResult: true });
    expect(result).toMatchObject({ state: 'max_steps_error', output: 'My best answer: 2.', actionSteps: 4 });
    const last = result.steps.at(-2) as { stepNumber: number; error?: Error };
    expect(last.stepNumber).toBe(4);
    expect(AgentMaxStepsError.isInstance(last.error)).toBe(true);
  });

  it("onMaxSteps: 'throw' rejects with AgentMaxStepsError and keeps the finished steps", async () => {
    const model = looping();
    const agent = new ToolCallingAgent({ model, tools: [add], maxSteps: 2, onMaxSteps: 'throw' });
    const run = agent.start('loop');
    const error = await run.result.catch((e: unknown) => e);
    expect(AgentMaxStepsError.isInstance(error)).toBe(true);
    expect(model.calls).toHaveLength(2);
    expect(run.memory.steps.filter((s) => s.type === 'action')).toHaveLength(2);
  });

  it('a CodeAgent never hands back raw code as the answer', async () => {
    const replies = ['<code>\nconst x = 1;\n</code>', '<code>\nfinal_answer("forty-two")\n</code>'];
    const agent = new CodeAgent({ model: new TestModel(replies), executor: new FakeExecutor(), maxSteps: 1 });
    await expect(agent.arun('t')).resolves.toBe('forty-two');
    const onlyCode = new CodeAgent({ model: new TestModel(['<code>\nconst y = 2;\n</code>', '<code>\nconsole.log(y)\n</code>']), executor: new FakeExecutor(), maxSteps: 1 });
    await expect(onlyCode.arun('t')).rejects.toSatisfy((e) => AgentMaxStepsError.isInstance(e));
  });
});

describe('typed results', () => {
  it('returnFullResult per run: the type follows the option', async () => {
    const agent = new ToolCallingAgent({ model: new TestModel([reply(call('final_answer', { answer: 1 })), reply(call('final_answer', { answer: 2 }))]) });
    const full = await agent.arun('a', { returnFullResult: true });
    expectTypeOf(full).toEqualTypeOf<RunResult<unknown>>();
    expect(full.output).toBe(1);
    const bare = await agent.arun('b');
    expectTypeOf(bare).toEqualTypeOf<unknown>();
    expect(bare).toBe(2);
    const stream = true as boolean;
    expectTypeOf(agent.arun('c', { stream })).toEqualTypeOf<AgentRun<unknown> | Promise<unknown>>();
  });

  it('outputSchema: a mismatch goes back to the model, and arun resolves to the parsed, typed value', async () => {
    const Answer = z.object({ city: z.string(), temperature: z.number() });
    const model = new TestModel([
      reply(call('final_answer', { answer: { city: 'Paris', temperature: 'warm' } })),
      reply(call('final_answer', { answer: { city: 'Paris', temperature: 21 } })),
    ]);
    const agent = new ToolCallingAgent({ model, outputSchema: Answer });
    const answer = await agent.arun('Weather?');
    expectTypeOf(answer).toEqualTypeOf<{ city: string; temperature: number }>();
    expect(answer).toEqual({ city: 'Paris', temperature: 21 });
    expect(promptText(model.calls[1].messages)).toMatch(/temperature: .*number/i);
    const finalTool = model.calls[0].options.toolsToCallFrom!.find((t) => t.name === 'final_answer')!;
    expect(finalTool.inputs.answer).toMatchObject({ type: 'object', properties: { city: { type: 'string' } } });
  });

  it("outputSchema on a CodeAgent checks final_answer()'s value", async () => {
    const replies = ['<code>\nfinal_answer("21")\n</code>', '<code>\nfinal_answer(21)\n</code>'];
    const model = new TestModel(replies);
    const agent = new CodeAgent({ model, executor: new FakeExecutor(), outputSchema: z.number() });
    expect(agent.systemPrompt).toContain('"type":"number"');
    await expect(agent.arun('t')).resolves.toBe(21);
    expect(promptText(model.calls[1].messages)).toMatch(/Invalid final answer/);
  });
});

describe('events and errors a user can act on', () => {
  it('tool_call events carry the tool name and the parsed arguments', async () => {
    const agent = new ToolCallingAgent({ model: new TestModel([reply(call('add', { a: 2, b: 3 })), reply(call('final_answer', { answer: 5 }))]), tools: [add] });
    const calls: AgentEvent[] = [];
    for await (const e of agent.arun('t', { stream: true })) if (e.type === 'tool_call') calls.push(e);
    expect(calls[0]).toMatchObject({ type: 'tool_call', stepNumber: 1, callId: 'call_add', name: 'add', arguments: { a: 2, b: 3 } });
  });

  it("a provider's status, retryability and name are on the AgentGenerationError itself", async () => {
    const failing = new ModelError('The server at 127.0.0.1 answered 401 Unauthorized.', { status: 401, retryable: false, provider: 'openai' });
    const agent = new ToolCallingAgent({ model: new TestModel([failing]) });
    const error = await agent.arun('t').catch((e: unknown) => e);
    expect(AgentGenerationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, retryable: false, provider: 'openai', stepNumber: 1 });
  });

  it('a configuration error from the model (a missing key) arrives unwrapped', async () => {
    const agent = new ToolCallingAgent({ model: new TestModel([new AgentConfigError('Set OPENAI_API_KEY or pass apiKey.')]) });
    const error = await agent.arun('t').catch((e: unknown) => e);
    expect(AgentConfigError.isInstance(error)).toBe(true);
    expect(AgentGenerationError.isInstance(error)).toBe(false);
  });

  it('tool() rejects mistakes when the tool is defined, naming the right key', () => {
    const execute = () => 'x';
    expect(() => tool({ name: 'a', description: 'd', inputSchema: z.string(), execute } as never)).toThrow(/object of named arguments/);
    expect(() => tool({ name: 'a', description: 'd', inputSchema: { type: 'string' }, execute } as never)).toThrow(/type "object"/);
    expect(() => tool({ name: 'a', description: 'd', forward: execute } as never)).toThrow(/called `execute` here, not `forward`/);
    expect(() => tool({ name: 'a', description: 'd', parameters: z.object({}), execute } as never)).toThrow(/`inputSchema`, not `parameters`/);
  });
});

describe('checkpoints at every step boundary', () => {
  it('a snapshot taken at an action_step event resumes in another agent without redoing a finished step', async () => {
    const seen: ToolContext[] = [];
    const counter = tool({
      name: 'count',
      description: 'Counts.',
      inputSchema: z.object({ n: z.number() }),
      execute: ({ n }, context) => {
        seen.push(context);
        return n + 1;
      },
    });
    const script = [reply(call('count', { n: 1 }, 'c1')), reply(call('count', { n: 2 }, 'c2')), reply(call('final_answer', { answer: 'three' }))];
    const first = new TestModel(script);
    let checkpoint: RunSnapshot | undefined;
    const run = new ToolCallingAgent({ model: first, tools: [counter] }).start('count');
    for await (const e of run) {
      if (e.type === 'action_step' && e.step.stepNumber === 1) {
        checkpoint = JSON.parse(JSON.stringify(run.toJSON()));
        break; // the process "dies" after step 1
      }
    }
    expect(checkpoint?.stepNumber).toBe(2);
    const second = new TestModel(script.slice(1));
    const resumed = await new ToolCallingAgent({ model: second, tools: [counter] }).resume(checkpoint!, { attempt: 2 }).result;
    expect(resumed).toMatchObject({ state: 'success', output: 'three', runId: run.id, actionSteps: 3 });
    expect(second.calls).toHaveLength(2); // steps 2 and 3 only
    expect(resumed.tokenUsage?.inputTokens).toBe(30); // the whole run's usage, the first process's step included
    expect(seen.map((c) => [c.stepNumber, c.callId, c.attempt])).toEqual([
      [1, 'c1', 1],
      [2, 'c2', 2],
    ]);
  });

  it('decisions for a run that did not pause are refused', () => {
    const agent = new ToolCallingAgent({ model: new TestModel([]) });
    const snapshot = { schemaVersion: 1, runId: 'r', task: 't', stepNumber: 1, maxSteps: 3, state: {}, memory: { schemaVersion: 1, systemPrompt: 's', steps: [] } } as RunSnapshot;
    expect(() => agent.resume(snapshot, { decisions: { x: true } })).toThrow(/no decisions to give/);
    expect(() => agent.resume({ ...snapshot, memory: { schemaVersion: 9 } } as never)).toThrow(AgentConfigError);
  });
});
