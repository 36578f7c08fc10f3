import type { Attributes, Context, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AgentExecutionError, ModelError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import { assertNever } from '../events.js';
import type { ActionStep, PlanningStep } from '../memory.js';
import type { ChatMessage, TokenUsage } from '../messages.js';
import type { ToolCallRequest } from '../runner/tool-calls.js';
import { CODE_TOOL } from '../tools.js';
import type { AgentObserver, RunInfo } from '../runner/observers.js';
import type { RunResult } from '../runner/run-context.js';
import { codeOf, toText, truncate } from './format.js';

export interface TelemetryOptions {
  /** The tracer to use. Default: one from `tracerProvider`, else from the global API. */
  tracer?: Tracer;
  tracerProvider?: TracerProvider;
  /**
   * Record content: the task, tool arguments and results, the code, the final answer.
   * Default false: content may hold personal data, and the GenAI conventions make it opt-in.
   */
  captureContent?: boolean;
  /** Content attributes longer than this are cut. Default 4000. */
  maxContentChars?: number;
}

/** The open spans of one traced run. Only runs whose span records are kept. */
export interface RunTrace {
  span: Span;
  ctx: Context;
  /** Steps of a run are sequential: one open step at a time. */
  step?: { span: Span; ctx: Context; number: number; kind: 'action' | 'planning' };
  /** Model calls of a run are sequential too. */
  model?: Span;
  /** Tool calls of a step run concurrently; each hook pair receives the same call object. */
  tools: Map<ToolCallRequest, Span>;
  /** CodeAgent's code execution; its times come from Date.now() on both ends (see onEvent). */
  code?: { span: Span; endTime?: number };
}

const TRACER_NAME = '@smol/core';

/**
 * OpenTelemetry spans for runs, following the GenAI semantic conventions:
 * `invoke_agent {agent}` → `smol.step` → `chat {model}` / `execute_tool {tool}`.
 * A run whose span does not record (no SDK registered, or sampled out) is not tracked at
 * all: onRunStart returns false, and the run calls none of its other hooks.
 */
export class OpenTelemetryObserver implements AgentObserver {
  readonly tracer: Tracer;
  private readonly captureContent: boolean;
  private readonly maxContentChars: number;
  /** @internal Traced runs in flight, by run id. Public for tests that check nothing is kept. */
  readonly runs = new Map<string, RunTrace>();

  constructor(options: TelemetryOptions = {}) {
    // The global API hands out a proxy tracer, so an SDK registered later is still used.
    this.tracer = options.tracer ?? (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
    this.captureContent = options.captureContent ?? false;
    this.maxContentChars = options.maxContentChars ?? 4000;
  }

  onRunStart(run: RunInfo): void | false {
    const attributes: Attributes = {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.request.model': run.modelId,
      'smol.run.id': run.runId,
    };
    if (run.agentName) attributes['gen_ai.agent.name'] = run.agentName;
    if (this.captureContent) attributes['smol.run.task'] = this.content(run.task);
    const name = run.agentName ? `invoke_agent ${run.agentName}` : 'invoke_agent';
    // Parent: the manager's tool-call span for a managed agent, else whatever span is active
    // where the run was started (the caller's request, say).
    const span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, this.parentContext(run) ?? context.active());
    // Not recording (no SDK registered, or sampled out): this run costs telemetry nothing more.
    if (!span.isRecording()) return false;
    this.runs.set(run.runId, { span, ctx: trace.setSpan(context.active(), span), tools: new Map() });
  }

  private parentContext(run: RunInfo): Context | undefined {
    const parent = run.parent && this.runs.get(run.parent.runId);
    if (!parent) return undefined;
    for (const [call, span] of parent.tools) if (call.id === run.parent!.callId) return trace.setSpan(parent.ctx, span);
    return parent.step?.ctx ?? parent.ctx;
  }

  onStepStart(run: RunInfo, stepNumber: number, kind: 'action' | 'planning'): void {
    const t = this.runs.get(run.runId);
    if (!t) return;
    if (t.step) t.step.span.end();
    const span = this.tracer.startSpan(
      'smol.step',
      { kind: SpanKind.INTERNAL, attributes: { 'smol.step.number': stepNumber, 'smol.step.kind': kind } },
      t.ctx,
    );
    t.step = { span, ctx: trace.setSpan(t.ctx, span), number: stepNumber, kind };
  }

  onModelCallStart(run: RunInfo, _stepNumber: number, messages: readonly ChatMessage[]): void {
    const t = this.runs.get(run.runId);
    if (!t) return;
    t.model = this.tracer.startSpan(
      `chat ${run.modelId}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': run.modelId, 'smol.request.messages': messages.length },
      },
      t.step?.ctx ?? t.ctx,
    );
  }

  onModelCallEnd(run: RunInfo, _stepNumber: number, outcome: { message?: ChatMessage; error?: unknown }): void {
    const t = this.runs.get(run.runId);
    const span = t?.model;
    if (!t || !span) return;
    t.model = undefined;
    if (outcome.error !== undefined) recordError(span, outcome.error);
    else if (outcome.message) {
      setUsage(span, outcome.message.tokenUsage);
      if (outcome.message.toolCalls?.length) span.setAttribute('smol.response.tool_calls', outcome.message.toolCalls.length);
    }
    span.end();
  }

  onToolCallStart(run: RunInfo, _stepNumber: number, call: ToolCallRequest): void {
    const t = this.runs.get(run.runId);
    if (!t) return;
    const attributes = toolAttributes(call.id, call.name);
    if (this.captureContent) attributes['gen_ai.tool.call.arguments'] = this.content(toText(call.arguments));
    t.tools.set(call, this.tracer.startSpan(`execute_tool ${call.name}`, { kind: SpanKind.INTERNAL, attributes }, t.step?.ctx ?? t.ctx));
  }

  onToolCallEnd(run: RunInfo, _stepNumber: number, call: ToolCallRequest, outcome: { output?: unknown; error?: unknown }): void {
    const t = this.runs.get(run.runId);
    const span = t?.tools.get(call);
    if (!t || !span) return;
    t.tools.delete(call);
    if (outcome.error !== undefined) recordError(span, outcome.error);
    else if (this.captureContent) span.setAttribute('gen_ai.tool.call.result', this.content(toText(outcome.output)));
    span.end();
  }

  onEvent(run: RunInfo, event: AgentEvent): void {
    // Deltas are most of a streamed run's events and never make a span: skip them first.
    if (event.type === 'model_delta') return;
    const t = this.runs.get(run.runId);
    if (!t) return;
    switch (event.type) {
      case 'tool_call': {
        // CodeAgent reports its code as a javascript_interpreter call and runs it after this
        // event; there are no tool hooks for it, so the span starts here.
        const code = codeOf(event);
        if (code === undefined) return;
        const attributes = toolAttributes(event.callId, event.name);
        if (this.captureContent) attributes['gen_ai.tool.call.arguments'] = this.content(code);
        // Both ends use Date.now(): the end is only known at the step's end (was there an error?).
        const span = this.tracer.startSpan(
          `execute_tool ${CODE_TOOL}`,
          { kind: SpanKind.INTERNAL, attributes, startTime: Date.now() },
          t.step?.ctx ?? t.ctx,
        );
        t.code = { span, endTime: undefined };
        return;
      }
      case 'code_output':
        if (!t.code) return;
        t.code.endTime = Date.now();
        if (this.captureContent) t.code.span.setAttribute('gen_ai.tool.call.result', this.content(toText(event.output)));
        return;
      case 'action_step':
        this.endActionStep(t, event.step);
        return;
      case 'planning_step':
        if (t.step?.kind === 'planning') this.endStep(t, event.step);
        return;
      case 'tool_output': // native calls have their own hooks
      case 'final_answer': // the run span ends in onRunEnd
        return;
      default:
        assertNever(event, 'event');
    }
  }

  onRunEnd(run: RunInfo, outcome: { result?: RunResult; error?: unknown }): void {
    const t = this.runs.get(run.runId);
    if (!t) return;
    this.runs.delete(run.runId);
    const { result, error } = outcome;
    // Whatever is still open was cut short by the end of the run (an abort, a failure, a pause).
    for (const span of t.tools.values()) endOpen(span, error);
    if (t.model) endOpen(t.model, error);
    if (t.code) endOpen(t.code.span, error, t.code.endTime ?? Date.now());
    if (t.step) {
      if (result?.state === 'awaiting_approval') t.step.span.setAttribute('smol.step.awaiting_approval', true);
      endOpen(t.step.span, error);
    }
    if (error !== undefined) recordError(t.span, error);
    if (result) {
      t.span.setAttribute('smol.run.state', result.state);
      setUsage(t.span, result.tokenUsage);
      if (this.captureContent && result.state !== 'awaiting_approval') t.span.setAttribute('smol.run.output', this.content(toText(result.output)));
    }
    t.span.end();
  }

  private endActionStep(t: RunTrace, step: ActionStep): void {
    if (t.code) {
      const { span, endTime } = t.code;
      t.code = undefined;
      // A failed execution or a code error both end the step with an AgentExecutionError.
      if (step.error && AgentExecutionError.isInstance(step.error)) recordError(span, step.error);
      span.end(endTime ?? Date.now());
    }
    if (!t.step || t.step.kind !== 'action' || t.step.number !== step.stepNumber) {
      // The answer after max steps is a step without onStepStart: trace it from its timing.
      if (t.step) t.step.span.end();
      const span = this.tracer.startSpan(
        'smol.step',
        { kind: SpanKind.INTERNAL, startTime: step.timing.startTime, attributes: { 'smol.step.number': step.stepNumber, 'smol.step.kind': 'action' } },
        t.ctx,
      );
      t.step = { span, ctx: t.ctx, number: step.stepNumber, kind: 'action' };
      return this.endStep(t, step, step.timing.endTime);
    }
    this.endStep(t, step);
  }

  private endStep(t: RunTrace, step: ActionStep | PlanningStep, endTime?: number): void {
    const span = t.step!.span;
    t.step = undefined;
    setUsage(span, step.tokenUsage);
    if (step.type === 'action') {
      if (step.isFinalAnswer) span.setAttribute('smol.step.final_answer', true);
      // A step error is one the model sees and may fix; the run's own status tells if it failed.
      if (step.error) recordError(span, step.error);
    }
    span.end(endTime);
  }

  private content(text: string): string {
    return truncate(text, this.maxContentChars);
  }
}

export function createTelemetryObserver(options?: TelemetryOptions): OpenTelemetryObserver {
  return new OpenTelemetryObserver(options);
}

function toolAttributes(id: string, name: string): Attributes {
  return {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': name,
    'gen_ai.tool.call.id': id,
    'gen_ai.tool.type': 'function',
  };
}

function setUsage(span: Span, usage: TokenUsage | null | undefined): void {
  if (!usage) return;
  span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
  span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
}

/**
 * Error status, error.type and an exception event with the name and message only: no stack
 * and no cause chain, which may carry a request (and its headers) from a provider SDK.
 */
function recordError(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'Error';
  const raw = error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  const message = truncate(raw, 1000);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  // The conventions prefer the provider's status code, when there is one, to the class name.
  const status = ModelError.isInstance(error) ? error.status : undefined;
  span.setAttribute('error.type', status !== undefined ? String(status) : name);
  span.recordException({ name, message });
}

function endOpen(span: Span, cause: unknown, endTime?: number): void {
  if (cause !== undefined) recordError(span, cause);
  span.end(endTime);
}
