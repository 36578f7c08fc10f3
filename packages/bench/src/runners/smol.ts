// smol: a ToolCallingAgent on OpenAIServerModel, with the defaults a user gets
// (the shared keep-alive node:http transport).
import { ToolCallingAgent, tool } from '@smol/core';
import { OpenAIServerModel } from '@smol/openai';
import { z } from 'zod';
import { API_KEY, MODEL_ID, TOOL_DESCRIPTION, TOOL_NAME, lookup, taskFor, type RunnerFactory } from '../work.ts';

export const createRunner: RunnerFactory = async ({ baseURL, stream, fetch }) => {
  const model = new OpenAIServerModel({ modelId: MODEL_ID, baseURL: baseURL, apiKey: API_KEY, ...(fetch && { fetch }) });
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
        // Each delta belongs to the consumer; the bench only drains them.
      }
      return (await run.result).output;
    },
  };
};
