// Peer: OpenAI Agents JS. run() on an OpenAIChatCompletionsModel pointed at the mock, tracing off,
// with the openai SDK client on its default transport.
import { Agent, OpenAIChatCompletionsModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';
import { API_KEY, MODEL_ID, TOOL_DESCRIPTION, TOOL_NAME, capGlobalFetch, lookup, taskFor, type RunnerFactory } from '../work.ts';

export const createRunner: RunnerFactory = async ({ baseURL, stream, sockets }) => {
  await capGlobalFetch(sockets);
  setTracingDisabled(true);
  const client = new OpenAI({ baseURL, apiKey: API_KEY, maxRetries: 0 });
  const model = new OpenAIChatCompletionsModel(client as never, MODEL_ID);
  const agent = new Agent({
    name: 'bench',
    instructions: 'Answer the task with the tools.',
    model,
    tools: [
      tool({
        name: TOOL_NAME,
        description: TOOL_DESCRIPTION,
        parameters: z.object({ word: z.string() }),
        execute: async ({ word }) => lookup(word),
      }),
    ],
  });
  return {
    stepsPerAgent: 3,
    async runOne(i, signal) {
      if (!stream) return (await run(agent, taskFor(i), { maxTurns: 5, signal })).finalOutput;
      const result = await run(agent, taskFor(i), { maxTurns: 5, signal, stream: true });
      for await (const _event of result) {
        // drained
      }
      await result.completed;
      return result.finalOutput;
    },
  };
};
