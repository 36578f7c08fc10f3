import type { ActionStep, FinalAnswerStep, PlanningStep } from './memory.js';
import type { ChatMessageStreamDelta } from './messages.js';

/** Everything a run yields: a discriminated union on `type`. */
export type AgentEvent =
  /** A piece of the model's reply (streamed runs only). */
  | { type: 'model_delta'; stepNumber: number; delta: ChatMessageStreamDelta }
  /**
   * The model called a tool: its name and parsed arguments (the raw string when they were not
   * JSON). A CodeAgent's code arrives as a call to `javascript_interpreter` whose arguments are the code.
   */
  | { type: 'tool_call'; stepNumber: number; callId: string; name: string; arguments: unknown }
  | { type: 'tool_output'; stepNumber: number; callId: string; name: string; output: unknown; observation: string; isError: boolean }
  | { type: 'code_output'; stepNumber: number; logs: string; output: unknown; isFinalAnswer: boolean }
  | { type: 'action_step'; step: ActionStep }
  | { type: 'planning_step'; step: PlanningStep }
  | { type: 'final_answer'; step: FinalAnswerStep; output: unknown };

export type AgentEventType = AgentEvent['type'];

/** Fails to compile when a switch over a union (events, steps) misses a case. */
export function assertNever(value: never, what = 'value'): never {
  throw new TypeError(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
