// Worker recycling: a long-running server keeps a bounded footprint, and a recycle never cuts
// an execution short (it happens only between sessions).
import type { CodeExecutor, CodeSession } from '@smol/core';
import { afterEach, describe, expect, it } from 'vitest';
import { liveWorkerCount } from './host.ts';
import { InProcessQuickJsExecutor, QuickJsExecutor } from './index.ts';

const add = async (_name: string, args: unknown) => (args as { n: number }).n + 1;

/** Worker threads end asynchronously after terminate(): wait until the count settles. */
async function workersSettleAt(expected: number): Promise<number> {
  for (let i = 0; i < 1000 && liveWorkerCount() !== expected; i++) await new Promise((r) => setTimeout(r, 10));
  return liveWorkerCount();
}

/** A two-step run like a CodeAgent's: a tool call, then final_answer using the first step's variable. */
async function run(executor: CodeExecutor, i: number): Promise<unknown> {
  const s = await executor.createSession({ toolNames: ['add'], callTool: add, variables: { i } });
  await s.execute('const x = await add({ n: i })');
  const r = await s.execute('final_answer(x * 2)');
  await s.dispose();
  if (!r.isFinalAnswer) throw new Error(`not a final answer: ${JSON.stringify(r)}`);
  return r.output;
}

// Each test file runs in its own process: every worker counted here belongs to this file, and
// each test closes its executor and waits for its workers to exit.
afterEach(async () => {
  expect(await workersSettleAt(0)).toBe(0);
});

describe('worker recycling', () => {
  it('replaces a worker after recycleAfterSessions sessions, and runs go on correctly', async () => {
    const executor = new QuickJsExecutor({ workers: 1, recycleAfterSessions: 5 });
    const outputs: unknown[] = [];
    for (let i = 0; i < 23; i++) outputs.push(await run(executor, i));
    expect(outputs).toEqual(Array.from({ length: 23 }, (_, i) => (i + 1) * 2));
    // Retired on opening sessions 5, 10, 15 and 20; the fifth worker has hosted 3.
    expect(await executor.stats()).toMatchObject({ engines: 1, sessions: 0, liveContexts: 0, retiredEngines: 4 });
    expect(await workersSettleAt(1)).toBe(1);
    await executor.close();
  });

  it('replaces a worker whose heap is over recycleHeapBytes, once its sessions are done', async () => {
    // Any worker heap is above 1 byte: the first session to close marks the worker for retirement.
    const executor = new QuickJsExecutor({ workers: 1, recycleHeapBytes: 1 });
    let release!: (value: number) => void;
    const slow = new Promise<number>((r) => (release = r));
    const keeper = await executor.createSession({ toolNames: ['slow'], callTool: () => slow });
    await keeper.execute('const kept = "state"');
    const pending = keeper.execute('const v = await slow({});\n`${kept} ${v}`');
    expect(await run(executor, 1)).toBe(4); // its close reads the heap: the worker is retired
    expect(await executor.stats()).toMatchObject({ retiredEngines: 1 });
    // New sessions go to a new worker while the old one finishes the keeper's execution.
    const fresh = await executor.createSession({ toolNames: [], callTool: add });
    expect((await executor.stats()).engines).toBe(2);
    release(7);
    const result = await pending;
    expect(result.error).toBeUndefined();
    expect(result.output).toBe('state 7');
    // The keeper still has its variables: nothing was interrupted.
    expect((await keeper.execute('kept')).output).toBe('state');
    await keeper.dispose();
    expect((await executor.stats()).engines).toBe(1);
    expect((await fresh.execute('"served by the new worker"')).output).toBe('served by the new worker');
    await fresh.dispose();
    await executor.close();
  });

  it('never interrupts an execution: concurrent sessions with tool calls in flight all finish', async () => {
    const executor = new QuickJsExecutor({ workers: 2, recycleAfterSessions: 3 });
    const slowAdd = async (_name: string, args: unknown) => {
      await new Promise((r) => setTimeout(r, 5));
      return (args as { n: number }).n + 1;
    };
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const s: CodeSession = await executor.createSession({ toolNames: ['add'], callTool: slowAdd, variables: { i } });
        const a = await s.execute('let n = i;\nfor (let k = 0; k < 3; k++) n = await add({ n });\nn');
        const b = await s.execute('n + 1');
        await s.dispose();
        return [a.error?.name ?? a.output, b.error?.name ?? b.output];
      }),
    );
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => [i + 3, i + 4]));
    expect((await executor.stats()).retiredEngines).toBeGreaterThanOrEqual(5);
    await executor.close();
  }, 60_000);

  it('leaks no workers: after many sessions, the live worker count is back to the pool size', async () => {
    const executor = new QuickJsExecutor({ workers: 2, recycleAfterSessions: 20 });
    let next = 0;
    const total = 200;
    const lane = async () => {
      while (next < total) {
        const i = next++;
        expect(await run(executor, i)).toBe((i + 1) * 2);
      }
    };
    await Promise.all(Array.from({ length: 20 }, lane));
    const stats = await executor.stats();
    // 200 sessions at 20 per worker: about 10 workers started over the run, 2 alive at the end.
    expect(stats.retiredEngines).toBeGreaterThanOrEqual(8);
    expect(stats).toMatchObject({ engines: 2, sessions: 0, liveContexts: 0 });
    expect(await workersSettleAt(2)).toBe(2);
    await executor.close();
  }, 120_000);

  it('renews the in-process engine (its WebAssembly module) after recycleAfterSessions sessions', async () => {
    const executor = new InProcessQuickJsExecutor({ recycleAfterSessions: 3 });
    const outputs: unknown[] = [];
    for (let i = 0; i < 7; i++) outputs.push(await run(executor, i));
    expect(outputs).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(await executor.stats()).toMatchObject({ engines: 1, retiredEngines: 2, liveContexts: 0 });
    await executor.close();
  });

  it('gives workers resource limits and rejects a bad recycle option', async () => {
    expect(() => new QuickJsExecutor({ recycleAfterSessions: 0 })).toThrow(/recycleAfterSessions/);
    // A worker with a small heap still runs sessions (the WASM memory is outside V8's heap).
    const executor = new QuickJsExecutor({ workers: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    expect(await run(executor, 1)).toBe(4);
    const { heapUsedBytes } = await executor.stats();
    expect(heapUsedBytes).toBeGreaterThan(0);
    expect(heapUsedBytes).toBeLessThan(32 * 1024 * 1024);
    await executor.close();
  });
});
