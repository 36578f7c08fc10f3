// pnpm bench --queue: one @smol/bullmq worker process (queue-run.ts starts 1, 2 or 4 of them).
// argv[2] is a JSON QueueWorkerJob; prints "ready" once it takes jobs; SIGTERM closes it.
import { ToolCallingAgent, tool } from '@smol/core';
import { OpenAIServerModel } from '@smol/openai';
import { AgentWorker } from '@smol/bullmq';
import { z } from 'zod';
import { API_KEY, MODEL_ID, TOOL_DESCRIPTION, TOOL_NAME, lookup } from './work.ts';

export interface QueueWorkerJob {
  redis: string;
  queue: string;
  baseURL: string;
  concurrency: number;
}

const job = JSON.parse(process.argv[2]!) as QueueWorkerJob;
const model = new OpenAIServerModel({ modelId: MODEL_ID, baseURL: job.baseURL, apiKey: API_KEY });
const lookupTool = tool({ name: TOOL_NAME, description: TOOL_DESCRIPTION, inputSchema: z.object({ word: z.string() }), execute: ({ word }) => lookup(word) });
// The same agent as the in-process `smol` runner: 3 model calls per run, so 3 checkpoints.
const agent = new ToolCallingAgent({ model, tools: [lookupTool], maxSteps: 5 });
const worker = new AgentWorker({ connection: job.redis, queueName: job.queue, concurrency: job.concurrency, agents: { lookup: agent } });
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close(true).then(() => process.exit(0));
});
