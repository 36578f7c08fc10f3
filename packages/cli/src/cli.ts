#!/usr/bin/env node
// smol: `smol run "task"` and `smol serve ./agent.ts`.
import type { Io } from './io.js';
import { main } from './main.js';

const handlers = new Set<() => void>();
const onSignal = () => {
  for (const h of [...handlers]) h();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const io: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  onInterrupt(handler) {
    handlers.add(handler);
    return () => handlers.delete(handler);
  },
  exit: (code) => process.exit(code),
};

const code = await main(process.argv.slice(2), io);
if (code !== undefined) {
  process.exitCode = code;
  // Nothing should hold the process now; if something does (a provider's socket pool), do not wait on it.
  setTimeout(() => process.exit(code), 1000).unref();
}
