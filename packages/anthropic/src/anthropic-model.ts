import {
  AgentConfigError,
  ApiModel,
  mapStream,
  type ApiModelOptions,
  type ChatMessage,
  type ChatMessageStreamDelta,
  type ModelCallOptions,
  type ModelError,
} from '@smol/core';
import { defaultFetch } from '@smol/core/transport';
import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import { AnthropicStreamMapper, DEFAULT_MAX_TOKENS, fromAnthropicMessage, toAnthropicRequest } from './convert.js';
import { mapAnthropicError } from './errors.js';

export type AnthropicApiKey = string | (() => Promise<string>);

export interface AnthropicModelOptions extends ApiModelOptions {
  /** Default: ANTHROPIC_API_KEY. Checked at the first call, not at construction. */
  apiKey?: AnthropicApiKey;
  /** A bearer token instead of an API key (ANTHROPIC_AUTH_TOKEN). */
  authToken?: string;
  /** Default: https://api.anthropic.com (or ANTHROPIC_BASE_URL). */
  baseURL?: string;
  /** max_tokens when the call does not set it; the Messages API requires one. Default 4096. */
  maxTokens?: number;
  /** Request timeout in ms (the SDK's default is 10 minutes). */
  timeout?: number;
  /** Extra SDK client options (defaultHeaders, …). `maxRetries` stays 0 unless you set it here. */
  clientOptions?: Partial<ClientOptions>;
  /** Your own fetch. Default on Node: smol's shared keep-alive node:http transport. */
  fetch?: typeof globalThis.fetch;
}

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value && value.trim() !== '' ? value : undefined;
}

/**
 * Claude through the Anthropic Messages API, on the official `@anthropic-ai/sdk`.
 * System messages become the top-level `system`, tool_use blocks become tool calls, and stream
 * events become deltas whose usage adds up to the final count exactly once.
 */
export class AnthropicModel extends ApiModel {
  readonly maxTokens: number;
  /** The options without credentials: those live in private fields, so inspecting or serialising the model never shows them. */
  protected readonly settings: Readonly<Omit<AnthropicModelOptions, 'apiKey' | 'authToken' | 'clientOptions'>>;
  readonly #apiKey: AnthropicApiKey | undefined;
  readonly #authToken: string | undefined;
  readonly #clientOptions: Partial<ClientOptions> | undefined;
  #client: Anthropic | undefined;

  constructor(options: AnthropicModelOptions) {
    super(options);
    if (options.maxTokens !== undefined && !(Number.isInteger(options.maxTokens) && options.maxTokens > 0)) {
      throw new AgentConfigError('AnthropicModel: maxTokens must be a positive integer.');
    }
    this.maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
    const { apiKey, authToken, clientOptions, ...rest } = options;
    this.#apiKey = apiKey;
    this.#authToken = authToken;
    this.#clientOptions = clientOptions;
    this.settings = Object.freeze(rest);
  }

  /** The SDK client, created at the first call (which is when a missing API key is reported). */
  get client(): Anthropic {
    return (this.#client ??= this.createClient());
  }

  protected createClient(): Anthropic {
    const s = this.settings;
    const extra = this.#clientOptions ?? {};
    const apiKey = this.#apiKey ?? extra.apiKey ?? undefined;
    const authToken = this.#authToken ?? extra.authToken ?? undefined;
    // The SDK also reads credentials from other places (config files, profiles); give those a chance.
    const otherCredential = extra.credentials != null || extra.config != null || extra.profile != null;
    const credential: Partial<ClientOptions> = apiKey
      ? { apiKey }
      : authToken
        ? { authToken }
        : env('ANTHROPIC_API_KEY')
          ? { apiKey: env('ANTHROPIC_API_KEY') }
          : env('ANTHROPIC_AUTH_TOKEN')
            ? { authToken: env('ANTHROPIC_AUTH_TOKEN') }
            : {};
    if (!credential.apiKey && !credential.authToken && !otherCredential) {
      throw new AgentConfigError('AnthropicModel: no API key. Pass { apiKey } or set ANTHROPIC_API_KEY.');
    }
    const { apiKey: _k, authToken: _t, ...rest } = extra;
    return new Anthropic({
      // smol's retry policy owns retries; the SDK must not retry underneath it.
      maxRetries: 0,
      logLevel: 'off',
      fetch: s.fetch ?? defaultFetch(),
      ...(s.baseURL !== undefined && { baseURL: s.baseURL }),
      ...(s.timeout !== undefined && { timeout: s.timeout }),
      ...rest,
      ...credential,
    });
  }

  protected async generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<ChatMessage> {
    const body = toAnthropicRequest(this.modelId, messages, options, this.maxTokens);
    const message = await this.client.messages.create(body, { signal: options.signal });
    return fromAnthropicMessage(message);
  }

  protected override async *streamOnce(messages: readonly ChatMessage[], options: ModelCallOptions): AsyncIterable<ChatMessageStreamDelta> {
    const body = { ...toAnthropicRequest(this.modelId, messages, options, this.maxTokens), stream: true as const };
    const stream = await this.client.messages.create(body, { signal: options.signal });
    yield* mapStream(stream, new AnthropicStreamMapper(), options.signal);
  }

  protected toModelError(error: unknown): ModelError {
    const key = this.#apiKey;
    return mapAnthropicError(error, {
      modelId: this.modelId,
      secrets: [typeof key === 'string' ? key : undefined, this.#authToken, this.#client?.apiKey ?? undefined, this.#client?.authToken ?? undefined],
    });
  }
}
