// A smol agent as an AI SDK tool: generateText / streamText (or an AI SDK agent) hands it a task,
// the agent runs it with the AI SDK's abort signal, and reports progress as preliminary results.
import type { AgentEvent, AgentRun, RunOptions } from '@smol/core';
import { jsonSchema, tool, type Tool } from 'ai';

/** What the tool yields: progress while the agent runs, then its answer (the last result). */
export interface AgentToolResult {
  status: 'running' | 'done';
  /** Action steps finished so far. */
  steps: number;
  /** The last tool the agent called (for a CodeAgent: `javascript_interpreter` with its code). */
  lastToolCall?: { name: string; arguments: unknown };
  /** The last observation the agent got back. */
  lastObservation?: string;
  /** The agent's final answer, when `status` is 'done'. */
  output?: unknown;
}

/** The part of an agent this tool uses; every smol agent (ToolCallingAgent, CodeAgent) has it. */
export interface RunnableAgent {
  readonly name?: string;
  readonly description?: string;
  arun(task: string, options: RunOptions & { stream: true }): AgentRun;
}

export interface AgentToolOptions {
  /** What the calling model reads. Default: the agent's description. */
  description?: string;
  /** How the `task` argument is described to the calling model. */
  taskDescription?: string;
  /** Per-call run options (maxSteps, additionalArgs, …); `signal` comes from the AI SDK. */
  runOptions?: Omit<RunOptions, 'stream' | 'signal'>;
}

function answerText(output: unknown): string {
  if (typeof output === 'string') return output;
  try {
    return JSON.stringify(output) ?? String(output);
  } catch {
    return String(output);
  }
}

function truncate(text: string, max = 2000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A smol agent as an AI SDK tool with input `{ task: string }`. Its `execute` runs the agent as
 * an async generator: each finished tool call and step is a preliminary result, the final answer
 * is the last one, and only the answer goes back to the calling model. The AI SDK's
 * `abortSignal` is the run's signal.
 */
export function agentTool(agent: RunnableAgent, options: AgentToolOptions = {}): Tool<{ task: string }, AgentToolResult> {
  const description = options.description ?? agent.description ?? `Runs the smol agent ${agent.name ?? ''} on a task and returns its answer.`.replace('  ', ' ');
  return tool({
    description,
    inputSchema: jsonSchema<{ task: string }>({
      type: 'object',
      properties: { task: { type: 'string', description: options.taskDescription ?? 'The task for the agent, with every detail it needs.' } },
      required: ['task'],
      additionalProperties: false,
    }),
    async *execute({ task }, { abortSignal }): AsyncGenerator<AgentToolResult, void, undefined> {
      const run = agent.arun(task, { ...options.runOptions, stream: true, signal: abortSignal });
      const progress: AgentToolResult = { status: 'running', steps: 0 };
      // Leaving this loop early (the AI SDK stopped reading) ends the run: AgentRun treats it as a cancel.
      for await (const event of run as AsyncIterable<AgentEvent>) {
        if (event.type === 'tool_call') {
          progress.lastToolCall = { name: event.name, arguments: event.arguments };
          yield { ...progress };
        } else if (event.type === 'tool_output') {
          progress.lastObservation = truncate(event.observation);
          yield { ...progress };
        } else if (event.type === 'action_step') {
          progress.steps++;
          yield { ...progress };
        }
      }
      const result = await run.result;
      yield { status: 'done', steps: progress.steps, output: result.output };
    },
    toModelOutput: ({ output }) => ({ type: 'text', value: output.status === 'done' ? answerText(output.output) : 'The agent did not finish.' }),
  });
}
