// `pnpm demo serve`: the web page and the HTTP API on one shared agent.
import type { AddressInfo } from 'node:net';
import { serve as listen } from '@hono/node-server';
import { CodeAgent, ToolCallingAgent, type AgentRun, type MultiStepAgent } from '@smol/core';
import type { DemoArgs } from './args.js';
import type { Io } from './demo.js';
import { createDemoModel } from './model.js';
import { createApp } from './server.js';
import { demoTools } from './tools.js';

export interface RunningServer {
  url: string;
  agent: MultiStepAgent;
  kind: 'CodeAgent' | 'ToolCallingAgent';
  active(): number;
  close(): Promise<void>;
}

/** True when CodeAgent can load its default sandbox. */
async function sandboxAvailable(): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ '@smol/sandbox' as string);
    return true;
  } catch {
    return false;
  }
}

export async function startServer(args: DemoArgs, io: Io, hooks: { onRun?: (run: AgentRun) => void } = {}): Promise<RunningServer> {
  const demoModel = await createDemoModel(args, io.env);
  let agent: MultiStepAgent;
  // Class names are not kept by the bundler, so the kind is named here.
  let kind: 'CodeAgent' | 'ToolCallingAgent';
  const tools = demoTools();
  if (args.agentType === 'code' && (await sandboxAvailable())) {
    agent = new CodeAgent({ model: demoModel.model, tools, maxSteps: 8 });
    kind = 'CodeAgent';
  } else {
    if (args.agentType === 'code') io.stderr.write('note: @smol/sandbox is not available, serving a ToolCallingAgent instead of a CodeAgent\n');
    agent = new ToolCallingAgent({ model: demoModel.model, tools, maxSteps: 8 });
    kind = 'ToolCallingAgent';
  }
  const { app, active } = createApp({ agent, agentKind: kind, maxConcurrent: args.maxConcurrent, modelLabel: demoModel.label, onRun: hooks.onRun });
  const server = await new Promise<ReturnType<typeof listen>>((resolve, reject) => {
    const s = listen({ fetch: app.fetch, port: args.port, hostname: args.host }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = args.host.includes(':') ? `[${args.host}]` : args.host === '0.0.0.0' ? '127.0.0.1' : args.host;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    }).then(() => demoModel.close()));
  io.stdout.write(`smol demo server on ${url} — ${kind} on the ${demoModel.label}\n`);
  io.stdout.write(`  open ${url}/ in a browser, or: curl -s ${url}/run-agent -H 'content-type: application/json' -d '{"task":"What is the weather in Paris?"}'\n`);
  return { url, agent, kind, active, close };
}

/** For the CLI: start, and stop on Ctrl-C / SIGTERM. */
export async function serve(args: DemoArgs, io: Io): Promise<void> {
  const server = await startServer(args, io);
  const stop = () => {
    io.stdout.write('\nstopping…\n');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
