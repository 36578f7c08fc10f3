// `pnpm demo worker --redis URL`: runs the demo's agents for `pnpm demo serve --redis URL`, from
// the queue (@smol/bullmq). Start as many as you like, on any machine that reaches the Redis.
import { AgentWorker, describeConnection, type AgentSource } from '@smol/bullmq';
import type { DemoArgs } from './args.js';
import type { Io } from './demo.js';
import { closeOnSignals } from './signals.js';
import { codeAgent, sandboxAvailable, toolAgent } from './agents.js';
import { createDemoModel } from './model.js';

export interface RunningWorker {
  /** The agent names this worker runs ('tool', and 'code' when @smol/sandbox is available). */
  agents: string[];
  close(): Promise<void>;
}

export async function startQueueWorker(args: DemoArgs, io: Io): Promise<RunningWorker> {
  if (!args.redis) throw new Error('worker needs --redis URL');
  // The same model as the in-process demo: a provider from the environment, else the simulated one
  // (each worker process embeds its own simulated server).
  const demoModel = await createDemoModel(args, io.env);
  const agents: Record<string, AgentSource> = { tool: toolAgent(demoModel.model) };
  if (await sandboxAvailable()) agents.code = codeAgent(demoModel.model);
  const worker = new AgentWorker({ connection: args.redis, agents, concurrency: args.concurrency });
  try {
    await worker.waitUntilReady();
  } catch (error) {
    await worker.close(true).catch(() => {});
    await demoModel.close();
    throw error;
  }
  const names = Object.keys(agents);
  io.stdout.write(`smol demo worker on ${describeConnection(args.redis)} — agents ${names.join(', ')} on the ${demoModel.label}; ${args.concurrency} runs at once\n`);
  let closing: Promise<void> | undefined;
  // close() finishes the active runs; a worker that dies instead is covered by the queue's stalled-job recovery.
  const close = () => (closing ??= worker.close().then(() => demoModel.close()));
  return { agents: names, close };
}

/** For the CLI: start, and stop on Ctrl-C / SIGTERM (active runs finish first). */
export async function runWorker(args: DemoArgs, io: Io): Promise<void> {
  const worker = await startQueueWorker(args, io);
  closeOnSignals(() => worker.close(), io, 'stopping: finishing the active runs…');
}
