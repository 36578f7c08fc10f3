// The CLI's logic: parse, dispatch, and map every failure to one line and an exit code
// (2 for usage, 1 for errors, 130 for Ctrl-C).
import { createRequire } from 'node:module';
import { USAGE, UsageError, parseCliArgs } from './args.js';
import { errorLine, type Io } from './io.js';

/** The exit code, or undefined when the command keeps running (serve). */
export async function main(argv: readonly string[], io: Io): Promise<number | undefined> {
  let args;
  try {
    args = parseCliArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`error: ${error.message} See smol ${error.topic === 'main' ? '' : `${error.topic} `}--help.\n`);
    return 2;
  }
  if (args.command === 'help') {
    io.stdout.write(`${USAGE[args.topic]}\n`);
    return 0;
  }
  if (args.command === 'version') {
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    io.stdout.write(`${version}\n`);
    return 0;
  }
  try {
    if (args.command === 'serve') {
      const { serveCommand } = await import('./serve.js');
      await serveCommand(args, io);
      return undefined;
    }
    const { runCommand } = await import('./run.js');
    return await runCommand(args, io);
  } catch (error) {
    io.stderr.write(`error: ${errorLine(error)}\n`);
    if (io.env.SMOL_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
