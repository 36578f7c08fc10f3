// The simulated server's tool scenario (two lookups, then the answer) as a `fetch` in the same
// process, for the instruction count and the allocation profile: no sockets, no second process.
import { RUN_SIGNAL } from '@smol/core/transport';
import { MODEL_ID } from './work.ts';
import { loadRunner } from './worker.ts';

// Answers are strings made once: the server's own work is not the client's, so it is kept to a few scans.
const completion = (message: Record<string, unknown>, finish: string): string =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: MODEL_ID, choices: [{ index: 0, message, finish_reason: finish }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
const toolCall = (name: string, args: unknown): string =>
  completion({ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name, arguments: JSON.stringify(args) } }] }, 'tool_calls');
const LOOKUP = toolCall('lookup', { word: 'word' });
const FINAL_TOOL = toolCall('final_answer', { answer: 'definition | definition' });
const FINAL_TEXT = completion({ role: 'assistant', content: 'definition | definition' }, 'stop');
const HEADERS = { 'content-type': 'application/json' };

function count(text: string, what: string): number {
  let n = 0;
  for (let i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length)) n++;
  return n;
}

/**
 * A fetch that answers like the simulated server; `calls()` counts the model calls it answered.
 * `hold(results)`, given how many tool results the request carries (call k carries k - 1), may
 * return a promise the answer waits for.
 */
export function inProcessServer(hold?: (results: number) => Promise<void> | undefined): { fetch: typeof fetch; calls(): number } {
  let calls = 0;
  // Like smol's transport, it takes the run's signal beside the SDK's (RUN_SIGNAL): smol's runs
  // then go the way they go on smol's default fetch, without the SDK composing a signal per request.
  const server = async (_url: unknown, init?: RequestInit & { [RUN_SIGNAL]?: AbortSignal }): Promise<Response> => {
    if (init?.[RUN_SIGNAL]?.aborted || init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    calls++;
    const body = String(init?.body ?? '');
    // Earlier tool results: native `tool` messages (the SDK loop) or smol's "Observation:\n" text.
    const results = count(body, '"role":"tool"') + count(body, 'Observation:\\n');
    const held = hold?.(results);
    if (held) await held;
    const text = results < 2 ? LOOKUP : body.includes('"final_answer"') ? FINAL_TOOL : FINAL_TEXT;
    return new Response(text, { status: 200, headers: HEADERS });
  };
  return { fetch: Object.assign(server, { [RUN_SIGNAL]: true }) as unknown as typeof fetch, calls: () => calls };
}

/** The command-line options of the in-process measurements (instructions, allocations). */
export const IN_PROCESS_OPTIONS = {
  runners: { type: 'string', default: 'smol,openai-sdk' },
  n: { type: 'string', default: '50' },
  // V8 goes on optimizing the request path (the SDK's and smol's) until about 20,000 model calls
  // (--trace-opt: its optimizing compiler still compiles hot functions after 10,000): 150 batches
  // of 50 agents (22,500 calls) measure the steady state a long-running process is in.
  warmup: { type: 'string', default: '150' },
  // 48 batches hold several full collections, so where one falls moves the count by little.
  batches: { type: 'string', default: '48' },
} as const;

/**
 * A runner on the in-process server: `batches(k)` runs k batches of `n` agents at once and
 * returns the model calls they made, checked against what the runner's agents must make.
 */
export async function inProcessRunner(name: string, n: number): Promise<{ batches(count: number): Promise<number> }> {
  const server = inProcessServer();
  const runner = await loadRunner({ runner: name, baseURL: 'http://127.0.0.1:9/v1', stream: false, sockets: 1, fetch: server.fetch });
  let next = 0;
  return {
    async batches(count) {
      const before = server.calls();
      for (let i = 0; i < count; i++) await Promise.all(Array.from({ length: n }, () => runner.runOne(next++)));
      const calls = server.calls() - before;
      const expected = count * n * runner.stepsPerAgent;
      if (calls !== expected) throw new Error(`${name}: ${calls} model calls, expected ${expected}`);
      return calls;
    },
  };
}
