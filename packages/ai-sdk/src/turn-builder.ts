// One assistant turn, from a generate result's content or a stream's parts: the message smol
// sees (text, client tool calls) and the spec's parts to replay next turn (reasoning, metadata,
// provider-executed calls and results).
import { type ChatMessage, type ChatMessageStreamDelta, type ChatMessageToolCall } from '@smol/core';
import { parseArguments } from '@smol/core/provider';
import type { AssistantPart } from './prompt.js';
import { mergeMetadata, type ProviderMetadata } from './spec.js';

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

// The part shapes common to V2, V3 and V4 that this adapter reads.
export interface GenerateResultLike {
  content: ContentLike[];
  finishReason: unknown;
  usage: unknown;
  providerMetadata?: ProviderMetadata;
  response?: { id?: string; modelId?: string };
}
type ContentLike = { type: string; providerMetadata?: ProviderMetadata } & Record<string, unknown>;
export type StreamPartLike = ContentLike;

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
export class TurnBuilder {
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
