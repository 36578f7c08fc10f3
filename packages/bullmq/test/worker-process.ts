// A worker in its own process, for the tests (so that SIGKILL is real). Configured by env:
// REDIS_URL, OPENAI_BASE_URL, OPENAI_API_KEY, QUEUE, CONCURRENCY, LOCK_MS, STALL_MS, RPM, RATE_WINDOW_MS.
// Prints "ready" when it takes jobs.
import { ToolCallingAgent, tool } from '@smol/core';
import { OpenAIServerModel } from '@smol/openai';
import { z } from 'zod';
import { AgentWorker, RedisRateLimiter } from '../src/index.js';

const env = process.env;
// One budget for every worker process: RPM requests per RATE_WINDOW_MS (a short "minute" in tests).
const rateLimiter = new RedisRateLimiter({ connection: env.REDIS_URL!, key: `${env.QUEUE}:openai`, requestsPerMinute: Number(env.RPM ?? 30), windowMs: Number(env.RATE_WINDOW_MS ?? 2_000) });
// Base URL and key come from OPENAI_BASE_URL / OPENAI_API_KEY (read by the openai SDK).
const model = (limited = false) => new OpenAIServerModel({ modelId: 'mock-model', maxRetries: 1, ...(limited ? { rateLimiter } : {}) });

const lookup = tool({
  name: 'lookup',
  description: 'Looks a word up.',
  inputSchema: z.object({ word: z.string() }),
  execute: ({ word }, context) => `definition of ${word.slice(0, 40)} (run ${context.runId.slice(0, 8)}, step ${context.stepNumber})`,
});

const wait = tool({
  name: 'wait',
  description: 'Waits a long time.',
  inputSchema: z.object({ topic: z.string() }),
  execute: (_args, context) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => resolve('waited'), 60_000);
      context.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        process.stdout.write(`tool saw the abort of ${context.runId}\n`);
        reject(context.signal!.reason);
      }, { once: true });
    }),
});

const transfer = tool({
  name: 'transfer',
  description: 'Moves money.',
  inputSchema: z.object({ amount: z.number() }),
  needsApproval: true,
  execute: ({ amount }) => `moved ${amount}`,
});

const worker = new AgentWorker({
  connection: env.REDIS_URL!,
  queueName: env.QUEUE,
  concurrency: Number(env.CONCURRENCY ?? 10),
  lockDuration: env.LOCK_MS ? Number(env.LOCK_MS) : undefined,
  stalledInterval: env.STALL_MS ? Number(env.STALL_MS) : undefined,
  agents: {
    lookup: () => new ToolCallingAgent({ model: model(), tools: [lookup], telemetry: false }),
    slow: new ToolCallingAgent({ model: model(), tools: [wait], telemetry: false }),
    limited: new ToolCallingAgent({ model: model(true), tools: [lookup], telemetry: false }),
    approval: new ToolCallingAgent({ model: model(), tools: [transfer], telemetry: false }),
  },
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
