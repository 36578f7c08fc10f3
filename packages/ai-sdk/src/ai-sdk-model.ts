import type { LanguageModelV4CallOptions, LanguageModelV4FunctionTool, LanguageModelV4ToolChoice } from '@ai-sdk/provider';
import {
  ApiModel,
  ModelError,
  parseArguments,
  type ApiModelOptions,
  type ChatMessage,
  type ChatMessageStreamDelta,
  type ChatMessageToolCall,
  type ModelCallOptions,
  type ToolChoice,
  type ToolSpec,
} from '@smol/core';
import { toModelError } from './errors.js';
import { TurnMemory, toPrompt, type AssistantPart } from './prompt.js';
import { forVersion, mergeMetadata, readFinishReason, readUsage, specVersion, type AnyLanguageModel, type ProviderMetadata, type SpecVersion } from './spec.js';

export interface AiSdkModelOptions extends Omit<ApiModelOptions, 'modelId' | 'customRoleConversions'> {
  /** Default: the AI SDK model's `modelId`. */
  modelId?: string;
  /** How many recent turns keep their native parts (reasoning signatures, provider metadata) for the next prompt. Default 1000. */
  turnMemory?: number;
}

/** An assistant message from an AI SDK model: smol's message plus what the spec returned. */
export interface AiSdkChatMessage extends ChatMessage {
  /** The turn as the spec's parts, each with its provider metadata as `providerOptions`. */
  parts?: AssistantPart[];
  /** The response's provider metadata (the `finish` part's). */
  providerMetadata?: ProviderMetadata;
  /** The unified finish reason: stop, length, tool-calls, content-filter, … */
  finishReason?: string;
}

