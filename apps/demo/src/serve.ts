// `pnpm demo serve`: the demo's agent on @smol/server (HTTP API, event streams, chat page).
import type { AgentRun, MultiStepAgent } from '@smol/core';
import { serve as serveAgents, type SmolServer } from '@smol/server';
import type { DemoArgs } from './args.js';
import type { Io } from './demo.js';
import { closeOnSignals } from './signals.js';
import { codeAgent, sandboxAvailable, toolAgent } from './agents.js';
import { createDemoModel } from './model.js';

export interface RunningServer {
  url: string;
  agent: MultiStepAgent;
  kind: 'CodeAgent' | 'ToolCallingAgent';
  active(): number;
  close(): Promise<void>;
}

export async function startServer(args: DemoArgs, io: Io, hooks: { onRun?: (run: AgentRun) => void } = {}): Promise<RunningServer> {
  const demoModel = await createDemoModel(args, io.env);
  let agent: MultiStepAgent;
  let kind: 'CodeAgent' | 'ToolCallingAgent';
  if (args.agentType === 'code' && (await sandboxAvailable())) {
    agent = codeAgent(demoModel.model);
    kind = 'CodeAgent';
  } else {
    if (args.agentType === 'code') io.stderr.write('note: @smol/sandbox is not available, serving a ToolCallingAgent instead of a CodeAgent\n');
    agent = toolAgent(demoModel.model);
    kind = 'ToolCallingAgent';
  }
  let server: SmolServer;
  try {
    server = await serveAgents(
      { [kind === 'CodeAgent' ? 'code' : 'tool']: agent },
      { port: args.port, host: args.host, maxConcurrentRuns: args.maxConcurrent, handleSignals: false, onRun: hooks.onRun ? (run) => hooks.onRun!(run) : undefined },
    );
  } catch (error) {
    await demoModel.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= server.close(5000).then(() => demoModel.close()));
  io.stdout.write(`smol demo server on ${server.url} — ${kind} on the ${demoModel.label}\n`);
  io.stdout.write(`  open ${server.url}/ in a browser, or: curl -s ${server.url}/api/runs -H 'content-type: application/json' -d '{"task":"What is the weather in Paris?"}'\n`);
  return { url: server.url, agent, kind, active: () => server.activeRuns, close };
}

/** For the CLI: start, and stop on Ctrl-C / SIGTERM (runs get a few seconds to finish). */
export async function serve(args: DemoArgs, io: Io): Promise<void> {
  const server = await startServer(args, io);
  closeOnSignals(() => server.close(), io);
}
