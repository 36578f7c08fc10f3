import type { DemoArgs } from './args.js';
import type { Io } from './demo.js';

export async function serve(_args: DemoArgs, _io: Io): Promise<void> {
  throw new Error('`serve` is not built yet.');
}
