import type { ActionStep, FinalAnswerStep, PlanningStep } from './memory.js';
import type { ChatMessageStreamDelta, ChatMessageToolCall } from './messages.js';

/** Everything a streamed run yields: a discriminated union on `type`. */
export type AgentEvent =
  | { type: 'model_delta'; stepNumber: number; delta: ChatMessageStreamDelta }
  | { type: 'tool_call'; stepNumber: number; toolCall: ChatMessageToolCall }
  | { type: 'tool_output'; stepNumber: number; toolCallId: string; name: string; output: unknown; observation: string; isError: boolean }
  | { type: 'code_output'; stepNumber: number; logs: string; output: unknown; isFinalAnswer: boolean }
  | { type: 'action_step'; step: ActionStep }
  | { type: 'planning_step'; step: PlanningStep }
  | { type: 'final_answer'; step: FinalAnswerStep; output: unknown };

export type AgentEventType = AgentEvent['type'];
