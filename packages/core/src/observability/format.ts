// Text building blocks shared by the live logger and formatReplay, so a live run and its
// replay look the same.
import type { ActionStep, PlanningStep } from '../memory.js';
import type { TokenUsage } from '../messages.js';
import type { ToolCallRequest } from '../runner/tool-calls.js';
import { CODE_TOOL } from '../tools.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const same = (s: string) => s;

/** Both styles are built once: choosing one per line allocates nothing. */
export const PLAIN: Style = { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same };
export const ANSI: Style = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
};

/** A tool call as display code sees it (the event's fields). */
export type NamedCall = Pick<ToolCallRequest, 'name' | 'arguments'>;

/** CodeAgent's code arrives as a javascript_interpreter call whose arguments are the code itself. */
export function codeOf(call: NamedCall): string | undefined {
  return call.name === CODE_TOOL && typeof call.arguments === 'string' ? call.arguments : undefined;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** Any value as display text: strings as they are, the rest as JSON. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    const e = error as { name?: string; message: string };
    return e.name ? `${e.name}: ${e.message}` : e.message;
  }
  return String(error);
}

const WIDTH = 72;

/** A horizontal rule with a title: `━━━ Step 3 ━━━━…`. */
export function rule(title: string, style: Style): string {
  const head = `━━━ ${title} `;
  return style.bold(head + '━'.repeat(Math.max(3, WIDTH - head.length)));
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatUsage(usage: TokenUsage | null | undefined): string {
  return usage ? `Input tokens: ${usage.inputTokens.toLocaleString('en-US')} | Output tokens: ${usage.outputTokens.toLocaleString('en-US')}` : '';
}

/** `[Step 2: 1.20 s | Input tokens: 812 | Output tokens: 40]` */
export function stepFooter(label: string, step: ActionStep | PlanningStep, style: Style): string {
  const parts = [label];
  if (step.timing.duration !== undefined) parts[0] += `: ${formatDuration(step.timing.duration)}`;
  const usage = formatUsage(step.tokenUsage);
  if (usage) parts.push(usage);
  return style.dim(`[${parts.join(' | ')}]`);
}

/** Code, framed by a gutter so it stands apart from the prose around it. */
export function codeBlock(code: string, style: Style): string {
  return `${style.bold('Executing code:')}\n${code
    .trimEnd()
    .split('\n')
    .map((l) => style.cyan(`│ ${l}`))
    .join('\n')}`;
}

export function toolCallLine(call: NamedCall, max: number, style: Style): string {
  return `${style.bold(`→ ${call.name}`)}(${truncate(toText(call.arguments), max)})`;
}

export function observationLines(text: string, max: number, style: Style): string {
  return `${style.dim('Observation:')} ${truncate(text, max)}`;
}

export function errorLine(text: string, max: number, style: Style): string {
  return style.red(`✗ ${truncate(text, max)}`);
}

export function finalAnswerLine(output: unknown, max: number, style: Style): string {
  return style.green(style.bold(`Final answer: ${truncate(toText(output), max)}`));
}

/**
 * CodeAgent's model output without its code block (the code is shown on its own, framed),
 * with the tag lines around it (<code>…</code> or a ``` fence).
 */
export function withoutCode(output: string, code: string): string {
  const at = code.trim() ? output.indexOf(code.trim()) : -1;
  if (at < 0) return output;
  const before = output.slice(0, at).replace(/\S*\s*$/, '');
  const after = output.slice(at + code.trim().length).replace(/^\s*\S*/, '');
  return `${before}${after}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
