import { AgentAbortError, AgentConfigError, AgentMaxStepsError } from '../errors.js';
import { FINAL_ANSWER } from '../tools.js';
import type { AgentEvent } from '../events.js';
import { assertNever } from '../events.js';
import type { ActionStep } from '../memory.js';
import type { ChatMessage } from '../messages.js';
import { contentText } from '../messages.js';
import type { AgentObserver, RunInfo } from '../runner/observers.js';
import type { RunResult } from '../runner/run-context.js';
import type { Style } from './format.js';
import {
  ANSI,
  PLAIN,
  codeBlock,
  codeOf,
  errorLine,
  errorMessage,
  finalAnswerLine,
  formatDuration,
  formatUsage,
  observationLines,
  plural,
  rule,
  stepFooter,
  toText,
  toolCallLine,
  truncate,
  withoutCode,
} from './format.js';

export type LogLevel = 'off' | 'error' | 'info' | 'debug';

/** Anything with `write`: process.stderr, a file stream, or a test's collector. */
export interface LogStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface AgentLoggerOptions {
  level: LogLevel;
  /** Default process.stderr. */
  stream?: LogStream;
  /** ANSI colours. Default: the stream is a TTY and NO_COLOR is not set. */
  colors?: boolean;
  /** Observations, arguments and answers longer than this are cut. Default 1000. */
  maxChars?: number;
}

const LEVELS: Record<LogLevel, number> = { off: 0, error: 1, info: 2, debug: 3 };
const NAMES = Object.keys(LEVELS) as LogLevel[];
const ERROR = 1;
const INFO = 2;
const DEBUG = 3;

/** What the logger remembers about one run in flight. */
interface RunLog {
  /** Shown before each line once this run has overlapped another. */
  readonly tag: string;
  tagged: boolean;
  readonly startTime: number;
  steps: number;
  /** The current step's model output was shown already (as deltas or whole). */
  outputShown: boolean;
  /**
   * The model's output, held until the next event: a CodeAgent's code then shows once,
   * framed, instead of inside the prose and again as code.
   */
  pendingOutput: string | undefined;
  /** Deltas were streamed during the current model call. */
  streamed: boolean;
  /** An error of the current step was shown with its tool output; the step need not repeat it. */
  stepErrorShown: boolean;
  /** The last error shown, so the run's end does not print it twice. */
  lastError: unknown;
  /** Streamed text not yet ended by a newline, when lines must be prefixed. */
  partial: string[];
}

/**
 * Live terminal display of runs: a rule per step, the model's output, code and tool calls,
 * observations, errors, tokens and durations, the final answer and a summary. Every hook
 * checks the level before it formats anything, so a disabled logger costs a comparison.
 * One logger may watch many concurrent runs; their lines are then tagged with a short run id.
 */
export class AgentLogger implements AgentObserver {
  #level: number;
  readonly stream: LogStream;
  readonly colors: boolean;
  readonly maxChars: number;
  private readonly style: Style;
  private readonly runs = new Map<string, RunLog>();
  /** The run whose streamed deltas left the terminal mid-line. */
  private openLine: RunLog | undefined;

  constructor(options: AgentLoggerOptions) {
    this.#level = levelNumber(options?.level);
    const stream = options.stream ?? defaultStream();
    this.stream = stream;
    this.colors = options.colors ?? (stream.isTTY === true && !noColor());
    this.style = this.colors ? ANSI : PLAIN;
    this.maxChars = options.maxChars ?? 1000;
  }

