// The CLI's logic, with its streams and environment injected so tests can run it in-process.
import { AgentError } from '@smol/core';
import { USAGE, UsageError, parseDemoArgs } from './args.js';
import { runDemo, type Io } from './demo.js';

/** One line for the user: the message, no stack, no newlines. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}

/** Runs `smol-demo` with these arguments; resolves to the exit code. `serve` resolves once listening. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let args;
  try {
    args = parseDemoArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (args.command === 'worker') {
      const { runWorker } = await import('./queue-worker.js');
      await runWorker(args, io);
      return 0;
    }
    if (args.command === 'serve' && args.redis) {
      const { serveQueue } = await import('./queue-serve.js');
      await serveQueue(args, io);
      return 0;
    }
    if (args.command === 'serve') {
      const { serve } = await import('./serve.js');
      await serve(args, io);
      return 0;
    }
    await runDemo(args, io);
    return 0;
  } catch (error) {
    const known = AgentError.isInstance(error);
    io.stderr.write(`error: ${errorLine(error)}\n`);
    if (!known && io.env.SMOL_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
