import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TestModel, abortableDelay, call, promptText, reply } from '../../test/helpers.js';
import {
  AgentApprovalPendingError,
  AgentMemory,
  CodeAgent,
  ToolCallingAgent,
  UserInputTool,
  tool,
  type ActionStep,
  type RunResult,
  type RunSnapshot,
} from '../index.js';
import { FakeExecutor } from '../../test/fake-executor.js';
import { formatReplay } from '../observability/replay.js';

const transfers: number[] = [];
const transfer = tool({
  name: 'transfer',
  description: 'Moves money.',
  inputSchema: z.object({ amount: z.number() }),
  needsApproval: (args) => args.amount > 100,
  execute: ({ amount }) => {
    transfers.push(amount);
    return `moved ${amount}`;
  },
});

const script = () => [reply(call('transfer', { amount: 500 }, 'call_big')), reply(call('final_answer', { answer: 'finished' }))];

describe('human in the loop', () => {
  it('awaits the approve handler without blocking other runs', async () => {
    const approvals: string[] = [];
    const model = new TestModel((messages, _o) => {
      const text = promptText(messages.slice(1));
      return text.includes('Observation') || text.includes('Error') ? reply(call('final_answer', { answer: 'done' })) : reply(call('transfer', { amount: 500 }));
    });
    let release!: (ok: boolean) => void;
    const decision = new Promise<boolean>((r) => (release = r));
    const asking = Promise.withResolvers<void>();
    const agent = new ToolCallingAgent({
      model,
      tools: [transfer],
      approve: (req) => {
        approvals.push(`${req.toolName} ${JSON.stringify(req.arguments)}`);
        asking.resolve();
        return decision;
      },
    });
    const waiting = agent.arun('pay');
    await asking.promise;
    // Another run on a tool without approval finishes while the first one waits for its human.
    const quick = new ToolCallingAgent({ model: new TestModel([reply(call('final_answer', { answer: 'fast' }))]) });
    await expect(quick.arun('other')).resolves.toBe('fast');
    expect(approvals).toEqual(['transfer {"amount":500}']);
    release(false);
    await expect(waiting).resolves.toBe('done');
    expect(promptText(model.calls[1].messages)).toContain("The user rejected the call to 'transfer'");
  });

  it('without a handler the run pauses, serialises to JSON, and resumes in a "new process" with approve', async () => {
    transfers.length = 0;
    const agent = new ToolCallingAgent({ model: new TestModel(script()), tools: [transfer] });
    const err = await agent.arun('pay 500').catch((e: unknown) => e);
    expect(AgentApprovalPendingError.isInstance(err)).toBe(true);
    expect(transfers).toEqual([]);

    // Round-trip through a string, as if stored in a database and loaded elsewhere.
    const snapshot = JSON.parse(JSON.stringify((err as AgentApprovalPendingError).snapshot)) as RunSnapshot;
    expect(snapshot.schemaVersion).toBe(1);
    const fresh = new ToolCallingAgent({ model: new TestModel([reply(call('final_answer', { answer: 'finished' }))]), tools: [transfer] });
    const result = (await fresh.resume(snapshot, { decisions: { call_big: true } }).drain()) as RunResult;
    expect(result.output).toBe('finished');
    expect(transfers).toEqual([500]);
    expect((result.steps[1] as ActionStep).observations).toBe('moved 500');
    expect(result.runId).toBe(snapshot.runId);
  });

  it('a paused run reports awaiting_approval with the pending calls, and rejecting continues the run', async () => {
    transfers.length = 0;
    const agent = new ToolCallingAgent({ model: new TestModel(script()), tools: [transfer] });
    const run = agent.start('pay 500');
    const paused = await run.drain();
    expect(paused.state).toBe('awaiting_approval');
    expect(paused.pendingApprovals).toEqual([{ runId: run.id, callId: 'call_big', toolName: 'transfer', arguments: { amount: 500 } }]);
    expect(run.toJSON()).toEqual(paused.snapshot);
    const model2 = new TestModel([reply(call('final_answer', { answer: 'cancelled' }))]);
    const agent2 = new ToolCallingAgent({ model: model2, tools: [transfer] });
    await expect(agent2.resume(paused.snapshot!, { decisions: { call_big: false } }).drain()).resolves.toMatchObject({ output: 'cancelled' });
    expect(transfers).toEqual([]);
    expect(promptText(model2.calls[0].messages)).toContain('rejected');
  });

  it('small amounts need no approval', async () => {
    const agent = new ToolCallingAgent({ model: new TestModel([reply(call('transfer', { amount: 5 })), reply(call('final_answer', { answer: 'ok' }))]), tools: [transfer] });
    await expect(agent.arun('pay 5')).resolves.toBe('ok');
  });

  it('UserInputTool awaits a pluggable async prompt', async () => {
    const asked: string[] = [];
    const input = new UserInputTool(async (q) => {
      asked.push(q);
      await abortableDelay(5);
      return 'blue';
    });
    const model = new TestModel([reply(call('user_input', { question: 'Favourite colour?' })), reply(call('final_answer', { answer: 'blue it is' }))]);
    await expect(new ToolCallingAgent({ model, tools: [input] }).arun('ask')).resolves.toBe('blue it is');
    expect(asked).toEqual(['Favourite colour?']);
    expect(promptText(model.calls[1].messages)).toContain('Observation:\nblue');
  });

  it('a CodeAgent awaits its approver for tools called from code', async () => {
    const model = new TestModel(['<code>\nconst r = await transfer({ amount: 500 });\nfinal_answer(r)\n</code>']);
    const seen: string[] = [];
    const agent = new CodeAgent({ model, tools: [transfer], executor: new FakeExecutor(), approve: (r) => { seen.push(r.toolName); return true; } });
    await expect(agent.arun('pay')).resolves.toBe('moved 500');
    expect(seen).toEqual(['transfer']);
  });
});

