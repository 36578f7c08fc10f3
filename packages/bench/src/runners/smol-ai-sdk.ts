// smol on an AI SDK model: the `smol` runner's ToolCallingAgent, on @smol/ai-sdk's aiSdkModel over
// @ai-sdk/openai's chat model, with smol's keep-alive transport as the provider's fetch. Its
// difference from `smol` is what the adapter and the AI SDK provider cost per step.
import { createOpenAI } from '@ai-sdk/openai';
import { aiSdkModel } from '@smol/ai-sdk';
import { ToolCallingAgent, tool } from '@smol/core';
import { getDefaultNodeFetch } from '@smol/core/transport';
import { z } from 'zod';
import { API_KEY, MODEL_ID, TOOL_DESCRIPTION, TOOL_NAME, lookup, taskFor, type RunnerFactory } from '../work.ts';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

export const createRunner: RunnerFactory = async ({ baseURL, stream }) => {
  const model = aiSdkModel(createOpenAI({ baseURL, apiKey: API_KEY, fetch: getDefaultNodeFetch() }).chat(MODEL_ID));
  const lookupTool = tool({
    name: TOOL_NAME,
    description: TOOL_DESCRIPTION,
    inputSchema: z.object({ word: z.string() }),
    execute: ({ word }) => lookup(word),
  });
  const agent = new ToolCallingAgent({ model, tools: [lookupTool], maxSteps: 5 });
  return {
    stepsPerAgent: 3,
    async runOne(i, signal) {
      const task = taskFor(i);
      if (!stream) return agent.arun(task, { signal });
      const run = agent.arun(task, { stream: true, signal });
      for await (const _event of run) {
        // drained
      }
      return (await run.result).output;
    },
  };
};
