import { AgentAbortError, AgentError, AgentToolCallError, AgentToolExecutionError, ToolArgumentsError, toAbortError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep, ApprovalRequest } from '../memory.js';
import type { ChatMessageToolCall, ContentPart, ImagePart } from '../messages.js';
import type { Tool, ToolContext } from '../tools.js';
import { FINAL_ANSWER, checkToolArguments, toolParametersSchema } from '../tools.js';
import { mapConcurrent, raceAbort } from './abort.js';
import { errorText } from './model-call.js';
import { notify } from './observers.js';
import type { RunContext } from './run-context.js';

/** Decides on the tool's behalf whether a human is asked; the human's answer arrives as a Promise. */
export type Approver = (request: ApprovalRequest, context: { signal: AbortSignal }) => boolean | Promise<boolean>;

/** What the loop needs to run tools: the agent's tools and its approval handler. */
export interface ToolRunner {
  readonly tools: ReadonlyMap<string, Tool>;
  readonly maxToolConcurrency: number;
  readonly approve?: Approver;
}

/** One call as the tool path sees it, from a native tool call or from CodeAgent code. */
export interface ToolCallRequest {
  id: string;
  name: string;
  /** Raw arguments: parsed JSON, or the string the model sent. */
  arguments: unknown;
}

/** The result of one call: its output, or the error the model is shown. */
export interface ToolOutcome {
  output?: unknown;
  observation: string;
  error?: AgentError;
}

type Prepared = { call: ToolCallRequest; tool: Tool; args: unknown } | { call: ToolCallRequest; outcome: ToolOutcome };

/**
 * The one tool path, for both agent kinds: find the tool, parse and validate its arguments.
 * Invalid calls come back as an outcome (an error for the model), never thrown. Synchronous
 * when the tool's schema is (zod, JSON Schema): a step's hot path pays no microtask for it.
 */
function prepare(runner: ToolRunner, call: ToolCallRequest): Prepared | Promise<Prepared> {
  const tool = runner.tools.get(call.name);
  if (!tool) return { call, outcome: fail(new AgentToolCallError(`Unknown tool ${call.name}, should be one of: ${[...runner.tools.keys()].join(', ')}.`)) };
  if (typeof call.arguments === 'string') {
    return { call, outcome: fail(new AgentToolCallError(`Tool '${call.name}' was called with arguments that are not a JSON object: ${call.arguments.slice(0, 500)}`)) };
  }
  let args: unknown;
  try {
    args = checkToolArguments(tool, call.arguments ?? {});
  } catch (error) {
    return invalid(call, tool, error);
  }
  if (isThenable(args)) return Promise.resolve(args).then((parsed: unknown) => ({ call, tool, args: parsed }), (error: unknown) => invalid(call, tool, error));
  return { call, tool, args };
}

function invalid(call: ToolCallRequest, tool: Tool, error: unknown): Prepared {
  const why = ToolArgumentsError.isInstance(error) ? error.message : errorText(error);
  const inputs = JSON.stringify(toolParametersSchema(tool).properties);
  return { call, outcome: fail(new AgentToolCallError(`Invalid call to tool '${call.name}': ${why}\nThe tool takes these inputs: ${inputs}`)) };
}

/**
 * A human's decision on a call: one carried into a resumed run, else the agent's `approve`
 * handler (awaited: other runs go on), else undefined (nobody answered yet). Null when the
 * tool needs no approval for these arguments.
 */
async function decide(ctx: RunContext, runner: ToolRunner, tool: Tool, args: unknown, callId: string, context: ToolContext): Promise<boolean | undefined | null> {
  const rule = tool.needsApproval;
  if (!rule || (typeof rule === 'function' && !(await rule(args, context)))) return null;
  const carried = ctx.approvals?.get(callId);
  if (carried !== undefined) return carried;
  if (!runner.approve) return undefined;
  const request: ApprovalRequest = { runId: ctx.id, callId, toolName: tool.name, arguments: args };
  return raceAbort(Promise.resolve(runner.approve(request, { signal: ctx.signal })), ctx.signal);
}

/**
 * Runs a prepared call (or reports its outcome), telling observers; aborts propagate. A tool
 * that answers synchronously is not raced against the abort: its answer is already there.
 */
