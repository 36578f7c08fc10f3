// A smol run as an AI SDK UI message stream, the protocol `useChat` reads: one assistant
// message whose steps hold text, reasoning, tool calls and their outputs, and data parts for
// smol's own step records and a CodeAgent's code.
import { AgentAbortError, AgentError, CODE_TOOL, type ActionStep, type AgentEvent, type ChatMessageToolCallDelta, type RunResult } from '@smol/core';
import { createUIMessageStreamResponse, type UIMessage, type UIMessageChunk } from 'ai';
import type { AiSdkStreamDelta } from './ai-sdk-model.js';

export interface RunToUIMessageStreamOptions {
  /** The id of the assistant message (`start` chunk). */
  messageId?: string;
  /** Also send the final answer as a text part (chat UIs render text). Default true. */
  finalAnswerAsText?: boolean;
  /** The text an `error` chunk carries. Default: an AgentError's message (smol keeps keys out of those), else "An error occurred.". */
  onError?: (error: unknown) => string;
}

/** What this stream accepts: an AgentRun (`agent.arun(task, { stream: true })`) or any event source. */
export type RunEvents = AsyncIterable<AgentEvent> & { readonly id?: string; readonly result?: Promise<RunResult>; interrupt?(reason?: string): void };

/** Data parts this stream sends, by name (`data-<name>` chunks). */
export type SmolDataParts = {
  /** A finished action step: what smol recorded besides text and tool parts. */
  step: { stepNumber: number; durationMs?: number; tokenUsage?: ActionStep['tokenUsage']; observations?: string; error?: string; isFinalAnswer: boolean };
  /** A planning step's plan. */
  plan: { plan: string };
  /** A CodeAgent step's code and what it printed and returned. */
  code: { stepNumber: number; code: string; logs?: string; output?: unknown; isFinalAnswer?: boolean };
  /** The run's end: its id, state and usage. */
  run: { runId?: string; state?: string; tokenUsage?: RunResult['tokenUsage']; durationMs?: number; output: unknown };
};

/** The assistant message `useChat` builds from this stream: `useChat<SmolUIMessage>()`. */
export type SmolUIMessage = UIMessage<unknown, SmolDataParts>;

const defaultOnError = (error: unknown): string => (AgentError.isInstance(error) ? error.message : 'An error occurred.');

/** Something JSON can carry, or undefined. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return String(value);
  }
}

/** Turns smol's events into UI chunks; one per run. */
class ChunkMapper {
  private step = -1;
  private inStep = false;
  private block: { kind: 'text' | 'reasoning'; id: string } | undefined;
  private blocks = 0;
  private stepHadText = false;
  /** Tool calls whose input the UI has seen start (by id), and the id of each streamed index. */
  private readonly started = new Set<string>();
  private readonly available = new Set<string>();
  private readonly byIndex = new Map<number, string>();
  private codeOutput: { logs: string; output: unknown; isFinalAnswer: boolean } | undefined;

  constructor(private readonly finalAnswerAsText: boolean) {}

