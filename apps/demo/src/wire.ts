// What the HTTP API sends: runs, steps and events as plain JSON.
import type { AgentEvent, MemoryStep, RunResult } from '@smol/core';
import { CODE_TOOL } from '@smol/core';


function message(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  return error instanceof Error || (typeof error === 'object' && 'message' in error) ? String((error as { message: unknown }).message) : String(error);
}

/** JSON-safe copy of a value a tool or the code returned. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}

export function stepJSON(step: MemoryStep): Record<string, unknown> {
  switch (step.type) {
    case 'task':
      return { type: 'task', task: step.task };
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
        error: message(step.error) ?? null,
        tokenUsage: step.tokenUsage ?? null,
        durationMs: step.timing.duration ?? null,
        isFinalAnswer: step.isFinalAnswer,
      };
    }
  }
}

export function resultJSON(result: RunResult): Record<string, unknown> {
  return {
    runId: result.runId,
    result: jsonSafe(result.output),
    state: result.state,
    steps: result.steps.map(stepJSON),
    tokenUsage: result.tokenUsage,
    durationMs: result.timing.duration,
  };
}

/** One Server-Sent Event per agent event; null for events the page does not need (tool-call deltas). */
export function eventSSE(event: AgentEvent): { event: string; data: Record<string, unknown> } | null {
  switch (event.type) {
    case 'model_delta':
      return event.delta.content ? { event: 'delta', data: { step: event.stepNumber, text: event.delta.content } } : null;
    case 'tool_call':
      if (event.name === CODE_TOOL) return { event: 'code', data: { step: event.stepNumber, code: event.arguments } };
      return { event: 'tool_call', data: { step: event.stepNumber, id: event.callId, name: event.name, arguments: event.arguments } };
    case 'tool_output':
      return { event: 'observation', data: { step: event.stepNumber, name: event.name, observation: event.observation, isError: event.isError } };
    case 'code_output':
      return { event: 'code_output', data: { step: event.stepNumber, logs: event.logs, output: jsonSafe(event.output), isFinalAnswer: event.isFinalAnswer } };
    case 'action_step':
      return { event: 'step', data: stepJSON(event.step) };
    case 'planning_step':
      return { event: 'plan', data: stepJSON(event.step) };
    case 'final_answer':
      return { event: 'final_answer', data: { output: jsonSafe(event.output) } };
  }
}