describe('serialisation', () => {
  it('steps are JSON-serialisable and the memory round-trips', async () => {
    const agent = new ToolCallingAgent({ model: new TestModel([reply(call('nope', {})), reply(call('final_answer', { answer: 'x' }))]) });
    await agent.arun('t', { images: [{ type: 'image', image: new Uint8Array([1, 2, 3]), mediaType: 'image/png' }] });
    const json = JSON.parse(JSON.stringify(agent.memory.toJSON()));
    const back = AgentMemory.fromJSON(json);
    expect((back.steps[1] as ActionStep).error?.name).toBe('AgentToolCallError');
    expect(back.toMessages()).toEqual(JSON.parse(JSON.stringify(AgentMemory.fromJSON(agent.memory.toJSON()).toMessages())));
    expect(JSON.stringify(json)).toContain('data:image/png;base64,AQID');
    expect(agent.memory.getSuccinctSteps()[1]).not.toHaveProperty('modelOutputMessage');
  });

  it('agent.toJSON / fromJSON round-trip the configuration, never the API key', () => {
    const model = Object.assign(new TestModel([]), { apiKey: 'sk-secret-123' });
    const member = new ToolCallingAgent({ model, name: 'helper', description: 'Helps.', tools: [transfer] });
    const agent = new CodeAgent({ model, tools: [transfer], managedAgents: [member], maxSteps: 7, instructions: 'Be brief.', executor: new FakeExecutor() });
    const json = agent.toJSON();
    const text = JSON.stringify(json);
    expect(text).not.toContain('sk-secret-123');
    expect(json).toMatchObject({ class: 'CodeAgent', model: { modelId: 'test-model' }, tools: ['transfer'], options: { maxSteps: 7 } });
    const back = CodeAgent.fromJSON(JSON.parse(text), { model, tools: [transfer], options: { executor: new FakeExecutor() } });
    expect(back.systemPrompt).toBe(agent.systemPrompt);
    expect(back.managedAgents.get('helper')).toBeInstanceOf(ToolCallingAgent);
    expect(() => CodeAgent.fromJSON(JSON.parse(text), { model, tools: [] })).toThrow(/needs the tool "transfer"/);
    expect(() => ToolCallingAgent.fromJSON(JSON.parse(text), { model, tools: [transfer] })).toThrow(/not a ToolCallingAgent/);
  });
});

describe('memory utilities', () => {
  it('replay() pretty-prints the run: task, tool calls, observations, errors, the answer', async () => {
    const model = new TestModel([reply(call('nope', {})), reply(call('transfer', { amount: 5 })), reply(call('final_answer', { answer: 'paid' }))]);
    const agent = new ToolCallingAgent({ model, tools: [transfer] });
    await agent.arun('pay 5');
    const text = formatReplay(agent.memory);
    expect(text).toContain('pay 5');
    expect(text).toContain('transfer');
    expect(text).toContain('moved 5');
    expect(text).toContain('Unknown tool nope');
    expect(text).toContain('paid');
    expect(text).not.toContain('\u001b[');
  });

  it('telemetry: false leaves only the given observers', () => {
    const agent = new ToolCallingAgent({ model: new TestModel([]), telemetry: false });
    expect((agent as unknown as { observers: unknown[] }).observers).toEqual([]);
    const traced = new ToolCallingAgent({ model: new TestModel([]) });
    expect((traced as unknown as { observers: unknown[] }).observers).toHaveLength(1);
  });
});

describe('images', () => {
  it('images given to arun and images returned by tools reach the model as image parts', async () => {
    const camera = tool({ name: 'camera', description: 'Takes a photo.', inputSchema: z.object({}), execute: () => ({ type: 'image', image: 'data:image/png;base64,AAAA' }) });
    const model = new TestModel([reply(call('camera', {})), reply(call('final_answer', { answer: 'a cat' }))]);
    await new ToolCallingAgent({ model, tools: [camera] }).arun('what is this?', { images: [{ type: 'image', image: 'https://example.com/cat.png' }] });
    const parts = model.calls[1].messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []));
    const images = parts.filter((p) => p.type === 'image').map((p) => (p as { image: string }).image);
    expect(images).toEqual(['https://example.com/cat.png', 'data:image/png;base64,AAAA']);
  });

  it('mixed text and image parts: the text is the observation, the images are attached', async () => {
    const shot = tool({ name: 'shot', description: 'Text and a picture.', inputSchema: z.object({}), execute: () => [{ type: 'text', text: 'a chart' }, { type: 'image', image: 'data:image/png;base64,BBBB' }] });
    const model = new TestModel([reply(call('shot', {})), reply(call('final_answer', { answer: 'ok' }))]);
    await new ToolCallingAgent({ model, tools: [shot] }).arun('t');
    const prompt = promptText(model.calls[1].messages);
    expect(prompt).toContain('Observation:\na chart\n[images returned by shot, attached]');
    expect(prompt).not.toContain('BBBB');
    expect(prompt).toContain('<image>');
  });
});