  map(event: AgentEvent, out: UIMessageChunk[]): void {
    switch (event.type) {
      case 'model_delta':
        this.enterStep(event.stepNumber, out);
        this.delta(event.delta as AiSdkStreamDelta, out);
        return;
      case 'tool_call': {
        this.enterStep(event.stepNumber, out);
        this.closeBlock(out);
        const input = event.name === CODE_TOOL && typeof event.arguments === 'string' ? { code: event.arguments } : event.arguments;
        this.available.add(event.callId);
        out.push({ type: 'tool-input-available', toolCallId: event.callId, toolName: event.name, input: jsonSafe(input) ?? {} });
        return;
      }
      case 'tool_output': {
        this.enterStep(event.stepNumber, out);
        this.ensureCall(event.callId, event.name, out);
        if (event.isError) out.push({ type: 'tool-output-error', toolCallId: event.callId, errorText: event.observation });
        else out.push({ type: 'tool-output-available', toolCallId: event.callId, output: jsonSafe(event.output) ?? event.observation });
        return;
      }
      case 'code_output': {
        this.enterStep(event.stepNumber, out);
        this.codeOutput = { logs: event.logs, output: jsonSafe(event.output) ?? null, isFinalAnswer: event.isFinalAnswer };
        const id = `call_${event.stepNumber}`;
        if (this.available.has(id)) out.push({ type: 'tool-output-available', toolCallId: id, output: { logs: event.logs, output: jsonSafe(event.output) ?? null } });
        return;
      }
      case 'action_step': {
        const step = event.step;
        this.enterStep(step.stepNumber, out);
        if (!this.stepHadText && step.modelOutput && step.codeAction === undefined) this.text(step.modelOutput, out);
        this.closeBlock(out);
        if (step.codeAction !== undefined) {
          const data: SmolDataParts['code'] = { stepNumber: step.stepNumber, code: step.codeAction, isFinalAnswer: step.isFinalAnswer, ...this.codeOutput };
          out.push({ type: 'data-code', id: `code-${step.stepNumber}`, data });
        }
        this.codeOutput = undefined;
        const data: SmolDataParts['step'] = { stepNumber: step.stepNumber, isFinalAnswer: step.isFinalAnswer };
        if (step.timing.duration !== undefined) data.durationMs = step.timing.duration;
        if (step.tokenUsage) data.tokenUsage = step.tokenUsage;
        if (step.observations) data.observations = step.observations;
        if (step.error) data.error = step.error.message;
        out.push({ type: 'data-step', id: `step-${step.stepNumber}`, data });
        this.leaveStep(out);
        return;
      }
      case 'planning_step':
        this.closeBlock(out);
        out.push({ type: 'data-plan', data: { plan: event.step.plan } });
        this.leaveStep(out);
        return;
      case 'final_answer': {
        this.leaveStep(out);
        if (!this.finalAnswerAsText) return;
        out.push({ type: 'start-step' });
        this.text(typeof event.output === 'string' ? event.output : JSON.stringify(jsonSafe(event.output) ?? null), out);
        this.closeBlock(out);
        out.push({ type: 'finish-step' });
        return;
      }
      default: {
        // A new event kind fails to compile here until it is mapped.
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  private delta(delta: AiSdkStreamDelta, out: UIMessageChunk[]): void {
    if (delta.reasoning) this.append('reasoning', delta.reasoning, out);
    if (delta.content) this.text(delta.content, out);
    if (delta.toolCalls) for (const d of delta.toolCalls) this.toolDelta(d, out);
  }

  private text(text: string, out: UIMessageChunk[]): void {
    this.stepHadText = true;
    this.append('text', text, out);
  }

  private append(kind: 'text' | 'reasoning', delta: string, out: UIMessageChunk[]): void {
    if (this.block?.kind !== kind) {
      this.closeBlock(out);
      this.block = { kind, id: `${kind}-${++this.blocks}` };
      out.push({ type: kind === 'text' ? 'text-start' : 'reasoning-start', id: this.block.id });
    }
    out.push({ type: kind === 'text' ? 'text-delta' : 'reasoning-delta', id: this.block.id, delta });
  }

  private toolDelta(d: ChatMessageToolCallDelta, out: UIMessageChunk[]): void {
    if (d.id && !this.byIndex.has(d.index)) this.byIndex.set(d.index, d.id);
    const id = this.byIndex.get(d.index);
    // Fragments before the call has an id cannot be placed: the final tool_call event carries them anyway.
    if (!id) return;
    if (!this.started.has(id)) {
      if (!d.function?.name) return;
      this.closeBlock(out);
      this.started.add(id);
      out.push({ type: 'tool-input-start', toolCallId: id, toolName: d.function.name });
    }
    if (d.function?.arguments) out.push({ type: 'tool-input-delta', toolCallId: id, inputTextDelta: d.function.arguments });
  }

  private ensureCall(id: string, name: string, out: UIMessageChunk[]): void {
    if (this.available.has(id)) return;
    this.available.add(id);
    out.push({ type: 'tool-input-available', toolCallId: id, toolName: name, input: {} });
  }

  private closeBlock(out: UIMessageChunk[]): void {
    if (!this.block) return;
    out.push({ type: this.block.kind === 'text' ? 'text-end' : 'reasoning-end', id: this.block.id });
    this.block = undefined;
  }

  private enterStep(stepNumber: number, out: UIMessageChunk[]): void {
    if (this.inStep && stepNumber === this.step) return;
    this.leaveStep(out);
    this.step = stepNumber;
    this.inStep = true;
    this.stepHadText = false;
    this.byIndex.clear();
    out.push({ type: 'start-step' });
  }

  private leaveStep(out: UIMessageChunk[]): void {
    this.closeBlock(out);
    if (!this.inStep) return;
    this.inStep = false;
    out.push({ type: 'finish-step' });
  }

  /** Closes whatever is open when the run stops early. */
  close(out: UIMessageChunk[]): void {
    this.leaveStep(out);
  }
}

/**
 * A smol run as an AI SDK UI message stream (`start`, `start-step`, `text-*`, `reasoning-*`,
 * `tool-input-*`, `tool-output-*`, `data-step` / `data-plan` / `data-code` / `data-run`,
 * `finish`, and `abort` or `error`). Pass a run started with `{ stream: true }`; cancelling the
 * stream (the client went away) aborts the run.
 */
export function runToUIMessageStream(run: RunEvents, options: RunToUIMessageStreamOptions = {}): ReadableStream<UIMessageChunk> {
  const iterator = run[Symbol.asyncIterator]();
  const mapper = new ChunkMapper(options.finalAnswerAsText ?? true);
  const onError = options.onError ?? defaultOnError;
  let started = false;
  return new ReadableStream<UIMessageChunk>({
    async pull(controller) {
      const out: UIMessageChunk[] = [];
      if (!started) {
        started = true;
        out.push(options.messageId ? { type: 'start', messageId: options.messageId } : { type: 'start' });
      }
      try {
        while (out.length === 0) {
          const next = await iterator.next();
          if (next.done) {
            mapper.close(out);
            const result = run.result ? await run.result.catch(() => undefined) : undefined;
            out.push({
              type: 'data-run',
              data: result
                ? { runId: result.runId, state: result.state, tokenUsage: result.tokenUsage, durationMs: result.timing.duration, output: jsonSafe(result.output) ?? null }
                : { runId: run.id, output: null },
            });
            out.push({ type: 'finish', finishReason: 'stop' });
            for (const chunk of out) controller.enqueue(chunk);
            controller.close();
            return;
          }
          mapper.map(next.value, out);
        }
      } catch (error) {
        mapper.close(out);
        out.push(AgentAbortError.isInstance(error) ? { type: 'abort', reason: error.message } : { type: 'error', errorText: onError(error) });
        for (const chunk of out) controller.enqueue(chunk);
        controller.close();
        return;
      }
      for (const chunk of out) controller.enqueue(chunk);
    },
    async cancel() {
      // The generator may be waiting inside a model call, where return() would queue behind it:
      // interrupt the run first, so the call sees the abort and the generator can end.
      run.interrupt?.('the client cancelled the UI message stream');
      await iterator.return?.();
    },
  });
}

/** The run as a streaming SSE `Response` in the UI message stream protocol (for a route handler). */
export function runToUIMessageStreamResponse(run: RunEvents, options: RunToUIMessageStreamOptions & ResponseInit = {}): Response {
  const { messageId, finalAnswerAsText, onError, ...init } = options;
  return createUIMessageStreamResponse({ ...init, stream: runToUIMessageStream(run, { messageId, finalAnswerAsText, onError }) });
}
