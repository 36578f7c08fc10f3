import { assertNever } from '../events.js';
import { FINAL_ANSWER } from '../tools.js';
import type { AgentMemory } from '../memory.js';
import {
  ANSI,
  PLAIN,
  codeBlock,
  codeOf,
  errorLine,
  errorMessage,
  finalAnswerLine,
  observationLines,
  rule,
  stepFooter,
  toolCallLine,
  withoutCode,
} from './format.js';

export interface ReplayOptions {
  /** ANSI colours. Default false: the text usually goes to a file or a test. */
  colors?: boolean;
  /** Observations, arguments and answers longer than this are cut. Default 1000. */
  maxChars?: number;
  /** Include the system prompt. Default false: it is long and the same for every run. */
  systemPrompt?: boolean;
}

/**
 * A finished run's memory as readable text, in the live logger's layout: the task, then
 * per step its rule, model output, code or tool calls, observations, error, tokens and
 * duration, and the final answer.
 */
export function formatReplay(memory: AgentMemory, options: ReplayOptions = {}): string {
  const s = options.colors ? ANSI : PLAIN;
  const max = options.maxChars ?? 1000;
  const out: string[] = [];
  if (options.systemPrompt) out.push(rule('System prompt', s), memory.systemPrompt.systemPrompt.trim());
  for (const step of memory.steps) {
    switch (step.type) {
      case 'task':
        out.push(rule('New run', s), `${s.bold('Task:')} ${step.task}`);
        break;
      case 'planning':
        out.push(rule('Planning', s), step.plan.trim(), stepFooter('Planning', step, s));
        break;
      case 'action': {
        out.push(rule(`Step ${step.stepNumber}`, s));
        const code = step.codeAction;
        // CodeAgent's output repeats the code; show its prose and the code once, framed.
        const text = (code !== undefined ? withoutCode(step.modelOutput ?? '', code) : (step.modelOutput ?? '')).trim();
        if (text) out.push(text);
        if (code !== undefined) out.push(codeBlock(code, s));
        for (const { function: call } of step.toolCalls ?? []) {
          if (codeOf(call) === undefined) out.push(toolCallLine(call, max, s));
        }
        // A final_answer call's observation is the answer, shown below.
        const answerCall = step.toolCalls?.length === 1 && step.toolCalls[0].function.name === FINAL_ANSWER;
        if (step.observations && !answerCall) out.push(observationLines(step.observations, max, s));
        if (step.error) out.push(errorLine(errorMessage(step.error), max, s));
        if (step.pendingApprovals?.length) {
          out.push(s.yellow(`Waiting for approval: ${step.pendingApprovals.map((p) => p.toolName).join(', ')}`));
        }
        out.push(stepFooter(`Step ${step.stepNumber}`, step, s));
        break;
      }
      case 'final_answer':
        out.push(finalAnswerLine(step.output, max, s));
        break;
      default:
        assertNever(step, 'step');
    }
  }
  return `${out.join('\n')}\n`;
}
