import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestModel, call, reply } from '../../test/helpers.js';
import { ToolCallingAgent, tool } from '../index.js';
import { inTurn, nextTurn, sliceSpent } from './turns.js';
import { z } from 'zod';

/** Burns CPU like a step's synchronous work (parsing, building the next request). */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

/** The longest wait a 5 ms interval saw while `work` ran: how long other I/O would have waited. */
async function longestStall(work: () => Promise<unknown>): Promise<{ stallMs: number; totalMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  try {
    await work();
    // A stall at the very end counts too: the interval may not have had a turn since.
    stallMs = Math.max(stallMs, performance.now() - last);
  } finally {
    clearInterval(tick);
  }
  return { stallMs, totalMs: performance.now() - t0 };
}

describe('turns: time slices on a busy event loop', () => {
  it('runs a continuation at once when the loop is not busy', async () => {
    await new Promise((r) => setImmediate(r));
    let ran = false;
    inTurn(() => (ran = true));
    expect(ran).toBe(true);
  });

  it('a burst of answers gives way to other work every slice, and continuations keep their order', async () => {
    const order: number[] = [];
    const done: Promise<void>[] = [];
    const { stallMs, totalMs } = await longestStall(async () => {
      // 150 answers arriving in one phase of the loop, each followed by 4 ms of work.
      await new Promise<void>((allQueued) => {
        for (let i = 0; i < 150; i++) {
          setImmediate(() => {
            done.push(new Promise<void>((resolve) => inTurn(resolve)).then(() => {
              busy(4);
              order.push(i);
            }));
            if (i === 149) allQueued();
          });
        }
      });
      await Promise.all(done);
    });
    expect(order).toEqual([...Array(150).keys()]);
    expect(totalMs).toBeGreaterThan(550);
    // Back to back the interval would wait the whole 600 ms; sliced, about a slice and a continuation
    // (15-30 ms here; the bound leaves room for a loaded machine).
    expect(stallMs).toBeLessThan(300);
  });

  it('nextTurn queues behind waiting continuations; sliceSpent says when', async () => {
    await new Promise((r) => setImmediate(r));
    expect(sliceSpent()).toBe(false); // starts a slice
    busy(12);
    expect(sliceSpent()).toBe(true);
    const order: string[] = [];
    const a = new Promise<void>((resolve) => inTurn(resolve)).then(() => order.push('answer'));
    const b = nextTurn().then(() => order.push('yielded'));
    await Promise.all([a, b]);
    expect(order).toEqual(['answer', 'yielded']);
  });

  it('an abort ends the wait for a turn at once', async () => {
    await new Promise((r) => setImmediate(r));
    sliceSpent();
    busy(12); // the slice is spent
    const order: string[] = [];
    const before = new Promise<void>((resolve) => inTurn(resolve)).then(() => order.push('continuation queued before'));
    const ac = new AbortController();
    const waited = nextTurn(ac.signal).then(() => order.push('nextTurn'));
    ac.abort();
    // Without the signal it would wait for the continuation queued before it.
    await Promise.all([waited, before]);
    expect(order).toEqual(['nextTurn', 'continuation queued before']);
  });

  it('300 runs answered at once leave room for other I/O between their steps', async () => {
    // Each step's tool burns 2 ms; the model answers on a timer, so answers arrive together.
    const slow = tool({ name: 'work', description: 'Works.', inputSchema: z.object({}), execute: () => (busy(2), 'ok') });
    const model = new TestModel((messages) => (messages.some((m) => m.role === 'tool-response') ? reply(call('final_answer', { answer: 'done' })) : reply(call('work', {}))), 5);
    const agent = new ToolCallingAgent({ model, tools: [slow], maxSteps: 3 });
    const { stallMs, totalMs } = await longestStall(() => Promise.all(Array.from({ length: 300 }, () => agent.arun('go'))));
    expect(model.calls).toHaveLength(600);
    expect(totalMs).toBeGreaterThan(600);
    // Back to back: about 630 ms; sliced: 15-30 ms.
    expect(stallMs).toBeLessThan(300);
  });

  describe('SMOL_TURN_SLICE_MS', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.resetModules();
    });
    const load = async (value: string) => {
      vi.stubEnv('SMOL_TURN_SLICE_MS', value);
      vi.resetModules();
      return import('./turns.js');
    };

    it('sets the slice; 0 switches slicing off', async () => {
      const short = await load('2');
      await new Promise((r) => setImmediate(r));
      expect(short.sliceSpent()).toBe(false);
      busy(4);
      expect(short.sliceSpent()).toBe(true);
      const off = await load('0');
      await new Promise((r) => setImmediate(r));
      expect(off.sliceSpent()).toBe(false);
      busy(15);
      expect(off.sliceSpent()).toBe(false);
    });

    it('a value that is not a number of ms warns and keeps 10 ms', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const turns = await load('fast');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('SMOL_TURN_SLICE_MS must be a number of ms'));
      warn.mockRestore();
      await new Promise((r) => setImmediate(r));
      expect(turns.sliceSpent()).toBe(false);
      busy(1);
      expect(turns.sliceSpent()).toBe(false);
      busy(10);
      expect(turns.sliceSpent()).toBe(true);
    });
  });
});
