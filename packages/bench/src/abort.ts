// Abort promptness: an arun aborted in the middle of its model call (the mock answers after
// 100 ms; the abort comes 30 ms in) must reject within 50 ms of abort().
import { ToolCallingAgent, tool } from '@smol/core';
import { OpenAIServerModel } from '@smol/openai';
import { z } from 'zod';
import { API_KEY, MODEL_ID, TOOL_DESCRIPTION, TOOL_NAME, lookup, taskFor } from './work.ts';

export interface AbortJob {
  kind: 'abort';
  baseURL: string;
  /** Runs aborted one at a time. */
  runs: number;
  /** Runs aborted together by one parent signal. */
  concurrent: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function abortPromptness(job: AbortJob): Promise<Record<string, unknown>> {
  const model = new OpenAIServerModel({ modelId: MODEL_ID, baseURL: job.baseURL, apiKey: API_KEY });
  const lookupTool = tool({ name: TOOL_NAME, description: TOOL_DESCRIPTION, inputSchema: z.object({ word: z.string() }), execute: ({ word }) => lookup(word) });
  const agent = new ToolCallingAgent({ model, tools: [lookupTool] });
  await agent.arun(taskFor(-1)); // warm-up: connection, JIT

  const times: number[] = [];
  let resolvedInstead = 0;
  for (let i = 0; i < job.runs; i++) {
    const controller = new AbortController();
    const run = agent.arun(taskFor(i), { signal: controller.signal });
    await sleep(30);
    const t0 = performance.now();
    controller.abort();
    try {
      await run;
      resolvedInstead++;
    } catch {
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);

  const parent = new AbortController();
  const runs = Array.from({ length: job.concurrent }, (_, i) => agent.arun(taskFor(i), { signal: parent.signal }).then(() => 1, () => 0));
  await sleep(30);
  const t0 = performance.now();
  parent.abort();
  const resolved = (await Promise.all(runs)).reduce((a: number, b) => a + b, 0);
  const allMs = performance.now() - t0;
  const r = (x: number) => Number(x.toFixed(2));
  return {
    runs: job.runs,
    p50Ms: r(percentile(times, 50)),
    p99Ms: r(percentile(times, 99)),
    maxMs: r(times.at(-1) ?? NaN),
    resolvedInstead: resolvedInstead + resolved,
    concurrent: job.concurrent,
    concurrentAllRejectedMs: r(allMs),
  };
}
