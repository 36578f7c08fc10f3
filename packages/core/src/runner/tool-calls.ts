import { AgentAbortError, AgentError, AgentToolCallError, AgentToolExecutionError } from '../errors.js';
import type { AgentEvent } from '../events.js';
import type { ActionStep, ApprovalRequest } from '../memory.js';
import type { ChatMessageToolCall, ContentPart, ImagePart } from '../messages.js';
import { parseArguments } from '../messages.js';
import type { Tool, ToolContext } from '../tools.js';
import { ToolArgumentsError, parseToolArguments, toolParametersSchema } from '../tools.js';
import { mapConcurrent, raceAbort } from './abort.js';
import { notify } from './observers.js';
import type { RunContext } from './run-context.js';
import { errorText } from './run-loop.js';

interface CallOutcome {
  output?: unknown;
  observation: string;
  error?: AgentError;
}

/**
 * Runs one step's tool calls: final_answer alone, the others concurrently (at most
 * `concurrency` at once), observations joined in call order.
 */
export async function* runToolCalls(
  ctx: RunContext,
  step: ActionStep,
  calls: ChatMessageToolCall[],
  tools: ReadonlyMap<string, Tool>,
  concurrency: number,
  approver?: Approver,
): AsyncGenerator<AgentEvent, void, undefined> {
  for (const toolCall of calls) yield { type: 'tool_call', stepNumber: step.stepNumber, toolCall };

  if (calls.length > 1 && calls.some((c) => c.function.name === 'final_answer')) {
    step.error = new AgentToolCallError(
      `final_answer must be the only tool call in its step, but it was called together with: ${calls
        .filter((c) => c.function.name !== 'final_answer')
        .map((c) => c.function.name)
        .join(', ')}. Call the other tools first, then final_answer alone.`,
    );
    return;
  }

  const toolContext: ToolContext = { signal: ctx.signal, runId: ctx.id, state: ctx.state };
  const rejected = await decideApprovals(ctx, step, calls, tools, toolContext, approver);
  if (step.pendingApprovals) return;

  const outcomes = await mapConcurrent(calls, concurrency, async (call) => {
    notify(ctx.observers, 'onToolCallStart', ctx.info, step.stepNumber, call);
    const outcome = rejected.has(call.id)
      ? fail(new AgentToolCallError(`The user rejected the call to '${call.function.name}'. Do not call it again with the same arguments.`))
      : await executeToolCall(call, tools, { ...toolContext, callId: call.id });
    notify(ctx.observers, 'onToolCallEnd', ctx.info, step.stepNumber, call, outcome);
    return outcome;
  });

  const observations: string[] = [];
  const errors: AgentError[] = [];
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    const outcome = outcomes[i];
    yield {
      type: 'tool_output',
      stepNumber: step.stepNumber,
      toolCallId: call.id,
      name: call.function.name,
      output: outcome.output,
      observation: outcome.observation,
      isError: outcome.error !== undefined,
    };
    if (outcome.error) errors.push(outcome.error);
    else if (isImage(outcome.output)) {
      (step.observationsImages ??= []).push(outcome.output);
      observations.push(`[image returned by ${call.function.name}, attached]`);
    } else if (isPartsWithImage(outcome.output)) {
      // Mixed content (an MCP result, say): the text is the observation, the images are attached.
      const texts: string[] = [];
      for (const part of outcome.output) {
        if (part.type === 'image') (step.observationsImages ??= []).push(part);
        else texts.push(part.text);
      }
      observations.push(`${texts.join('\n')}\n[images returned by ${call.function.name}, attached]`);
    } else observations.push(outcome.observation);
  }
  if (observations.length > 0) step.observations = observations.join('\n');
  if (errors.length === 1) step.error = errors[0];
  else if (errors.length > 1) step.error = new AgentToolCallError(errors.map((e) => e.message).join('\n'));

  if (calls.length === 1 && calls[0].function.name === 'final_answer' && errors.length === 0) {
    step.isFinalAnswer = true;
    step.actionOutput = outcomes[0].output;
  }
}

/** Decides on the tool's behalf whether a human is asked; the human's answer arrives as a Promise. */
export type Approver = (request: ApprovalRequest, context: { signal: AbortSignal }) => boolean | Promise<boolean>;

/**
 * Which calls need a human: answered by a decision carried into a resumed run, else by the
 * agent's `approve` handler (awaited, so other runs go on), else left pending: the run pauses.
 * Returns the ids of rejected calls.
 */
async function decideApprovals(
  ctx: RunContext,
  step: ActionStep,
  calls: ChatMessageToolCall[],
  tools: ReadonlyMap<string, Tool>,
  context: ToolContext,
  approver: Approver | undefined,
): Promise<Set<string>> {
  const rejected = new Set<string>();
  const pending: ApprovalRequest[] = [];
  for (const call of calls) {
    const tool = tools.get(call.function.name);
    const args = typeof call.function.arguments === 'string' ? parseArguments(call.function.arguments) : call.function.arguments;
    if (!tool?.needsApproval || typeof args === 'string') continue;
    const needed = typeof tool.needsApproval === 'function' ? await tool.needsApproval(args, context) : tool.needsApproval;
    if (!needed) continue;
    const request: ApprovalRequest = { runId: ctx.id, callId: call.id, toolName: call.function.name, arguments: args };
    let decision = ctx.approvals.get(call.id);
    if (decision === undefined && approver) decision = await raceAbort(Promise.resolve(approver(request, { signal: ctx.signal })), ctx.signal);
    if (decision === undefined) pending.push(request);
    else if (!decision) rejected.add(call.id);
  }
  if (pending.length > 0) step.pendingApprovals = pending;
  return rejected;
}

async function executeToolCall(call: ChatMessageToolCall, tools: ReadonlyMap<string, Tool>, context: ToolContext): Promise<CallOutcome> {
  const name = call.function.name;
  const tool = tools.get(name);
  if (!tool) {
    return fail(new AgentToolCallError(`Unknown tool ${name}, should be one of: ${[...tools.keys()].join(', ')}.`));
  }
  const raw = typeof call.function.arguments === 'string' ? parseArguments(call.function.arguments) : call.function.arguments;
  if (typeof raw === 'string') {
    return fail(new AgentToolCallError(`Tool '${name}' was called with arguments that are not a JSON object: ${raw.slice(0, 500)}`));
  }
  let args: unknown;
  try {
    args = await parseToolArguments(tool, raw);
  } catch (error) {
    const why = error instanceof ToolArgumentsError ? error.message : errorText(error);
    return fail(
      new AgentToolCallError(`Invalid call to tool '${name}': ${why}\nThe tool takes these inputs: ${JSON.stringify(toolParametersSchema(tool).properties)}`),
    );
  }
  try {
    // Promise.resolve().then: a sync tool that throws becomes a rejection, not a crash of the step.
    const output = await raceAbort(Promise.resolve().then(() => tool.forward(args, context)), context.signal);
    return { output, observation: observationText(output) };
  } catch (error) {
    if (context.signal.aborted || AgentAbortError.isInstance(error)) throw error;
    return fail(
      new AgentToolExecutionError(
        `Error executing tool '${name}' with arguments ${safeJson(args)}: ${errorText(error)}\nPlease try again or use another tool.`,
        { cause: error },
      ),
    );
  }
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

function fail(error: AgentError): CallOutcome {
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
