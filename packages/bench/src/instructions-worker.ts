// One process of the instruction count (instructions.ts runs it under valgrind): a runner's
// agents against an in-process server, `warmup` batches of `n` agents, then `batches` more. The
// difference between a run with batches and one without is the work of those batches alone,
// without Node's start-up, module loading or the warm-up's compilation.
//   argv[2]: {"runner":"smol","n":50,"warmup":30,"batches":12}
import { loadRunner } from './worker.ts';
import { MODEL_ID, taskFor } from './work.ts';

interface InstructionsJob {
  runner: string;
  n: number;
  warmup: number;
  batches: number;
}

const job = JSON.parse(process.argv[2]) as InstructionsJob;

// The tool scenario of the simulated server (two lookups, then the answer), answered from
// strings made once: the server's own work is not the client's, so it is kept to a few scans.
const completion = (message: Record<string, unknown>, finish: string): string =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: MODEL_ID, choices: [{ index: 0, message, finish_reason: finish }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
const toolCall = (name: string, args: unknown): string =>
  completion({ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name, arguments: JSON.stringify(args) } }] }, 'tool_calls');
const LOOKUP = toolCall('lookup', { word: 'word' });
const FINAL_TOOL = toolCall('final_answer', { answer: 'definition | definition' });
const FINAL_TEXT = completion({ role: 'assistant', content: 'definition | definition' }, 'stop');
const HEADERS = { 'content-type': 'application/json' };

let calls = 0;
function count(text: string, what: string): number {
  let n = 0;
  for (let i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length)) n++;
  return n;
}
const server = async (_url: unknown, init?: RequestInit): Promise<Response> => {
  calls++;
  const body = String(init?.body ?? '');
  // Earlier tool results: native `tool` messages (the SDK loop) or smol's "Observation:\n" text.
  const results = count(body, '"role":"tool"') + count(body, 'Observation:\\n');
  const text = results < 2 ? LOOKUP : body.includes('"final_answer"') ? FINAL_TOOL : FINAL_TEXT;
  return new Response(text, { status: 200, headers: HEADERS });
};

const runner = await loadRunner({ runner: job.runner, baseURL: 'http://127.0.0.1:9/v1', stream: false, sockets: 1, fetch: server as typeof fetch });
let next = 0;
const batch = () => Promise.all(Array.from({ length: job.n }, () => runner.runOne(next++)));
for (let i = 0; i < job.warmup; i++) await batch();
const before = calls;
for (let i = 0; i < job.batches; i++) await batch();
const expected = job.batches * job.n * runner.stepsPerAgent;
if (calls - before !== expected) throw new Error(`${job.runner}: ${calls - before} model calls, expected ${expected}`);
process.stdout.write(`CALLS ${calls - before}\n`);
