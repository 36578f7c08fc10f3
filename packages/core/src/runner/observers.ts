import type { AgentEvent } from '../events.js';
import type { ChatMessage } from '../messages.js';
import type { ToolCallRequest } from './tool-calls.js';
import type { RunResult } from './run-context.js';

/** What an observer knows about the run it watches. */
export interface RunInfo {
  runId: string;
  agentName?: string;
  task: string;
  modelId: string;
  /** Set when another run started this one (a managed agent called as a tool). */
  parent?: { runId: string; callId?: string };
}

/**
 * Watches runs: the live logger and telemetry are observers. Every hook is optional and
 * synchronous, so an agent without observers pays one empty-array check per hook.
 */
export interface AgentObserver {
  /** Return false to hear nothing more of this run (telemetry does when the run's span does not record). */
  onRunStart?(run: RunInfo): void | false;
  onRunEnd?(run: RunInfo, outcome: { result?: RunResult; error?: unknown }): void;
  onStepStart?(run: RunInfo, stepNumber: number, kind: 'action' | 'planning'): void;
  onModelCallStart?(run: RunInfo, stepNumber: number, messages: readonly ChatMessage[]): void;
  onModelCallEnd?(run: RunInfo, stepNumber: number, outcome: { message?: ChatMessage; error?: unknown }): void;
  onToolCallStart?(run: RunInfo, stepNumber: number, call: ToolCallRequest): void;
  onToolCallEnd?(run: RunInfo, stepNumber: number, call: ToolCallRequest, outcome: { output?: unknown; error?: unknown }): void;
  /** Every event the run yields, streamed or not (including action_step and final_answer). */
  onEvent?(run: RunInfo, event: AgentEvent): void;
}

type Hook = Exclude<keyof AgentObserver, never>;
type Args<K extends Hook> = Parameters<NonNullable<AgentObserver[K]>>;

/**
 * Calls one hook on every observer; an observer that throws must not break the run. Fixed
 * arguments rather than a rest array: a run without observers allocates nothing per hook.
 */
export function notify<K extends Hook>(observers: readonly AgentObserver[], hook: K, ...args: Args<K>): void;
export function notify(observers: readonly AgentObserver[], hook: Hook, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void {
  for (let i = 0; i < observers.length; i++) {
    const observer = observers[i];
    const fn = observer[hook] as ((...args: unknown[]) => void) | undefined;
    if (!fn) continue;
    try {
      fn.call(observer, a, b, c, d);
    } catch {
      // Observers are for display and tracing; their failures are theirs.
    }
  }
}

/** Tells every observer the run started; the run keeps the ones that want to follow it. */
export function startObservers(observers: readonly AgentObserver[], run: RunInfo): readonly AgentObserver[] {
  let kept: AgentObserver[] | undefined;
  for (let i = 0; i < observers.length; i++) {
    let follow = true;
    try {
      follow = observers[i].onRunStart?.(run) !== false;
    } catch {
      // As in notify: an observer's failure is its own.
    }
    if (!follow) kept ??= observers.slice(0, i);
    else kept?.push(observers[i]);
  }
  return kept ?? observers;
}
