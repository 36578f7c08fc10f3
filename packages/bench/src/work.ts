// The work every runner does: one task per agent, a `lookup` tool, and the simulated server's
// tool scenario (two tool calls, then the answer: 3 model calls per agent).

export const MODEL_ID = 'mock-model';
export const API_KEY = 'sk-bench';
export const TOOL_NAME = 'lookup';
export const TOOL_DESCRIPTION = 'Looks a word up and returns its definition.';

/** The task of agent `i`; the mock's answer quotes it, so each run can check it got its own. */
export function taskFor(i: number): string {
  return `Define word ${i}`;
}

/** The tool itself: cheap and synchronous, so the bench measures the framework, not the tool. */
export function lookup(word: string): string {
  return `definition of ${word.slice(0, 40)}`;
}

/** A tool scenario answer quotes the task and both tool results: "Answer to "T": r1 | r2". */
export function checkAnswer(output: unknown, i: number): boolean {
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  return typeof text === 'string' && text.includes(`${taskFor(i)}"`) && text.includes(' | ');
}

/** What a runner gives the worker: one agent run per call. */
export interface Runner {
  /** Runs agent `i` to its answer. `signal` aborts it. */
  runOne(i: number, signal?: AbortSignal): Promise<unknown>;
  /** Model calls per agent, for CPU per step. */
  readonly stepsPerAgent: number;
  /** Checks one output; default checkAnswer. */
  check?(output: unknown, i: number): boolean;
  close?(): Promise<void>;
}

export interface RunnerOptions {
  /** The mock's base URL, ending in /v1. */
  baseURL: string;
  /** Stream the model's tokens. */
  stream: boolean;
  /** Sockets per origin for runners that take a cap (floor). */
  sockets: number;
  /** In place of the network (the instruction count's in-process server); only smol and openai-sdk take it. */
  fetch?: typeof fetch;
}

export type RunnerFactory = (options: RunnerOptions) => Promise<Runner>;

/**
 * The peers run on the global fetch. Left alone it opens a socket per request in flight, and at
 * 10,000 agents that hits this machine's open-files limit (20,000, EMFILE). Cap it like the floor
 * (1,024 connections per origin) through undici's global dispatcher, which the global fetch uses.
 */
export async function capGlobalFetch(connections: number): Promise<void> {
  const { Agent, setGlobalDispatcher } = await import('undici');
  setGlobalDispatcher(new Agent({ connections }));
}
