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

/**
 * A new action step with the fields most steps fill already there (unset): fields added one by
 * one as a step fills would each move it to another shape, and into a second allocation that a
 * run keeps as long as the step. The rarer ones (error, actionOutput, code, images) are added when set.
 */
export function newActionStep(stepNumber: number): ActionStep {
  return {
    type: 'action',
    stepNumber,
    timing: { startTime: Date.now() },
    modelOutputMessage: undefined,
    modelOutput: undefined,
    toolCalls: undefined,
    observations: undefined,
    isFinalAnswer: false,
    tokenUsage: undefined,
  };
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

// Plain string content: a part list would be two more objects per message, held by every run for its whole life.
const text = (role: ChatMessage['role'], value: string): ChatMessage => ({ role, content: value });

/** How a step appears in the prompt; the smolagents layout. Cached per step in AgentMemory. */
export function stepToMessages(step: MemoryStep | SystemPromptStep, summaryMode = false): ChatMessage[] {
  switch (step.type) {
    case 'system_prompt':
      return summaryMode ? [] : [text('system', step.systemPrompt)];
    case 'task': {
      const task = `New task:\n${step.task}`;
      return [step.images?.length ? { role: 'user', content: [{ type: 'text', text: task }, ...step.images] } : text('user', task)];
    }
    case 'planning':
      return summaryMode ? [] : [text('assistant', step.plan.trim()), text('user', 'Now proceed and carry out this plan.')];
    case 'final_answer':
      return [];
    case 'action': {
      // Pushed, then copied: an array grown by push has room for 17, and a run keeps this one for its whole life.
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
      return out.slice();
    }
  }
}

/**
 * A step's prompt messages, with the step and the fields they were made from. A step edited
 * later (a step callback that drops an old step's screenshots, as in smolagents) is converted
 * again; an unchanged one costs a few identity checks.
 */
interface Converted {
  step: MemoryStep;
  messages: ChatMessage[];
  a: unknown;
  b: unknown;
  c: unknown;
  d: unknown;
  e: unknown;
}

/**
 * A run's memory: the system prompt and the steps, each turned into messages once, and again
 * only when a step's field is replaced (assign a new value: an array edited in place is not seen).
 */
export class AgentMemory {
  readonly steps: MemoryStep[] = [];
  /** Each step's messages, by the step's index: one array per run, where a hidden property on each step cost the step a second allocation. */
  #converted: Converted[] = [];

  constructor(public systemPrompt: SystemPromptStep) {}

  /** The prompt for the next model call. Finished steps are converted once, then reused while unchanged. */
  toMessages(summaryMode = false): ChatMessage[] {
    // Summary mode is rare (planning updates, run summaries): not cached.
    if (summaryMode) return [this.systemPrompt, ...this.steps].flatMap((step) => stepToMessages(step, true));
    const system = systemPromptMessages(this.systemPrompt.systemPrompt);
    const { steps } = this;
    let cache = this.#converted;
    if (cache.length !== steps.length) {
      // Exactly one entry per step: an array grown by assignment has room for 17, which a run would hold
      // for its whole life. Entries past a removed step are checked below: each names its step.
      const resized: Converted[] = new Array(steps.length);
      const kept = Math.min(cache.length, steps.length);
      for (let i = 0; i < kept; i++) resized[i] = cache[i];
      this.#converted = cache = resized;
    }
    let count = system.length;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      let c: Converted | undefined = cache[i];
      if (c === undefined || c.step !== step || !unchanged(step, c)) cache[i] = c = convert(step);
      count += c.messages.length;
    }
    // Sized once: a run builds this array for every model call.
    const messages: ChatMessage[] = new Array(count);
    let n = 0;
    for (const m of system) messages[n++] = m;
    for (let i = 0; i < steps.length; i++) for (const m of cache[i].messages) messages[n++] = m;
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
    // Entries are replaced, never changed: the copy may share them.
    copy.#converted.push(...this.#converted);
    return copy;
  }

  toJSON(): MemoryJSON {
    return memoryToJSON(this);
  }

  static fromJSON(json: MemoryJSON): AgentMemory {
    return memoryFromJSON(json);
  }
}

/**
 * System prompts' messages, shared by every run with the same prompt (an agent's runs all have
 * one), frozen so that no run can change another's. Bounded: cleared when it holds 64 prompts.
 */
const systemPrompts = new Map<string, ChatMessage[]>();

function systemPromptMessages(systemPrompt: string): ChatMessage[] {
  let shared = systemPrompts.get(systemPrompt);
  if (!shared) {
    if (systemPrompts.size >= 64) systemPrompts.clear();
    shared = Object.freeze(stepToMessages({ type: 'system_prompt', systemPrompt }).map((m) => Object.freeze(m))) as ChatMessage[];
    systemPrompts.set(systemPrompt, shared);
  }
  return shared;
}

/** The step's messages and the fields they are made from (see stepToMessages); only those, since a run keeps one per step. */
function convert(step: MemoryStep): Converted {
  const messages = stepToMessages(step);
  // Every kind in one shape: the run's cache holds one kind of object.
  switch (step.type) {
    case 'action':
      return { step, messages, a: step.modelOutput, b: step.toolCalls, c: step.observations, d: step.observationsImages, e: step.error };
    case 'task':
      return { step, messages, a: step.task, b: step.images, c: undefined, d: undefined, e: undefined };
    case 'planning':
      return { step, messages, a: step.plan, b: undefined, c: undefined, d: undefined, e: undefined };
    case 'final_answer':
      return { step, messages, a: undefined, b: undefined, c: undefined, d: undefined, e: undefined };
  }
}

function unchanged(step: MemoryStep, c: Converted): boolean {
  switch (step.type) {
    case 'action':
      return c.a === step.modelOutput && c.b === step.toolCalls && c.c === step.observations && c.d === step.observationsImages && c.e === step.error;
    case 'task':
      return c.a === step.task && c.b === step.images;
    case 'planning':
      return c.a === step.plan;
    case 'final_answer':
      return true;
  }
}