  get level(): LogLevel {
    return NAMES[this.#level];
  }

  set level(level: LogLevel) {
    this.#level = levelNumber(level);
  }

  /** Runs being displayed now. */
  get activeRuns(): number {
    return this.runs.size;
  }

  onRunStart(run: RunInfo): void {
    if (this.#level < ERROR) return;
    const log: RunLog = {
      tag: run.runId.slice(0, 6),
      tagged: false,
      startTime: Date.now(),
      steps: 0,
      outputShown: false,
      pendingOutput: undefined,
      streamed: false,
      stepErrorShown: false,
      lastError: undefined,
      partial: [],
    };
    this.runs.set(run.runId, log);
    if (this.#level < INFO) return;
    const s = this.style;
    const who = run.agentName ? `${run.agentName} ` : '';
    this.print(log, `${s.bold(`▶ New run ${who}`)}${s.dim(`(${run.modelId})`)}\n${s.bold('Task:')} ${truncate(run.task, this.maxChars)}`);
  }

  onStepStart(run: RunInfo, stepNumber: number, kind: 'action' | 'planning'): void {
    if (this.#level < INFO) return;
    const log = this.runs.get(run.runId);
    if (!log) return;
    this.print(log, rule(kind === 'planning' ? 'Planning' : `Step ${stepNumber}`, this.style));
  }

  onModelCallStart(run: RunInfo, _stepNumber: number, messages: readonly ChatMessage[]): void {
    if (this.#level < DEBUG) return;
    const log = this.runs.get(run.runId);
    if (log) this.print(log, this.style.dim(`Calling ${run.modelId} with ${plural(messages.length, 'message')}…`));
  }

  onModelCallEnd(run: RunInfo, _stepNumber: number, outcome: { message?: ChatMessage; error?: unknown }): void {
    if (this.#level < INFO) return;
    const log = this.runs.get(run.runId);
    if (!log) return;
    if (log.streamed) {
      this.endStreamedText(log);
      log.streamed = false;
      log.outputShown = true;
      return;
    }
    // A failed call is reported once, by the step or the run that it ends.
    if (!outcome.message) return;
    const text = contentText(outcome.message.content).trim();
    if (text) log.pendingOutput = text;
    log.outputShown = true;
  }

  onEvent(run: RunInfo, event: AgentEvent): void {
    if (this.#level < ERROR) return;
    // Deltas are the hot path of a streamed run: leave before the map lookup unless they show.
    if (event.type === 'model_delta' && (this.#level < DEBUG || !event.delta.content)) return;
    const log = this.runs.get(run.runId);
    if (!log) return;
    const s = this.style;
    switch (event.type) {
      case 'model_delta':
        this.streamText(log, event.delta.content!);
        return;
      case 'tool_call': {
        if (this.#level < INFO) return;
        const code = codeOf(event);
        if (code !== undefined) {
          const prose = log.pendingOutput === undefined ? '' : withoutCode(log.pendingOutput, code).trim();
          log.pendingOutput = undefined;
          this.print(log, prose ? `${prose}\n${codeBlock(code, s)}` : codeBlock(code, s));
        } else {
          this.flushOutput(log);
          this.print(log, toolCallLine(event, this.maxChars, s));
        }
        return;
      }
      case 'tool_output':
        if (event.isError) {
          log.stepErrorShown = true;
          this.print(log, errorLine(`${event.name}: ${event.observation}`, this.maxChars, s));
        } else if (this.#level >= INFO && event.name !== FINAL_ANSWER) {
          this.print(log, observationLines(event.observation, this.maxChars, s));
        }
        return;
      case 'code_output': {
        if (this.#level < INFO) return;
        const lines: string[] = [];
        if (event.logs) lines.push(`${s.dim('Execution logs:')}\n${truncate(event.logs.trimEnd(), this.maxChars)}`);
        if (!event.isFinalAnswer) lines.push(`${s.dim('Out:')} ${truncate(toText(event.output), this.maxChars)}`);
        if (lines.length > 0) this.print(log, lines.join('\n'));
        return;
      }
      case 'action_step':
        this.endActionStep(log, event.step);
        return;
      case 'planning_step':
        log.outputShown = false;
        if (this.#level >= INFO) {
          this.flushOutput(log);
          this.print(log, stepFooter('Planning', event.step, s));
        }
        return;
      case 'final_answer':
        if (this.#level >= INFO) this.print(log, finalAnswerLine(event.output, this.maxChars, s));
        return;
      default:
        assertNever(event, 'event');
    }
  }

  onRunEnd(run: RunInfo, outcome: { result?: RunResult; error?: unknown }): void {
    if (this.#level < ERROR) return;
    const log = this.runs.get(run.runId);
    if (!log) return;
    if (log.partial.length > 0 || this.openLine === log) this.endStreamedText(log);
    this.flushOutput(log);
    const s = this.style;
    const took = formatDuration(Date.now() - log.startTime);
    if (outcome.error !== undefined) {
      const error = outcome.error;
      const what = error === log.lastError ? '(the error is above)' : truncate(errorMessage(error), this.maxChars);
      const line = AgentAbortError.isInstance(error)
        ? s.yellow(`■ Run aborted after ${plural(log.steps, 'step')}, ${took}: ${what}`)
        : s.red(`✗ Run failed after ${plural(log.steps, 'step')}, ${took}: ${what}`);
      this.print(log, line);
    } else if (outcome.result && this.#level >= INFO) {
      this.print(log, this.summary(log, outcome.result, took));
    }
    // Delete last: print() tags lines while this run still counts as active.
    this.runs.delete(run.runId);
  }

  private summary(log: RunLog, result: RunResult, took: string): string {
    const s = this.style;
    const usage = formatUsage(result.tokenUsage);
    const parts = [plural(log.steps, 'step'), took];
    if (usage) parts.push(usage);
    if (result.state === 'success') return s.green(`■ Run finished: ${parts.join(' | ')}`);
    if (result.state === 'awaiting_approval') {
      const names = (result.pendingApprovals ?? []).map((p) => p.toolName).join(', ');
      return s.yellow(`■ Run paused, waiting for approval of ${names}: ${parts.join(' | ')}`);
    }
    return s.yellow(`■ Run ended (${result.state}): ${parts.join(' | ')}`);
  }

  private endActionStep(log: RunLog, step: ActionStep): void {
    log.steps++;
    const s = this.style;
    if (this.#level >= INFO) {
      this.flushOutput(log);
      // The answer written after max steps comes without model-call hooks.
      if (!log.outputShown && step.modelOutput?.trim()) this.print(log, step.modelOutput.trim());
    }
    if (step.error) {
      log.lastError = step.error;
      if (!log.stepErrorShown) {
        const max = AgentMaxStepsError.isInstance(step.error);
        this.print(log, max ? s.yellow(`! ${step.error.message}`) : errorLine(errorMessage(step.error), this.maxChars, s));
      }
    }
    if (this.#level >= INFO) this.print(log, stepFooter(`Step ${step.stepNumber}`, step, s));
    // Reset here, not at onStepStart: below info that hook returns before touching the run.
    log.outputShown = false;
    log.stepErrorShown = false;
  }

  private flushOutput(log: RunLog): void {
    if (log.pendingOutput === undefined) return;
    const text = log.pendingOutput;
    log.pendingOutput = undefined;
    this.print(log, text);
  }

  /** Deltas go straight to the terminal while one run is active, else in whole tagged lines. */
  private streamText(log: RunLog, text: string): void {
    log.streamed = true;
    if (this.runs.size <= 1 && !log.tagged) {
      if (this.openLine && this.openLine !== log) this.closeOpenLine();
      this.stream.write(text);
      this.openLine = text.endsWith('\n') ? undefined : log;
      return;
    }
    const newline = text.lastIndexOf('\n');
    if (newline < 0) {
      log.partial.push(text);
      return;
    }
    log.partial.push(text.slice(0, newline));
    const done = log.partial.join('');
    log.partial.length = 0;
    if (newline < text.length - 1) log.partial.push(text.slice(newline + 1));
    this.print(log, done);
  }

  private endStreamedText(log: RunLog): void {
    if (log.partial.length > 0) {
      const rest = log.partial.join('');
      log.partial.length = 0;
      this.print(log, rest);
    }
    if (this.openLine === log) this.closeOpenLine();
  }

  private closeOpenLine(): void {
    this.stream.write('\n');
    this.openLine = undefined;
  }

  /**
   * One write per block. Once runs share the terminal, each of them keeps its tag to its
   * end, so the tail of a run that outlived the others is still attributable.
   */
  private print(log: RunLog, text: string): void {
    if (this.openLine) this.closeOpenLine();
    if (this.runs.size > 1) log.tagged = true;
    if (log.tagged) {
      const tag = this.style.dim(`[${log.tag}] `);
      text = tag + text.replaceAll('\n', `\n${tag}`);
    }
    this.stream.write(`${text}\n`);
  }
}

function levelNumber(level: LogLevel | undefined): number {
  if (typeof level !== 'string' || !Object.hasOwn(LEVELS, level)) {
    throw new AgentConfigError(`AgentLogger level must be one of ${NAMES.join(', ')}; got ${String(level)}.`);
  }
  return LEVELS[level];
}

function defaultStream(): LogStream {
  const proc = (globalThis as { process?: { stderr?: LogStream } }).process;
  if (proc?.stderr) return proc.stderr;
  // Runtimes without process.stderr (browsers, workers): one console call per block.
  return { write: (s: string) => console.log(s.endsWith('\n') ? s.slice(0, -1) : s) };
}

function noColor(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return Boolean(env?.NO_COLOR);
}
