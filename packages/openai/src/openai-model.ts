import {
  ApiModel,
  mapStream,
  type ApiModelOptions,
  type ChatMessage,
  type ChatMessageStreamDelta,
  type ModelCallOptions,
  type ModelError,
} from '@smol/core';
import type OpenAI from 'openai';
import type { ClientOptions } from 'openai';
import { createOpenAIClient, type ApiKey } from './internal/client.js';
import { OpenAIStreamMapper, fromOpenAICompletion, toOpenAIRequest, toOpenAIStreamRequest } from './internal/convert.js';
import { mapOpenAIError } from './internal/errors.js';

export interface OpenAIServerModelOptions extends ApiModelOptions {
  /** Base URL of any OpenAI-compatible server, e.g. "http://localhost:8000/v1". Default: OpenAI (or OPENAI_BASE_URL). */
  apiBase?: string;
  /** Default: OPENAI_API_KEY. Checked at the first call, not at construction. */
  apiKey?: ApiKey;
  organization?: string;
  project?: string;
  /** Extra SDK client options (defaultHeaders, timeout, …). */
  clientOptions?: Partial<ClientOptions>;
  /** Your own fetch. Default on Node: smol's shared keep-alive node:http transport. */
  fetch?: typeof globalThis.fetch;
}

/**
 * A model behind the OpenAI Chat Completions API (OpenAI itself or any compatible server:
 * vLLM, Ollama, llama.cpp, LiteLLM, …), on the official `openai` SDK.
 *
 * Subclasses for other OpenAI-shaped providers override `createClient()` and `providerName`.
 */
export class OpenAIServerModel extends ApiModel {
  /** Used in error messages. */
  protected readonly providerName: string = 'OpenAI';
  /** The options, without the API key (kept in a private field so inspecting the model never shows it). */
  protected readonly settings: Readonly<Omit<OpenAIServerModelOptions, 'apiKey'>>;
  readonly #apiKey: ApiKey | undefined;
  #client: OpenAI | undefined;

  constructor(options: OpenAIServerModelOptions) {
    super(options);
    const { apiKey, ...rest } = options;
    this.#apiKey = apiKey;
    this.settings = Object.freeze(rest);
  }

  /** The API key given in the options, if any (for subclasses building their own client). */
  protected get apiKey(): ApiKey | undefined {
    return this.#apiKey;
  }

  /** The SDK client, created at the first call (which is when a missing API key is reported). */
  get client(): OpenAI {
    return (this.#client ??= this.createClient());
  }

  protected createClient(): OpenAI {
    const s = this.settings;
    return createOpenAIClient({
      apiKey: this.#apiKey,
      baseURL: s.apiBase,
      organization: s.organization,
      project: s.project,
      fetch: s.fetch,
      clientOptions: s.clientOptions,
      provider: this.providerName,
    });
  }

  protected async generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<ChatMessage> {
    const body = toOpenAIRequest(this.modelId, messages, options);
    const completion = await this.client.chat.completions.create(body, { signal: options.signal });
    return fromOpenAICompletion(completion, this.providerName);
  }

  protected override async *streamOnce(messages: readonly ChatMessage[], options: ModelCallOptions): AsyncIterable<ChatMessageStreamDelta> {
    const body = toOpenAIStreamRequest(this.modelId, messages, options);
    const stream = await this.client.chat.completions.create(body, { signal: options.signal });
    yield* mapStream(stream, new OpenAIStreamMapper(this.providerName), options.signal);
  }

  protected toModelError(error: unknown): ModelError {
    const key = this.#apiKey;
    return mapOpenAIError(error, {
      provider: this.providerName,
      modelId: this.modelId,
      secrets: [typeof key === 'string' ? key : undefined, this.#client?.apiKey ?? undefined],
    });
  }
}

/** Alias of OpenAIServerModel. */
export const OpenAIModel = OpenAIServerModel;
export type OpenAIModel = OpenAIServerModel;
