// Reference: the floor's loop through the official `openai` SDK on smol's keep-alive transport
// (what OpenAIServerModel sits on), without an agent. smol's cost above this is its own.
// SMOL_BENCH_SDK_PROMPT=smol sends smol's default system prompt and task line as well (for
// `compare`: how much of smol's cost is the prompt it sends, not the work around the call).
import { ToolCallingAgent, tool } from '@smol/core';
import { createNodeFetch } from '@smol/core/transport';
import { ScriptedModel } from '@smol/testing';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { API_KEY, MODEL_ID, TOOL_DESCRIPTION, TOOL_NAME, lookup, taskFor, type RunnerFactory } from '../work.ts';

const TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: TOOL_NAME,
      description: TOOL_DESCRIPTION,
      parameters: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'], additionalProperties: false },
    },
  },
];

/** The system prompt a ToolCallingAgent with the bench's tool sends. */
function smolSystemPrompt(): string {
  const lookupTool = tool({ name: TOOL_NAME, description: TOOL_DESCRIPTION, inputSchema: z.object({ word: z.string() }), execute: ({ word }) => lookup(word) });
  return new ToolCallingAgent({ model: new ScriptedModel([]), tools: [lookupTool] }).systemPrompt;
}

export const createRunner: RunnerFactory = async ({ baseURL, stream, fetch }) => {
  if (stream) throw new Error('openai-sdk: streaming is not part of this reference runner');
  const system = process.env.SMOL_BENCH_SDK_PROMPT === 'smol' ? smolSystemPrompt() : undefined;
  // smol's transport with its default pool (1,024 sockets), as OpenAIServerModel gets it.
  const client = new OpenAI({ baseURL, apiKey: API_KEY, maxRetries: 0, logLevel: 'off', fetch: fetch ?? createNodeFetch() });
  return {
    stepsPerAgent: 3,
    async runOne(i, signal) {
      const messages: ChatCompletionMessageParam[] = system
        ? [
            { role: 'system', content: system },
            { role: 'user', content: `New task:\n${taskFor(i)}` },
          ]
        : [{ role: 'user', content: taskFor(i) }];
      for (let step = 0; step < 5; step++) {
        const completion = await client.chat.completions.create({ model: MODEL_ID, messages, tools: TOOLS }, { signal });
        const message = completion.choices[0].message;
        if (!message.tool_calls?.length) return message.content;
        messages.push(message);
        for (const c of message.tool_calls) {
          if (c.type !== 'function') continue;
          const args = JSON.parse(c.function.arguments) as { word: string };
          messages.push({ role: 'tool', tool_call_id: c.id, content: lookup(args.word) });
        }
      }
      throw new Error('openai-sdk: no answer after 5 calls');
    },
  };
};
