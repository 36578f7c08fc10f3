import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TestModel, call, reply } from '../../test/helpers.js';
import { ToolCallingAgent, tool, type AgentRun } from '../index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const echo = tool({ name: 'echo', description: 'Echoes.', inputSchema: z.object({ text: z.string() }), execute: ({ text }) => text });

describe('leaks', () => {
  it('finished and aborted runs are garbage-collected, and leave nothing on a long-lived signal', async () => {
    const parent = new AbortController();
    const model = new TestModel((messages) =>
      messages.some((m) => m.role === 'tool-response') ? reply(call('final_answer', { answer: 'ok' })) : reply(call('echo', { text: 'x' })),
    );
    const agent = new ToolCallingAgent({ model, tools: [echo] });
    let collected = 0;
    const registry = new FinalizationRegistry(() => collected++);
    const total = 2000;
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const run: AgentRun = agent.start(`t${i}`, { signal: parent.signal });
      registry.register(run, i);
      if (i % 2 === 1) run.interrupt('test');
      runs.push(run.drain().catch(() => undefined));
    }
    await Promise.all(runs);
    runs.length = 0;
    model.calls.length = 0;
    // The last run's memory is kept by the agent (agent.memory); everything else may go.
    // Finalizers run in later tasks, so a loaded machine may need several rounds; a leak never gets there.
    for (let i = 0; i < 100 && collected < total - 1; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected).toBeGreaterThanOrEqual(total - 1);
    // A registry that is itself unreachable runs no callbacks: keep it alive until here.
    registry.unregister({});
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});
