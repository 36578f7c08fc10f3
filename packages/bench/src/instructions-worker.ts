// One process of the instruction count (instructions.ts runs it under valgrind): a runner's
// agents against an in-process server, `warmup` batches of `n` agents, then `batches` more. The
// difference between a run with batches and one without is the work of those batches alone,
// without Node's start-up, module loading or the warm-up's compilation.
//   argv[2]: {"runner":"smol","n":50,"warmup":30,"batches":12}
import { inProcessServer } from './in-process-server.ts';
import { loadRunner } from './worker.ts';

interface InstructionsJob {
  runner: string;
  n: number;
  warmup: number;
  batches: number;
}

const job = JSON.parse(process.argv[2]) as InstructionsJob;

const server = inProcessServer();
const runner = await loadRunner({ runner: job.runner, baseURL: 'http://127.0.0.1:9/v1', stream: false, sockets: 1, fetch: server.fetch });
let next = 0;
const batch = () => Promise.all(Array.from({ length: job.n }, () => runner.runOne(next++)));
for (let i = 0; i < job.warmup; i++) await batch();
const before = server.calls();
for (let i = 0; i < job.batches; i++) await batch();
const expected = job.batches * job.n * runner.stepsPerAgent;
const calls = server.calls() - before;
if (calls !== expected) throw new Error(`${job.runner}: ${calls} model calls, expected ${expected}`);
process.stdout.write(`CALLS ${calls}\n`);
