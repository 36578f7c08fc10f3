// smol CodeAgent: the mock's code scenario (a code step, then final_answer in code), run in
// @smol/sandbox's QuickJS executor. 2 model calls per agent.
import { CodeAgent } from '@smol/core';
import { OpenAIServerModel } from '@smol/openai';
import { API_KEY, MODEL_ID, type RunnerFactory } from '../work.ts';

export const createRunner: RunnerFactory = async ({ baseURL }) => {
  const model = new OpenAIServerModel({ modelId: MODEL_ID, baseURL: baseURL, apiKey: API_KEY });
  const agent = new CodeAgent({ model, maxSteps: 4 });
  return {
    stepsPerAgent: 2,
    runOne: (i, signal) => agent.arun(`Compute ${i}`, { signal }),
    check: (output) => output === 'The answer is 42',
  };
};
