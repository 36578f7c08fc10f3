// How the long-running commands (serve, queue serve, worker) stop on Ctrl-C / SIGTERM.
import type { Io } from './demo.js';

/** On the first SIGINT or SIGTERM: say `message`, run `close`, then exit 0 (or 1 if closing failed). */
export function closeOnSignals(close: () => Promise<void>, io: Io, message = 'stopping…'): void {
  const stop = () => {
    io.stdout.write(`\n${message}\n`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
