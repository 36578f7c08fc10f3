// What goes into Redis: key names, job data, stored outcomes and stream entries (all JSON).
import { stepToJSON, type AgentEvent, type ApprovalRequest, type TokenUsage } from '@smol/core';

export interface Keys {
  run(runId: string): string;
  events(runId: string): string;
  cancelChannel: string;
}

export function keys(prefix: string, queueName: string): Keys {
  const base = `${prefix}:${queueName}`;
  return {
    run: (runId) => `${base}:run:${runId}`,
    events: (runId) => `${base}:run:${runId}:events`,
    cancelChannel: `${base}:cancel`,
  };
}

/** A job: which run, which agent; the task for a new run, the decisions for a paused one. */
export interface RunJobData {
  runId: string;
  agent: string;
  task?: string;
  maxSteps?: number;
  additionalArgs?: Record<string, unknown>;
  decisions?: Record<string, boolean>;
}

/** How a queued run ended (or paused). Stored once per run (HSETNX), except 'awaiting_approval'. */
export type QueuedRunOutcome =
  | {
      runId: string;
      state: 'success' | 'max_steps_error';
      output: unknown;
      actionSteps: number;
      tokenUsage: TokenUsage | null;
      /** Executions of the run (1 unless a worker died or the run was resumed). */
      attempt: number;
    }
  | { runId: string; state: 'awaiting_approval'; pendingApprovals: ApprovalRequest[]; attempt: number }
  | { runId: string; state: 'failed'; error: { name: string; message: string }; attempt: number }
  | { runId: string; state: 'cancelled'; reason: string; attempt: number };

/** An AgentEvent as JSON: a step becomes its JSON form (core's stepToJSON). */
export type StoredAgentEvent = AgentEvent extends infer E ? (E extends { step: unknown } ? Omit<E, 'step'> & { step: Record<string, unknown> } : E) : never;

/** An event as stored in the run's stream: the agent's events, plus the run's pause and end. */
export type QueuedRunEvent =
  | StoredAgentEvent
  | { type: 'run_paused'; pendingApprovals: ApprovalRequest[] }
  | { type: 'run_end'; outcome: QueuedRunOutcome };

export function eventToJSON(event: AgentEvent): string {
  if ('step' in event) return JSON.stringify({ ...event, step: stepToJSON(event.step) });
  return JSON.stringify(event, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message } : value));
}

export const DEFAULT_QUEUE = 'smol-runs';
export const DEFAULT_PREFIX = 'smol';
