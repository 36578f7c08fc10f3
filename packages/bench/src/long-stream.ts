// One long stream (N chunks of 16 characters) from the long-stream server, measured for CPU and
// memory: through OpenAIServerModel.agenerateStream, through a streaming ToolCallingAgent run
// (the chunks are final_answer's argument), or through the AI SDK's streamText for comparison.
import { ToolCallingAgent } from '@smol/core';
import { OpenAIServerModel } from '@smol/openai';
import { measure } from './measure.ts';
import { API_KEY, MODEL_ID } from './work.ts';

export interface LongStreamJob {
  kind: 'long-stream';
  via: 'model' | 'agent' | 'ai-sdk';
  chunks: number;
  baseURL: string;
}

async function streamer(job: LongStreamJob): Promise<(task: string) => Promise<{ deltas: number; chars: number }>> {
  if (job.via === 'ai-sdk') {
    const { createOpenAI } = await import('@ai-sdk/openai');
    const { streamText } = await import('ai');
    (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
    const model = createOpenAI({ baseURL: job.baseURL, apiKey: API_KEY }).chat(MODEL_ID);
    return async (task) => {
      const result = streamText({ model, prompt: task, maxRetries: 0 });
      let deltas = 0;
      for await (const _piece of result.textStream) deltas++;
      return { deltas, chars: (await result.text).length };
    };
  }
  const model = new OpenAIServerModel({ modelId: MODEL_ID, baseURL: job.baseURL, apiKey: API_KEY });
  if (job.via === 'model') {
    return async (task) => {
      let deltas = 0;
      let chars = 0;
      for await (const delta of model.agenerateStream([{ role: 'user', content: [{ type: 'text', text: task }] }])) {
        deltas++;
        chars += delta.content?.length ?? 0;
      }
      return { deltas, chars };
    };
  }
  const agent = new ToolCallingAgent({ model, tools: [], maxSteps: 2 });
  return async (task) => {
    const run = agent.arun(task, { stream: true });
    let deltas = 0;
    for await (const event of run) if (event.type === 'model_delta') deltas++;
    const output = (await run.result).output;
    return { deltas, chars: typeof output === 'string' ? output.length : -1 };
  };
}

export async function longStream(job: LongStreamJob): Promise<Record<string, unknown>> {
  const run = await streamer(job);
  await run('chunks:100'); // warm-up
  const { value, m } = await measure(() => run(`chunks:${job.chunks}`));
  return { ...m, ...value, cpuPerKChunksMs: Number(((m.cpuMs / job.chunks) * 1000).toFixed(2)) };
}
