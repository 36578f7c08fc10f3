// `smol run "task"`: one run with live display on stderr and the answer (or --json RunResult) on stdout.
import { AgentAbortError, AgentLogger, CodeAgent, ToolCallingAgent, type MultiStepAgent } from '@smol/core';
import { resultJSON } from '@smol/server';
import type { RunArgs } from './args.js';
import type { Io } from './io.js';
import { errorLine } from './io.js';
import { loadMcpTools, loadTools } from './load.js';
import { createModel } from './model.js';

export async function runCommand(args: RunArgs, io: Io): Promise<number> {
  const named = await loadTools(args.tools);
  const { model, label, close } = await createModel(args, io.env);
  const mcp = await loadMcpTools(args.mcp).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  const tools = [...named, ...mcp.tools];
  try {
    const colors = io.stderr.isTTY === true && !io.env.NO_COLOR;
    const observers = args.verbosity === 'off' ? [] : [new AgentLogger({ level: args.verbosity, stream: io.stderr, colors })];
    if (args.verbosity !== 'off') io.stderr.write(`smol: ${args.agent === 'code' ? 'CodeAgent' : 'ToolCallingAgent'} on ${label}\n`);
    const options = { model, tools, maxSteps: args.maxSteps, telemetry: false as const };
    const agent: MultiStepAgent = args.agent === 'code' ? new CodeAgent(options) : new ToolCallingAgent(options);
    const run = agent.start(args.task, { stream: true, observers });
    let interrupted = false;
    const stop = io.onInterrupt(() => {
      if (interrupted) return io.exit(130); // the second Ctrl-C: no waiting
      interrupted = true;
      io.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
      run.interrupt('Ctrl-C');
    });
    try {
      for await (const _event of run) {
        // the logger shows each event
      }
      const result = await run.result;
      if (args.json) io.stdout.write(`${JSON.stringify(resultJSON(result, args.agent), null, 2)}\n`);
      else io.stdout.write(`${typeof result.output === 'string' ? result.output : JSON.stringify(result.output, null, 2)}\n`);
      if (result.state === 'max_steps_error' && !args.json) io.stderr.write('note: the run reached its step limit; this is the best answer from its memory.\n');
      return 0;
    } catch (error) {
      if (interrupted && AgentAbortError.isInstance(error)) {
        io.stderr.write('cancelled\n');
        return 130;
      }
      io.stderr.write(`error: ${errorLine(error)}\n`);
      return 1;
    } finally {
      stop();
    }
  } finally {
    await Promise.all([close(), mcp.close()]);
  }
}
