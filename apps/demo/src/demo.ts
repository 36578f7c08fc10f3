// `pnpm demo`: a ToolCallingAgent and a CodeAgent with live display, then the performance
// example: N agents on one shared model, one after the other and then all at once.
import { AgentLogger, CodeAgent, ToolCallingAgent, type Model, type MultiStepAgent } from '@smol/core';
import { PLAIN, formatMs, styleFor, type Output, type Style } from './display.js';
import type { DemoArgs } from './args.js';
import { createDemoModel } from './model.js';
import { Progress } from './progress.js';
import { demoTools } from './tools.js';

export interface Io {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
}

export const SHOWCASE_TASKS = {
  tool: 'What is the weather in Paris and Tokyo?',
  code: 'How much do 3 apples and 2 pears cost?',
};

const CITIES = ['Paris', 'Tokyo', 'Lima', 'Oslo', 'Cairo', 'Sydney', 'Toronto', 'Nairobi', 'Seoul', 'Madrid', 'Dublin', 'Hanoi'];

export interface PerfResult {
  agents: number;
  sequentialMs: number;
  concurrentMs: number;
  speedup: number;
}

export async function runDemo(args: DemoArgs, io: Io): Promise<PerfResult | undefined> {
  const style = styleFor(io.stdout, io.env);
  const demoModel = await createDemoModel(args, io.env);
  try {
    io.stdout.write(`${style.bold('smol demo')} — ${demoModel.simulated ? style.cyan(demoModel.label) : demoModel.label}\n`);
    if (args.showcase) {
      await showcase(demoModel.model, io.stdout, style);
    }
    return args.perf ? await performance(demoModel.model, args.agents, io.stdout, style) : undefined;
  } finally {
    await demoModel.close();
  }
}

async function showcase(model: Model, out: Output, style: Style): Promise<void> {
  const tools = demoTools();
  out.write(`\n${style.bold('1. ToolCallingAgent')} — the model calls tools natively; both calls of a step run at once.\n`);
  await showRun(new ToolCallingAgent({ model, tools, maxSteps: 6 }), SHOWCASE_TASKS.tool, out, style);

  out.write(`\n${style.bold('2. CodeAgent')} — the model writes JavaScript that calls the tools, run in a QuickJS sandbox.\n`);
  try {
    await showRun(new CodeAgent({ model, tools, maxSteps: 6 }), SHOWCASE_TASKS.code, out, style);
  } catch (error) {
    // Only the missing sandbox is skipped; every other error ends the demo.
    if (!(error instanceof Error && error.message.includes('@smol/sandbox'))) throw error;
    out.write(style.dim(`  (skipped: ${error.message})\n`));
  }
}

async function showRun(agent: MultiStepAgent, task: string, out: Output, style: Style): Promise<void> {
  const logger = new AgentLogger({ level: 'info', stream: out, colors: style !== PLAIN });
  const run = agent.arun(task, { stream: true, observers: [logger] });
  for await (const _event of run) {
    // the logger shows each event as it arrives
  }
  await run.result;
}

async function performance(model: Model, n: number, out: Output, style: Style): Promise<PerfResult> {
  out.write(`\n${style.bold(`3. Performance: ${n} agents on one shared model`)} — each a ToolCallingAgent run of 2 model calls.\n`);
  const tools = demoTools();
  const agents = Array.from({ length: n }, () => new ToolCallingAgent({ model, tools, maxSteps: 6 }));
  const taskFor = (i: number) => `What is the weather in ${CITIES[i % CITIES.length]}?`;

  const seq = new Progress(out, 'sequential', n);
  let start = performance_now();
  for (let i = 0; i < n; i++) {
    await agents[i].arun(taskFor(i));
    seq.tick();
  }
  const sequentialMs = performance_now() - start;
  seq.finish(formatMs(sequentialMs));

  const con = new Progress(out, 'concurrent', n);
  const controller = new AbortController();
  start = performance_now();
  try {
    await Promise.all(agents.map((agent, i) => agent.arun(taskFor(i), { signal: controller.signal }).then(() => con.tick())));
  } catch (error) {
    controller.abort(error);
    throw error;
  }
  const concurrentMs = performance_now() - start;
  con.finish(formatMs(concurrentMs));

  const speedup = sequentialMs / concurrentMs;
  out.write(`  ${style.green(style.bold(`speedup: ${speedup.toFixed(1)}x`))} (sequential ${formatMs(sequentialMs)}, concurrent ${formatMs(concurrentMs)})\n`);
  return { agents: n, sequentialMs, concurrentMs, speedup };
}

function performance_now(): number {
  return globalThis.performance.now();
}