function execute(ctx: RunContext, stepNumber: number, prepared: Prepared, rejected: boolean, context: ToolContext): ToolOutcome | Promise<ToolOutcome> {
  const { call } = prepared;
  notify(ctx.observers, 'onToolCallStart', ctx.info, stepNumber, call);
  if ('outcome' in prepared) return ended(ctx, stepNumber, call, prepared.outcome);
  if (rejected) return ended(ctx, stepNumber, call, fail(new AgentToolCallError(`The user rejected the call to '${call.name}'. Do not call it again with the same arguments.`)));
  const { tool, args } = prepared;
  let output: unknown;
  try {
    if (context.signal.aborted) throw toAbortError(context.signal);
    output = tool.forward(args, context);
  } catch (error) {
    return failed(ctx, stepNumber, call, args, error, context.signal);
  }
  if (!isThenable(output)) return ended(ctx, stepNumber, call, { output, observation: observationText(output) });
  return raceAbort(Promise.resolve(output), context.signal).then(
    (value) => ended(ctx, stepNumber, call, { output: value, observation: observationText(value) }),
    (error: unknown) => failed(ctx, stepNumber, call, args, error, context.signal),
  );
}

/** A tool's failure becomes the model's observation; an abort is thrown instead, once observers heard of it. */
function failed(ctx: RunContext, stepNumber: number, call: ToolCallRequest, args: unknown, error: unknown, signal: AbortSignal): ToolOutcome {
  if (signal.aborted || AgentAbortError.isInstance(error)) {
    notify(ctx.observers, 'onToolCallEnd', ctx.info, stepNumber, call, { error });
    throw error;
  }
  const message = `Error executing tool '${call.name}' with arguments ${safeJson(args)}: ${errorText(error)}\nPlease try again or use another tool.`;
  return ended(ctx, stepNumber, call, fail(new AgentToolExecutionError(message, { cause: error })));
}