/** A stream delta with the spec's extras: reasoning text and, on the last delta, the finish reason. */
export interface AiSdkStreamDelta extends ChatMessageStreamDelta {
  reasoning?: string;
  finishReason?: string;
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
    for (const key in options.parameters) {
      const name = PARAMETER_NAMES[key];
      if (name && options.parameters[key] !== undefined) target[name] = options.parameters[key];
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
    message.raw = { content: result.content, finishReason: result.finishReason, usage: result.usage, response: result.response && { id: result.response.id, modelId: result.response.modelId } };
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

// The part shapes common to V2, V3 and V4 that this adapter reads.
interface GenerateResultLike {
  content: ContentLike[];
  finishReason: unknown;
  usage: unknown;
  providerMetadata?: ProviderMetadata;
  response?: { id?: string; modelId?: string };
}
type ContentLike = { type: string; providerMetadata?: ProviderMetadata } & Record<string, unknown>;
type StreamPartLike = ContentLike;

interface Block {
  part: { type: 'text' | 'reasoning'; text: string; providerOptions?: ProviderMetadata };
  chunks: string[];
}

interface StreamCall {
  index: number;
  name: string;
  args: string[];
  json: boolean;
}

/** Builds one assistant turn from content parts or stream parts: smol's message and the spec's parts. */
class TurnBuilder {
  readonly parts: AssistantPart[] = [];
  readonly clientCallIds: string[] = [];
  private readonly calls: ChatMessageToolCall[] = [];
  private readonly texts: string[] = [];
  private readonly blocks = new Map<string, Block>();
  private readonly streamCalls = new Map<string, StreamCall>();
  private readonly providerCalls = new Set<string>();

  get text(): string {
    return this.texts.join('');
  }

  /** A content part of a generate result. */
  add(part: ContentLike): void {
    const options = part.providerMetadata ? { providerOptions: part.providerMetadata } : {};
    switch (part.type) {
      case 'text':
        this.texts.push(part.text as string);
        this.parts.push({ type: 'text', text: part.text as string, ...options });
        return;
      case 'reasoning':
        this.parts.push({ type: 'reasoning', text: part.text as string, ...options });
        return;
      case 'tool-call':
        this.addCall(part);
        return;
      case 'tool-result':
        this.addResult(part);
        return;
      default:
        // files, sources, approvals and custom parts are not part of smol's message
        return;
    }
  }

  private addCall(part: ContentLike): void {
    const id = part.toolCallId as string;
    const name = part.toolName as string;
    const raw = typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {});
    const input = parseArguments(raw);
    const options = part.providerMetadata ? { providerOptions: part.providerMetadata } : {};
    // Calls the provider ran itself stay in the turn (and the next prompt), never in smol's tool calls.
    if (part.providerExecuted) {
      this.parts.push({ type: 'tool-call', toolCallId: id, toolName: name, input, providerExecuted: true, ...options });
      return;
    }
    this.parts.push({ type: 'tool-call', toolCallId: id, toolName: name, input, ...options });
    this.calls.push({ id, type: 'function', function: { name, arguments: input } });
    this.clientCallIds.push(id);
  }

  private addResult(part: ContentLike): void {
    const value = (part.result ?? null) as never;
    this.parts.push({
      type: 'tool-result',
      toolCallId: part.toolCallId as string,
      toolName: part.toolName as string,
      output: part.isError ? { type: 'error-json', value } : { type: 'json', value },
      ...(part.providerMetadata ? { providerOptions: part.providerMetadata } : {}),
    });
  }

  /** A stream part: updates the turn and returns the delta smol sees, if any. */
  addStreamPart(part: StreamPartLike): AiSdkStreamDelta | undefined {
    switch (part.type) {
      case 'text-start':
      case 'reasoning-start':
        this.block(part.id as string, part.type === 'text-start' ? 'text' : 'reasoning', part.providerMetadata);
        return undefined;
      case 'text-delta':
      case 'reasoning-delta': {
        const text = part.type === 'text-delta';
        const delta = (part.delta ?? '') as string;
        const block = this.block(part.id as string, text ? 'text' : 'reasoning', part.providerMetadata);
        block.chunks.push(delta);
        if (text) this.texts.push(delta);
        if (delta === '') return undefined;
        return text ? { content: delta } : { reasoning: delta };
      }
      case 'text-end':
      case 'reasoning-end': {
        const block = this.blocks.get(part.id as string);
        if (!block) return undefined;
        block.part.providerOptions = mergeMetadata(block.part.providerOptions, part.providerMetadata);
        if (!block.part.providerOptions) delete block.part.providerOptions;
        block.part.text = block.chunks.join('');
        this.blocks.delete(part.id as string);
        return undefined;
      }
      case 'tool-input-start': {
        const id = part.id as string;
        if (part.providerExecuted) {
          this.providerCalls.add(id);
          return undefined;
        }
        const index = this.streamCalls.size;
        this.streamCalls.set(id, { index, name: part.toolName as string, args: [], json: part.inputEncoding !== 'text' });
        return { toolCalls: [{ index, id, type: 'function', function: { name: part.toolName as string, arguments: '' } }] };
      }
      case 'tool-input-delta': {
        const call = this.streamCalls.get(part.id as string);
        if (!call || !call.json || !part.delta) return undefined;
        call.args.push(part.delta as string);
        return { toolCalls: [{ index: call.index, function: { arguments: part.delta as string } }] };
      }
      case 'tool-call':
        return this.finalCall(part);
      case 'tool-result':
        this.addResult(part);
        return undefined;
      default:
        // ping, raw, stream-start, response-metadata, sources, files: nothing for smol
        return undefined;
    }
  }

  private block(id: string, type: 'text' | 'reasoning', metadata: ProviderMetadata | undefined): Block {
    let block = this.blocks.get(id);
    if (!block) {
      block = { part: { type, text: '' }, chunks: [] };
      this.blocks.set(id, block);
      this.parts.push(block.part);
    }
    if (metadata) block.part.providerOptions = mergeMetadata(block.part.providerOptions, metadata);
    return block;
  }

  /** The final `tool-call` part: its input is authoritative; smol gets whatever the deltas lacked. */
  private finalCall(part: StreamPartLike): AiSdkStreamDelta | undefined {
    this.addCall(part);
    const id = part.toolCallId as string;
    if (part.providerExecuted || this.providerCalls.has(id)) {
      // Marked at input start but not on the final part: still the provider's.
      const last = this.parts[this.parts.length - 1];
      if (last.type === 'tool-call' && !last.providerExecuted) {
        last.providerExecuted = true;
        this.calls.pop();
        this.clientCallIds.pop();
      }
      return undefined;
    }
    const input = typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {});
    const call = this.streamCalls.get(id);
    if (!call) {
      const index = this.streamCalls.size;
      this.streamCalls.set(id, { index, name: part.toolName as string, args: [input], json: true });
      return { toolCalls: [{ index, id, type: 'function', function: { name: part.toolName as string, arguments: input } }] };
    }
    const sent = call.args.join('');
    // Deltas that were not a prefix of the final input (a provider that rewrites it) cannot be taken back.
    if (input === sent || !input.startsWith(sent)) return undefined;
    call.args.push(input.slice(sent.length));
    return { toolCalls: [{ index: call.index, function: { arguments: input.slice(sent.length) } }] };
  }

  /** Blocks a stream never ended (no `-end` part) get their text too. */
  close(): void {
    for (const block of this.blocks.values()) block.part.text = block.chunks.join('');
    this.blocks.clear();
  }

  toMessage(): AiSdkChatMessage {
    const message: AiSdkChatMessage = { role: 'assistant', content: this.text };
    if (this.calls.length > 0) message.toolCalls = this.calls;
    message.parts = this.parts;
    return message;
  }
}
