// Peer: the Vercel AI SDK. generateText (or streamText) with tools and a step limit, on
// @ai-sdk/openai's chat-completions model pointed at the mock, on its default transport.
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, isStepCount, streamText, tool } from 'ai';
import { z } from 'zod';
import { API_KEY, MODEL_ID, TOOL_DESCRIPTION, capGlobalFetch, lookup, taskFor, type RunnerFactory } from '../work.ts';

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

export const createRunner: RunnerFactory = async ({ baseURL, stream, sockets }) => {
  await capGlobalFetch(sockets);
  const model = createOpenAI({ baseURL, apiKey: API_KEY }).chat(MODEL_ID);
  const tools = {
    lookup: tool({
      description: TOOL_DESCRIPTION,
      inputSchema: z.object({ word: z.string() }),
      execute: async ({ word }) => lookup(word),
    }),
  };
  return {
    stepsPerAgent: 3,
    async runOne(i, signal) {
      const options = { model, tools, prompt: taskFor(i), stopWhen: isStepCount(5), maxRetries: 0, abortSignal: signal };
      if (!stream) return (await generateText(options)).text;
      const result = streamText(options);
      for await (const _part of result.fullStream) {
        // drained
      }
      return await result.text;
    },
  };
};
