import type { ChatMessage, ChatMessageStreamDelta } from './messages.js';
import type { Tool } from './tools.js';

export type ToolChoice = 'auto' | 'required' | 'none' | { type: 'function'; function: { name: string } };

/** Structured output: a JSON schema the reply must follow. */
export interface ResponseFormat {
  type: 'json_schema';
  jsonSchema: { name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };
}

export interface GenerateOptions {
  stopSequences?: string[];
  responseFormat?: ResponseFormat;
  toolsToCallFrom?: readonly Tool[];
  toolChoice?: ToolChoice;
  signal?: AbortSignal;
  /** Pass-through model parameters (temperature, max_tokens, …), sent as they are. */
  [parameter: string]: unknown;
}

export interface Model {
  readonly modelId: string;
  /**
   * True when `agenerate` and `agenerateStream` settle as soon as `options.signal` aborts (smol's
   * providers, on a fetch that honours its signal). Otherwise an interrupted run stops waiting for
   * the model by itself, so a model that ignores the signal cannot keep the run from ending.
   */
  readonly settlesOnAbort?: boolean;
  agenerate(messages: readonly ChatMessage[], options?: GenerateOptions): Promise<ChatMessage>;
  /** Models that cannot stream throw ModelStreamingNotSupportedError. */
  agenerateStream(messages: readonly ChatMessage[], options?: GenerateOptions): AsyncIterable<ChatMessageStreamDelta>;
}
