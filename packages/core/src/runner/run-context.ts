import type { AgentMemory, MemoryStep } from '../memory.js';
import type { TokenUsage } from '../messages.js';
import { addUsage } from '../messages.js';
import type { AgentObserver, RunInfo } from './observers.js';

export type RunState = 'success' | 'max_steps_error';

export interface RunResult<T = unknown> {
  runId: string;
  output: T;
  state: RunState;
  steps: MemoryStep[];
  /** Summed over the run's steps; null when any model call reported no usage. */
  tokenUsage: TokenUsage | null;
  timing: { startTime: number; endTime: number; duration: number };
}

/** Everything that changes during one run. The agent holds none of it. */
export class RunContext {
  readonly id: string = crypto.randomUUID();
  readonly startTime = Date.now();
  stepNumber = 1;
  /** Resources the run owns (sandbox sessions, …), released when it settles. */
  readonly disposers: (() => Promise<void> | void)[] = [];
  /** Index of this run's first step in memory (memory may continue an earlier run). */
  readonly firstStep: number;
  /** What observers are told about this run. */
  readonly info: RunInfo;

  constructor(
    readonly task: string,
    readonly memory: AgentMemory,
    readonly signal: AbortSignal,
    readonly maxSteps: number,
    readonly stream: boolean,
    /** additionalArgs and values tools or code keep for later steps. */
    readonly state: Record<string, unknown>,
    readonly observers: readonly AgentObserver[],
    info: Omit<RunInfo, 'runId'>,
  ) {
    this.firstStep = memory.steps.length;
    this.info = { runId: this.id, ...info };
  }

  tokenUsage(): TokenUsage | null {
    let total: TokenUsage | undefined = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    for (let i = this.firstStep; i < this.memory.steps.length; i++) {
      const step = this.memory.steps[i];
      if (step.type !== 'action' && step.type !== 'planning') continue;
      if (!step.tokenUsage) return null;
      total = addUsage(total, step.tokenUsage);
    }
    return total ?? null;
  }
}
