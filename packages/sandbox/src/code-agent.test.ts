// CodeAgent end to end on the real sandbox: core's protocol and this package's executor together.
import { AgentAbortError, CodeAgent, tool, type ActionStep, type RunResult } from '@smol/core';
import { ScriptedModel } from '@smol/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { QuickJsExecutor } from './index.ts';

const executor = new QuickJsExecutor({ workers: 1, limits: { timeoutMs: 5000 } });
afterAll(() => executor.close());

const price = tool({
  name: 'get_price',
  description: 'Price of an item in EUR.',
  inputSchema: z.object({ item: z.string() }),
  execute: async ({ item }) => ({ apple: 0.5, pear: 0.75 })[item] ?? 1,
});

const observation = (r: RunResult, i: number) => (r.steps.filter((s) => s.type === 'action')[i] as ActionStep).observations ?? '';

describe('CodeAgent on QuickJsExecutor', () => {
  it('keeps variables and functions across steps, calls tools, and finishes with final_answer', async () => {
    const model = new ScriptedModel([
      'Thought: prices.\n<code>\nconst basket = { apple: 3, pear: 2 };\nasync function cost(item) { return basket[item] * await get_price({ item }); }\nconsole.log(await cost("apple"));\n</code>',
      'Thought: again, redeclaring is fine.\n<code>\nconst basket = { apple: 3, pear: 2 };\nlet total = (await cost("apple")) + (await cost("pear"));\ntotal\n</code>',
      'Thought: done.\n<code>\nfinal_answer(`total ${total.toFixed(2)} EUR`)\n</code>',
    ]);
    const agent = new CodeAgent({ model, tools: [price], executor });
    const r = (await agent.arun('What does the basket cost?', { returnFullResult: true }));
    expect(r.output).toBe('total 3.00 EUR');
    expect(observation(r, 0)).toBe('Execution logs:\n1.5\nLast output from code snippet:\nundefined');
    expect(observation(r, 1)).toBe('Last output from code snippet:\n3');
    // The run's session is disposed as the run settles.
    await vi.waitFor(async () => expect((await executor.stats()).liveContexts).toBe(0));
  });

  it('final_answer ends the run even inside try/catch in a nested function', async () => {
    const model = new ScriptedModel(['<code>\nfunction f() { try { final_answer(42); } catch (e) { console.log("caught"); } return 1; }\nf();\nconsole.log("after");\n</code>']);
    await expect(new CodeAgent({ model, tools: [], executor }).arun('t')).resolves.toBe(42);
  });

  it('an error shows the failing line and keeps the logs; the model then recovers', async () => {
    const model = new ScriptedModel(['<code>\nconsole.log("first");\nnull.x;\n</code>', '<code>\nfinal_answer("ok")\n</code>']);
    const agent = new CodeAgent({ model, tools: [], executor });
    const r = (await agent.arun('t', { returnFullResult: true }));
    const step = r.steps[1] as ActionStep;
    expect(step.observations).toBe('Execution logs:\nfirst');
    expect(step.error?.message).toMatch(/Code execution failed at line 2 'null\.x;' due to: TypeError/);
  });

  it('additionalArgs are variables in the code', async () => {
    const model = new ScriptedModel(['<code>\nfinal_answer(budget * 2)\n</code>']);
    await expect(new CodeAgent({ model, tools: [], executor }).arun('t', { additionalArgs: { budget: 21 } })).resolves.toBe(42);
  });

  it('aborting the run stops a busy execution promptly with AgentAbortError', async () => {
    const model = new ScriptedModel(['<code>\nwhile (true) {}\n</code>']);
    const controller = new AbortController();
    const pending = new CodeAgent({ model, tools: [], executor }).arun('spin', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    const started = performance.now();
    const err = await pending.catch((e: unknown) => e);
    expect(AgentAbortError.isInstance(err)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a time limit becomes an observation and the host survives', async () => {
    const quick = new QuickJsExecutor({ workers: 1, limits: { timeoutMs: 200 } });
    try {
      const model = new ScriptedModel(['<code>\nwhile (true) {}\n</code>', '<code>\nfinal_answer("survived")\n</code>']);
      const agent = new CodeAgent({ model, tools: [], executor: quick });
      const r = (await agent.arun('t', { returnFullResult: true }));
      expect(r.output).toBe('survived');
      expect((r.steps[1] as ActionStep).error?.message).toContain('TimeoutError');
    } finally {
      await quick.close();
    }
  });
});
