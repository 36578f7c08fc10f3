import type { AgentError } from './errors.js';
import type { ChatMessage, ChatMessageToolCall, ImagePart, TokenUsage } from './messages.js';
import type { MemoryJSON } from './memory-json.js';
import { memoryFromJSON, memoryToJSON, stepToJSON } from './memory-json.js';

export interface Timing {
  startTime: number;
  endTime?: number;
  /** Milliseconds. */
  duration?: number;
}

export interface SystemPromptStep {
  type: 'system_prompt';
  systemPrompt: string;
}

export interface TaskStep {
  type: 'task';
  task: string;
  images?: ImagePart[];
}

export interface ActionStep {
  type: 'action';
  stepNumber: number;
  timing: Timing;
  modelOutputMessage?: ChatMessage;
  modelOutput?: string;
  toolCalls?: ChatMessageToolCall[];
  /** CodeAgent: the code that ran in this step. */
  codeAction?: string;
  observations?: string;
  observationsImages?: ImagePart[];
  error?: AgentError;
  actionOutput?: unknown;
  isFinalAnswer: boolean;
  tokenUsage?: TokenUsage;
  /** Tool calls waiting for a human's decision; the run pauses on this step. */
  pendingApprovals?: ApprovalRequest[];
}

export interface ApprovalRequest {
  runId: string;
  callId: string;
  toolName: string;
  arguments: unknown;
}

export interface PlanningStep {
  type: 'planning';
  plan: string;
  modelOutputMessage?: ChatMessage;
  timing: Timing;
  tokenUsage?: TokenUsage;
}

export interface FinalAnswerStep {
  type: 'final_answer';
  output: unknown;
}

export type MemoryStep = TaskStep | ActionStep | PlanningStep | FinalAnswerStep;

const RETRY_HINT =
  "\nNow let's retry: take care not to repeat previous errors! If you have retried several times, try a completely different approach.\n";

const text = (role: ChatMessage['role'], value: string): ChatMessage => ({ role, content: [{ type: 'text', text: value }] });

/** How a step appears in the prompt; the smolagents layout. Cached per step in AgentMemory. */
export function stepToMessages(step: MemoryStep | SystemPromptStep, summaryMode = false): ChatMessage[] {
  switch (step.type) {
    case 'system_prompt':
      return summaryMode ? [] : [text('system', step.systemPrompt)];
    case 'task': {
      const content: ChatMessage['content'] = [{ type: 'text', text: `New task:\n${step.task}` }, ...(step.images ?? [])];
      return [{ role: 'user', content }];
    }
    case 'planning':
      return summaryMode ? [] : [text('assistant', step.plan.trim()), text('user', 'Now proceed and carry out this plan.')];
    case 'final_answer':
      return [];
    case 'action': {
      const out: ChatMessage[] = [];
      if (step.modelOutput != null && step.modelOutput !== '' && !summaryMode) out.push(text('assistant', step.modelOutput.trim()));
      if (step.toolCalls && step.toolCalls.length > 0) {
        const calls = step.toolCalls.map((c) => ({ id: c.id, type: c.type, function: c.function }));
        out.push(text('tool-call', `Calling tools:\n${JSON.stringify(calls)}`));
      }
      if (step.observationsImages && step.observationsImages.length > 0) out.push({ role: 'user', content: step.observationsImages });
      if (step.observations != null) out.push(text('tool-response', `Observation:\n${step.observations}`));
      if (step.error) {
        const callId = step.toolCalls && step.toolCalls.length > 0 ? `Call id: ${step.toolCalls[0].id}\n` : '';
        out.push(text('tool-response', `${callId}Error:\n${step.error.message}${RETRY_HINT}`));
      }
      return out;
    }
  }
}

/** Where a finished step keeps its prompt messages (a hidden property; a WeakMap per run cost more GC). */
const MESSAGES = Symbol('smol.messages');
type CachedStep = (MemoryStep | SystemPromptStep) & { [MESSAGES]?: ChatMessage[] };

/** A run's memory: the system prompt and the steps, each turned into messages once. */
export class AgentMemory {
  readonly steps: MemoryStep[] = [];

  constructor(public systemPrompt: SystemPromptStep) {}

  /** The prompt for the next model call. Finished steps are converted once, then reused. */
  toMessages(summaryMode = false): ChatMessage[] {
    const messages: ChatMessage[] = [];
    append(messages, this.systemPrompt, summaryMode);
    for (const step of this.steps) append(messages, step, summaryMode);
    return messages;
  }

  /** Every step with every field, as plain JSON-safe objects. */
  getFullSteps(): Record<string, unknown>[] {
    return this.steps.map(stepToJSON);
  }

  /** Steps without the model's raw input and output messages. */
  getSuccinctSteps(): Record<string, unknown>[] {
    return this.getFullSteps().map(({ modelOutputMessage: _omit, ...rest }) => rest);
  }

  /** CodeAgent: every step's code, joined as one script. */
  returnFullCode(): string {
    return this.steps
      .filter((s): s is ActionStep => s.type === 'action' && typeof s.codeAction === 'string')
      .map((s) => s.codeAction)
      .join('\n\n');
  }

  /** A copy: new arrays, same (immutable) step objects. */
  clone(): AgentMemory {
    const copy = new AgentMemory(this.systemPrompt);
    copy.steps.push(...this.steps);
    return copy;
  }

  toJSON(): MemoryJSON {
    return memoryToJSON(this);
  }

  static fromJSON(json: MemoryJSON): AgentMemory {
    return memoryFromJSON(json);
  }
}

function append(into: ChatMessage[], step: CachedStep, summaryMode: boolean): void {
  // Summary mode is rare (planning updates, run summaries): not cached.
  let msgs = summaryMode ? stepToMessages(step, true) : step[MESSAGES];
  if (!msgs) {
    msgs = stepToMessages(step);
    // Not enumerable: copies, equality checks and JSON never see it.
    Object.defineProperty(step, MESSAGES, { value: msgs });
  }
  for (const m of msgs) into.push(m);
}
