// `smol serve ./agent.ts`: the module's agents on @smol/server, with the chat page.
import { serve } from '@smol/server';
import type { ServeArgs } from './args.js';
import type { Io } from './io.js';
import { loadAgents } from './load.js';

/** Resolves once listening; the process then runs until a signal. */
export async function serveCommand(args: ServeArgs, io: Io): Promise<void> {
  const agents = await loadAgents(args.module, io.cwd);
  const server = await serve(agents, {
    port: args.port,
    host: args.host,
    tokens: args.tokens.length > 0 ? args.tokens : undefined,
    maxConcurrentRuns: args.maxConcurrent,
    handleSignals: false,
  });
  io.stdout.write(`smol server on ${server.url} — agents: ${Object.keys(agents).join(', ')}${args.tokens.length > 0 ? ' (bearer token required)' : ''}\n`);
  let stopping = false;
  io.onInterrupt(() => {
    if (stopping) return io.exit(130);
    stopping = true;
    io.stdout.write(`stopping: waiting for ${server.activeRuns} run(s) to finish (Ctrl-C again to quit at once)\n`);
    server.close(10_000).then(
      () => io.exit(0),
      () => io.exit(1),
    );
  });
}
