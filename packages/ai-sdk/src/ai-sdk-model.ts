import type { LanguageModelV4CallOptions, LanguageModelV4FunctionTool, LanguageModelV4ToolChoice } from '@ai-sdk/provider';
import { ModelError, type ChatMessage, type ToolChoice } from '@smol/core';
import { ApiModel, type ApiModelOptions, type ModelCallOptions, type ToolSpec } from '@smol/core/provider';
import { toModelError } from './errors.js';
import { TurnMemory, toPrompt } from './prompt.js';
import { forVersion, readFinishReason, readUsage, specVersion, type AnyLanguageModel, type SpecVersion } from './spec.js';
import { TurnBuilder, type AiSdkChatMessage, type AiSdkStreamDelta, type GenerateResultLike, type StreamPartLike } from './turn-builder.js';

export type { AiSdkChatMessage, AiSdkStreamDelta } from './turn-builder.js';

export interface AiSdkModelOptions extends Omit<ApiModelOptions, 'modelId' | 'customRoleConversions'> {
  /** Default: the AI SDK model's `modelId`. */
  modelId?: string;
  /** How many recent turns keep their native parts (reasoning signatures, provider metadata) for the next prompt. Default 1000. */
  turnMemory?: number;
}

// Call options the spec defines, under their own names and the names smol's other providers use.
const PARAMETER_NAMES: Record<string, keyof LanguageModelV4CallOptions> = {
  maxOutputTokens: 'maxOutputTokens',
  maxTokens: 'maxOutputTokens',
  max_tokens: 'maxOutputTokens',
  max_completion_tokens: 'maxOutputTokens',
  temperature: 'temperature',
  topP: 'topP',
  top_p: 'topP',
  topK: 'topK',
  top_k: 'topK',
  presencePenalty: 'presencePenalty',
  presence_penalty: 'presencePenalty',
  frequencyPenalty: 'frequencyPenalty',
  frequency_penalty: 'frequencyPenalty',
  seed: 'seed',
  headers: 'headers',
  providerOptions: 'providerOptions',
  reasoning: 'reasoning',
};

const functionTools = new WeakMap<ToolSpec, LanguageModelV4FunctionTool>();

function functionTool(spec: ToolSpec): LanguageModelV4FunctionTool {
  let tool = functionTools.get(spec);
  if (!tool) {
    tool = { type: 'function', name: spec.name, description: spec.description, inputSchema: spec.parameters as LanguageModelV4FunctionTool['inputSchema'] };
    functionTools.set(spec, tool);
  }
  return tool;
}

function toolChoice(choice: ToolChoice): LanguageModelV4ToolChoice {
  return typeof choice === 'string' ? { type: choice } : { type: 'tool', toolName: choice.function.name };
}

/**
 * Any AI SDK language model (`@ai-sdk/provider` spec V2, V3 or V4) as a smol Model.
 *
 * It extends ApiModel, so retries (on `APICallError.isRetryable`, honouring Retry-After), rate
 * limits and stop-sequence handling are smol's, as for every other provider; `doGenerate` and
 * `doStream` do not retry by themselves (that is `generateText`'s job, which is not used here).
 */
export class AiSdkModel extends ApiModel {
  readonly languageModel: AnyLanguageModel;
  readonly specificationVersion: SpecVersion;
  readonly provider: string;
  /** Any AI SDK language model is wrapped, and not every one honours `abortSignal`: the loop watches the call itself. */
  override readonly settlesOnAbort = false;
  private readonly turns: TurnMemory;

  constructor(languageModel: AnyLanguageModel, options: AiSdkModelOptions = {}) {
    const version = specVersion(languageModel);
    // Tool calls and observations keep their own roles: toPrompt turns them into native parts.
    super({ ...options, modelId: options.modelId ?? languageModel.modelId, customRoleConversions: { 'tool-call': 'tool-call', 'tool-response': 'tool-response' } });
    this.languageModel = languageModel;
    this.specificationVersion = version;
    this.provider = languageModel.provider;
    this.turns = new TurnMemory(options.turnMemory);
  }

