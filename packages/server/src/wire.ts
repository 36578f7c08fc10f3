// What the HTTP API sends: runs, steps and events as plain JSON. Never a header, key or raw provider error.
import { AgentAbortError, AgentError, AgentGenerationError, CODE_TOOL, type AgentEvent, type ImagePart, type MemoryStep, type RunResult } from '@smol/core';
import { imagePartUrl } from '@smol/core/provider';

/** The tool a CodeAgent's code runs through; shown as code, not as a tool call. */

function message(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  const text = error instanceof Error || (typeof error === 'object' && 'message' in error) ? String((error as { message: unknown }).message) : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

/** JSON-safe copy of a value a tool or the code returned. */
export function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}

const images = (parts: readonly ImagePart[] | undefined) => (parts && parts.length > 0 ? parts.map(imagePartUrl) : undefined);

export function stepJSON(step: MemoryStep): Record<string, unknown> {
  switch (step.type) {
    case 'task':
      return { type: 'task', task: step.task, ...(step.images?.length ? { images: step.images.length } : {}) };
    case 'planning':
      return { type: 'planning', plan: step.plan, tokenUsage: step.tokenUsage ?? null, durationMs: step.timing.duration ?? null };
    case 'final_answer':
      return { type: 'final_answer', output: jsonSafe(step.output) };
    case 'action': {
      const calls = step.toolCalls ?? [];
      return {
        type: 'action',
        stepNumber: step.stepNumber,
        modelOutput: step.modelOutput ?? null,
        code: step.codeAction ?? null,
        toolCalls: calls.filter((c) => c.function.name !== CODE_TOOL).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
        observations: step.observations ?? null,
        images: images(step.observationsImages) ?? [],
        error: message(step.error) ?? null,
        tokenUsage: step.tokenUsage ?? null,
        durationMs: step.timing.duration ?? null,
        isFinalAnswer: step.isFinalAnswer,
        ...(step.pendingApprovals?.length ? { pendingApprovals: step.pendingApprovals } : {}),
      };
    }
  }
}

/** A finished run as JSON: what POST /api/runs answers and what the `done` event carries. */
export function resultJSON(result: RunResult, agent: string): Record<string, unknown> {
  const steps = result.steps.map(stepJSON);
  const stepCount = result.steps.filter((s) => s.type === 'action').length;
  return {
    runId: result.runId,
    agent,
    state: result.state,
    output: jsonSafe(result.output),
    stepCount,
    tokenUsage: result.tokenUsage,
    durationMs: result.timing.duration,
    ...(result.state === 'max_steps_error'
      ? { note: "The run reached its step limit without a final answer; the output is the model's best answer from its memory." }
      : {}),
    ...(result.state === 'awaiting_approval' ? { pendingApprovals: result.pendingApprovals ?? [] } : {}),
    steps,
  };
}

export type AbortCause = 'cancelled' | 'disconnected' | 'timeout' | 'shutdown';

/** A failed run as JSON: the error's kind and its one-line message (providers already redact keys). */
export function errorJSON(error: unknown, cause?: AbortCause): { error: string; kind: string; cause?: AbortCause } {
  const kind = AgentError.isInstance(error) ? (error as Error).name : 'Error';
  const text = message(error) ?? 'unknown error';
  return AgentAbortError.isInstance(error) && cause ? { error: text, kind, cause } : { error: text, kind };
}

/** HTTP status for a run that failed: 499 cancelled or disconnected, 504 over its time limit, 503 shutdown, 502 model failure, else 500. */
export function errorStatus(error: unknown, cause?: AbortCause): number {
  if (AgentAbortError.isInstance(error)) return cause === 'timeout' ? 504 : cause === 'shutdown' ? 503 : 499;
  return AgentGenerationError.isInstance(error) ? 502 : 500;
}

/** One Server-Sent Event per agent event; null for events nobody needs (tool-call deltas). */
export function eventSSE(event: AgentEvent): { event: string; data: Record<string, unknown> } | null {
  switch (event.type) {
    case 'model_delta':
      return event.delta.content ? { event: 'delta', data: { step: event.stepNumber, text: event.delta.content } } : null;
    case 'tool_call':
      if (event.name === CODE_TOOL) return { event: 'code', data: { step: event.stepNumber, code: event.arguments } };
      return { event: 'tool_call', data: { step: event.stepNumber, id: event.callId, name: event.name, arguments: event.arguments } };
    case 'tool_output':
      return { event: 'observation', data: { step: event.stepNumber, id: event.callId, name: event.name, observation: event.observation, isError: event.isError } };
    case 'code_output':
      return { event: 'code_output', data: { step: event.stepNumber, logs: event.logs, output: jsonSafe(event.output), isFinalAnswer: event.isFinalAnswer } };
    case 'action_step':
      return { event: 'step', data: stepJSON(event.step) };
    case 'planning_step':
      return { event: 'plan', data: stepJSON(event.step) };
    case 'final_answer':
      return { event: 'final_answer', data: { output: jsonSafe(event.output) } };
    default: {
      // A new event kind fails to compile here until the page is told about it.
      const unhandled: never = event;
      return unhandled;
    }
  }
}
