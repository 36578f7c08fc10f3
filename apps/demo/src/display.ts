// Live terminal display of one run, from its event stream: the model's words as they arrive,
// tool calls and their observations, code output, a footer per step and the final answer.
import { AgentGenerationError, type AgentEvent, type TokenUsage } from '@smol/core';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const same = (s: string) => s;
export const PLAIN: Style = { bold: same, dim: same, red: same, green: same, cyan: same };
export const COLORS: Style = { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), green: ansi(32, 39), cyan: ansi(36, 39) };

export function styleFor(out: Output, env: Readonly<Record<string, string | undefined>> = {}): Style {
  return out.isTTY && !env.NO_COLOR ? COLORS : PLAIN;
}

/** The name CodeAgent gives its code action when it reports it as a tool call. */
const CODE_TOOL = 'javascript_interpreter';

export function short(value: unknown, max = 300): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatUsage(usage: TokenUsage | null | undefined): string {
  return usage ? `${usage.inputTokens.toLocaleString('en-US')} input / ${usage.outputTokens.toLocaleString('en-US')} output tokens` : 'no token usage reported';
}

/** Shows one run's events as they happen. */
export class LiveDisplay {
  private step = 0;
  /** The cursor is after streamed text, not at the start of a line. */
  private midLine = false;

  constructor(
    private readonly out: Output,
    private readonly style: Style = PLAIN,
  ) {}

  private line(text: string): void {
    if (this.midLine) this.out.write('\n');
    this.midLine = false;
    this.out.write(`${text}\n`);
  }

  private enterStep(stepNumber: number): void {
    if (stepNumber === this.step) return;
    this.step = stepNumber;
    const head = `── Step ${stepNumber} `;
    this.line(this.style.bold(head + '─'.repeat(Math.max(3, 64 - head.length))));
  }

  handle(event: AgentEvent): void {
    const s = this.style;
    switch (event.type) {
      case 'model_delta': {
        this.enterStep(event.stepNumber);
        const text = event.delta.content;
        if (text) {
          this.out.write(s.dim(text));
          this.midLine = !text.endsWith('\n');
        }
        return;
      }
      case 'tool_call': {
        this.enterStep(event.stepNumber);
        const { name, arguments: args } = event.toolCall.function;
        if (name === CODE_TOOL) this.line(s.cyan('  ⚙ running the code in the sandbox'));
        else this.line(s.cyan(`  → ${name}(${short(args, 200)})`));
        return;
      }
      case 'tool_output': {
        if (event.name === 'final_answer') return;
        const text = `  ← ${event.name}: ${short(event.observation)}`;
        this.line(event.isError ? s.red(text) : text);
        return;
      }
      case 'code_output': {
        const logs = event.logs.trimEnd();
        if (logs) for (const l of logs.split('\n')) this.line(`  │ ${short(l, 200)}`);
        return;
      }
      case 'action_step': {
        const step = event.step;
        // A failed model call ends the run: the CLI reports it once, on stderr.
        const error: unknown = step.error;
        if (step.error && !AgentGenerationError.isInstance(error)) this.line(s.red(`  ✗ ${short(step.error.message)}`));
        const parts = [`Step ${step.stepNumber}`];
        if (step.timing.duration !== undefined) parts.push(formatMs(step.timing.duration));
        if (step.tokenUsage) parts.push(formatUsage(step.tokenUsage));
        this.line(s.dim(`  [${parts.join(' | ')}]`));
        return;
      }
      case 'planning_step':
        this.line(s.dim(`  Plan: ${short(event.step.plan, 500)}`));
        return;
      case 'final_answer':
        this.line(s.green(s.bold(`✓ Final answer: ${short(event.output, 500)}`)));
        return;
    }
  }
}
