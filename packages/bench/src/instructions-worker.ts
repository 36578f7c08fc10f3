// One process of the instruction count (instructions.ts runs it under valgrind): a runner's
// agents against an in-process server, `warmup` batches of `n` agents, then `batches` more. The
// difference between a run with batches and one without is the work of those batches alone,
// without Node's start-up, module loading or the warm-up's compilation.
//   argv[2]: {"runner":"smol","n":50,"warmup":30,"batches":12}
import { inProcessRunner } from './in-process-server.ts';

interface InstructionsJob {
  runner: string;
  n: number;
  warmup: number;
  batches: number;
}

const job = JSON.parse(process.argv[2]) as InstructionsJob;
const runner = await inProcessRunner(job.runner, job.n);
await runner.batches(job.warmup);
process.stdout.write(`CALLS ${await runner.batches(job.batches)}\n`);