  protected toModelError(error: unknown): ModelError {
    return toModelError(error, this.provider);
  }

  /** The spec's call options for one request (V4 shape; `forVersion` adapts them). */
  specCallOptions(messages: readonly ChatMessage[], options: ModelCallOptions): LanguageModelV4CallOptions {
    const tools = options.tools;
    const call: LanguageModelV4CallOptions = { prompt: toPrompt(messages, new Set(tools?.map((t) => t.name)), this.turns) };
    const target = call as Record<string, unknown>;
    for (const key in options.modelParameters) {
      const name = PARAMETER_NAMES[key];
      if (name && options.modelParameters[key] !== undefined) target[name] = options.modelParameters[key];
    }
    if (options.stopSequences) call.stopSequences = options.stopSequences;
    if (tools?.length) {
      call.tools = tools.map(functionTool);
      if (options.toolChoice) call.toolChoice = toolChoice(options.toolChoice);
    }
    const format = options.responseFormat;
    if (format) {
      call.responseFormat = { type: 'json', schema: format.jsonSchema.schema as never, name: format.jsonSchema.name, description: format.jsonSchema.description };
    }
    if (options.signal) call.abortSignal = options.signal;
    return call;
  }

  protected async generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<ChatMessage> {
    options.signal?.throwIfAborted();
    const call = forVersion(this.specificationVersion, this.specCallOptions(messages, options));
    const result = await (this.languageModel as { doGenerate(o: unknown): PromiseLike<GenerateResultLike> }).doGenerate(call);
    const turn = new TurnBuilder();
    for (const part of result.content) turn.add(part);
    const message: AiSdkChatMessage = turn.toMessage();
    const usage = readUsage(result.usage);
    if (usage) message.tokenUsage = usage;
    const finishReason = readFinishReason(result.finishReason);
    if (finishReason) message.finishReason = finishReason;
    if (result.providerMetadata) message.providerMetadata = result.providerMetadata;
    if (this.keepRawResponse) message.raw = { content: result.content, finishReason: result.finishReason, usage: result.usage, response: result.response && { id: result.response.id, modelId: result.response.modelId } };
    this.turns.remember(turn.parts, turn.clientCallIds, turn.text);
    return message;
  }

  protected async *streamOnce(messages: readonly ChatMessage[], options: ModelCallOptions): AsyncGenerator<AiSdkStreamDelta, void, undefined> {
    options.signal?.throwIfAborted();
    const call = forVersion(this.specificationVersion, this.specCallOptions(messages, options));
    const { stream } = await (this.languageModel as { doStream(o: unknown): PromiseLike<{ stream: ReadableStream<StreamPartLike> }> }).doStream(call);
    const reader = stream.getReader();
    const turn = new TurnBuilder();
    let finished = false;
    let done = false;
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) {
          done = true;
          break;
        }
        const part = next.value;
        if (part.type === 'error') throw this.toModelError(part.error);
        if (part.type === 'finish') {
          finished = true;
          const reason = readFinishReason(part.finishReason);
          if (reason === 'interrupted') throw new ModelError(`${this.provider} stream ended before the model finished.`, { retryable: true });
          const delta: AiSdkStreamDelta = {};
          const usage = readUsage(part.usage);
          if (usage) delta.tokenUsage = usage;
          if (reason) delta.finishReason = reason;
          yield delta;
          continue;
        }
        const delta = turn.addStreamPart(part);
        if (delta) yield delta;
      }
    } finally {
      // A consumer that stops early (a stop sequence, a cancel) ends the request.
      if (!done) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
    // A provider may end an aborted stream quietly: that is an abort, not a short answer.
    options.signal?.throwIfAborted();
    if (!finished) throw new ModelError(`${this.provider} stream ended without a finish part.`, { retryable: true });
    turn.close();
    this.turns.remember(turn.parts, turn.clientCallIds, turn.text);
  }
}

/** Wraps an AI SDK language model (V2, V3 or V4) as a smol Model. */
export function aiSdkModel(languageModel: AnyLanguageModel, options?: AiSdkModelOptions): AiSdkModel {
  return new AiSdkModel(languageModel, options);
}