function ended(ctx: RunContext, stepNumber: number, call: ToolCallRequest, outcome: ToolOutcome): ToolOutcome {
  notify(ctx.observers, 'onToolCallEnd', ctx.info, stepNumber, call, outcome);
  return outcome;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function toolContext(ctx: RunContext, stepNumber: number, callId: string): ToolContext {
  return { signal: ctx.signal, runId: ctx.id, state: ctx.state, callId, stepNumber, attempt: ctx.attempt };
}

/**
 * A call made from CodeAgent code. Sandbox state cannot be saved mid-execution, so a call
 * that needs approval awaits the agent's `approve` handler instead of pausing the run, and
 * fails without one. Errors are thrown into the code.
 */
export async function callToolFromCode(ctx: RunContext, runner: ToolRunner, stepNumber: number, call: ToolCallRequest): Promise<unknown> {
  const prepared = await prepare(runner, call);
  const context = toolContext(ctx, stepNumber, call.id);
  let rejected = false;
  if ('tool' in prepared) {
    const decision = await decide(ctx, runner, prepared.tool, prepared.args, call.id, context);
    if (decision === undefined) throw new Error(`Calling ${call.name} needs a human's approval, and this agent has no approve handler.`);
    rejected = decision === false;
  }
  const outcome = await execute(ctx, stepNumber, prepared, rejected, context);
  if (outcome.error) throw new Error(outcome.error.message);
  return outcome.output;
}

/** A native tool call's event: the tool name and its parsed arguments, as they are. */
export function toolCallEvent(stepNumber: number, call: ChatMessageToolCall): AgentEvent {
  return { type: 'tool_call', stepNumber, callId: call.id, name: call.function.name, arguments: call.function.arguments };
}

/**
 * Runs one step's native tool calls with their events: each call's `tool_call` before it runs,
 * each `tool_output` after (see executeToolCalls).
 */
export async function* runToolCalls(ctx: RunContext, runner: ToolRunner, step: ActionStep, calls: ChatMessageToolCall[]): AsyncGenerator<AgentEvent, void, undefined> {
  if (ctx.eventsHeard) for (const call of calls) yield toolCallEvent(step.stepNumber, call);
  const outcomes = await executeToolCalls(ctx, runner, step, calls);
  for (let i = 0; outcomes && ctx.eventsHeard && i < calls.length; i++) {
    const { output, observation, error } = outcomes[i];
    yield { type: 'tool_output', stepNumber: step.stepNumber, callId: calls[i].id, name: calls[i].function.name, output, observation, isError: error !== undefined };
  }
}

/**
 * Runs one step's native tool calls, without events: final_answer alone, the others
 * concurrently (at most `maxToolConcurrency` at once), observations joined in call order.
 * Calls that need a human with nobody to answer leave the step pending: the run pauses before
 * any tool runs. The outcomes in call order; none when no tool ran. Synchronous (no promise)
 * when the step is one call to a synchronous tool that needs no approval: a step's hot path.
 */
export function executeToolCalls(ctx: RunContext, runner: ToolRunner, step: ActionStep, calls: ChatMessageToolCall[]): ToolOutcome[] | undefined | Promise<ToolOutcome[] | undefined> {
  if (calls.length > 1 && calls.some((c) => c.function.name === FINAL_ANSWER)) {
    const others = calls.filter((c) => c.function.name !== FINAL_ANSWER).map((c) => c.function.name);
    step.error = new AgentToolCallError(
      `${FINAL_ANSWER} must be the only tool call in its step, but it was called together with: ${others.join(', ')}. Call the other tools first, then ${FINAL_ANSWER} alone.`,
    );
    return undefined;
  }
  if (calls.length !== 1) return executeAll(ctx, runner, step, calls.map((c) => prepare(runner, toRequest(c))));
  const one = prepare(runner, toRequest(calls[0]));
  if (one instanceof Promise || ('tool' in one && one.tool.needsApproval)) return executeAll(ctx, runner, step, [one]);
  const outcome = execute(ctx, step.stepNumber, one, false, toolContext(ctx, step.stepNumber, one.call.id));
  return outcome instanceof Promise ? outcome.then((o) => recordOutcomes(step, [one], [o])) : recordOutcomes(step, [one], [outcome]);
}

function toRequest(c: ChatMessageToolCall): ToolCallRequest {
  return { id: c.id, name: c.function.name, arguments: c.function.arguments };
}

/** The general path: calls prepared asynchronously, human approvals, several calls at once. */
async function executeAll(ctx: RunContext, runner: ToolRunner, step: ActionStep, preparing: (Prepared | Promise<Prepared>)[]): Promise<ToolOutcome[] | undefined> {
  const prepared = await Promise.all(preparing);
  let rejected: Set<string> | undefined;
  let pending: ApprovalRequest[] | undefined;
  for (const p of prepared) {
    // Most tools need no human: skip the await without asking.
    if (!('tool' in p) || !p.tool.needsApproval) continue;
    const decision = await decide(ctx, runner, p.tool, p.args, p.call.id, toolContext(ctx, step.stepNumber, p.call.id));
    if (decision === undefined) (pending ??= []).push({ runId: ctx.id, callId: p.call.id, toolName: p.call.name, arguments: p.args });
    else if (decision === false) (rejected ??= new Set()).add(p.call.id);
  }
  if (pending) {
    step.pendingApprovals = pending;
    return undefined;
  }
  const run = (p: Prepared): ToolOutcome | Promise<ToolOutcome> => execute(ctx, step.stepNumber, p, rejected?.has(p.call.id) ?? false, toolContext(ctx, step.stepNumber, p.call.id));
  return recordOutcomes(step, prepared, await mapConcurrent(prepared, runner.maxToolConcurrency, run));
}

/**
 * Observations in call order; images are attached to the step, errors joined into one. A
 * final_answer that went through answers the step. Returns the outcomes.
 */
function recordOutcomes(step: ActionStep, prepared: Prepared[], outcomes: ToolOutcome[]): ToolOutcome[] {
  const only = outcomes.length === 1 ? outcomes[0] : undefined;
  if (only && !only.error && prepared[0].call.name === FINAL_ANSWER) {
    step.isFinalAnswer = true;
    step.actionOutput = only.output;
  }
  // One call that answered with text or data (most steps): its observation, nothing to join.
  if (only && !only.error && typeof only.output !== 'object') {
    step.observations = only.observation;
    return outcomes;
  }
  const observations: string[] = [];
  const errors: AgentError[] = [];
  outcomes.forEach((outcome, i) => {
    const name = prepared[i].call.name;
    if (outcome.error) errors.push(outcome.error);
    else if (isImage(outcome.output)) {
      (step.observationsImages ??= []).push(outcome.output);
      observations.push(`[image returned by ${name}, attached]`);
    } else if (isPartsWithImage(outcome.output)) {
      // Mixed content (an MCP result, say): the text is the observation, the images are attached.
      const texts: string[] = [];
      for (const part of outcome.output) {
        if (part.type === 'image') (step.observationsImages ??= []).push(part);
        else texts.push(part.text);
      }
      observations.push(`${texts.join('\n')}\n[images returned by ${name}, attached]`);
    } else observations.push(outcome.observation);
  });
  if (observations.length > 0) step.observations = observations.join('\n');
  if (errors.length === 1) step.error = errors[0];
  else if (errors.length > 1) step.error = new AgentToolCallError(errors.map((e) => e.message).join('\n'));
  return outcomes;
}

function isImage(value: unknown): value is ImagePart {
  return typeof value === 'object' && value !== null && (value as ImagePart).type === 'image' && 'image' in value;
}

function isPartsWithImage(value: unknown): value is ContentPart[] {
  return (
    Array.isArray(value) &&
    value.some(isImage) &&
    value.every((p) => isImage(p) || (typeof p === 'object' && p !== null && p.type === 'text' && typeof p.text === 'string'))
  );
}

function fail(error: AgentError): ToolOutcome {
  return { observation: error.message, error };
}

export function observationText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  return safeJson(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
