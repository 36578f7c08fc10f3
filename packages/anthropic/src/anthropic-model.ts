import { AgentConfigError, type ChatMessage, type ChatMessageStreamDelta, type ModelError } from '@smol/core';
import {
  ApiModel,
  defaultFetch,
  endpointName,
  hostOf,
  loadSetting,
  mapStream,
  readEnv,
  readsRunSignal,
  sdkSignalOptions,
  type ApiModelOptions,
  type EndpointContext,
  type ModelCallOptions,
} from '@smol/core/provider';
import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import { AnthropicStreamMapper, DEFAULT_MAX_TOKENS, fromAnthropicMessage, toAnthropicRequest } from './convert.js';
import { mapAnthropicError } from './errors.js';

export interface AnthropicModelOptions extends ApiModelOptions {
  /** max_tokens when the call does not set it; the Messages API requires one. Default 4096. */
  maxTokens?: number;
  /**
   * Extra `@anthropic-ai/sdk` client options, applied last (e.g. `authToken` for a bearer token). smol sets
   * maxRetries 0 (it retries) and logLevel 'off'.
   */
  clientOptions?: Partial<ClientOptions>;
}

/**
 * Claude through the Anthropic Messages API, on the official `@anthropic-ai/sdk`.
 * System messages become the top-level `system`, tool_use blocks become tool calls, and stream
 * events become deltas whose usage adds up to the final count exactly once.
 */
export class AnthropicModel extends ApiModel {
  readonly maxTokens: number;
  /** Who this model talks to, for error messages: provider name, host and hints. */
  protected readonly endpointContext: Readonly<EndpointContext>;
  readonly #clientOptions: Partial<ClientOptions> | undefined;
  #client: Anthropic | undefined;
  /** Whether the client's fetch is smol's own, which takes the run's signal beside the SDK's (see RUN_SIGNAL). Set with the client, which each call reads before its request options. */
  #runSignal = false;

  constructor(options: AnthropicModelOptions) {
    super(options);
    if (options.maxTokens !== undefined && !(Number.isInteger(options.maxTokens) && options.maxTokens > 0)) {
      throw new AgentConfigError('AnthropicModel: maxTokens must be a positive integer.');
    }
    this.maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.#clientOptions = options.clientOptions;
    this.secrets.add(options.clientOptions?.apiKey);
    this.secrets.add(options.clientOptions?.authToken);
    this.secrets.addHeaders(options.clientOptions?.defaultHeaders as Record<string, unknown> | undefined);
    const baseURL = loadSetting({ value: this.baseURL ?? options.clientOptions?.baseURL ?? undefined, envVar: 'ANTHROPIC_BASE_URL', name: 'baseURL', provider: 'AnthropicModel', optional: true });
    this.endpointContext = Object.freeze({
      provider: 'Anthropic',
      host: hostOf(baseURL) ?? 'api.anthropic.com',
      modelId: this.modelId,
      keySource: 'the apiKey option or the ANTHROPIC_API_KEY environment variable',
      notFoundHint: 'modelId and baseURL',
    });
  }

  /** The SDK client, created at the first call (which is when a missing API key is reported). */
  get client(): Anthropic {
    return (this.#client ??= this.createClient());
  }

  protected override describeEndpoint(): string {
    return endpointName(this.endpointContext);
  }

  protected createClient(): Anthropic {
    const extra = this.#clientOptions ?? {};
    const apiKey = this.apiKey ?? extra.apiKey ?? readEnv('ANTHROPIC_API_KEY');
    // A bearer token instead of a key: clientOptions.authToken or ANTHROPIC_AUTH_TOKEN.
    const authToken = apiKey ? undefined : (extra.authToken ?? readEnv('ANTHROPIC_AUTH_TOKEN'));
    // The SDK also reads credentials from other places (config files, profiles); give those a chance.
    const otherCredential = extra.credentials != null || extra.config != null || extra.profile != null;
    if (!apiKey && !authToken && !otherCredential) {
      throw new AgentConfigError('AnthropicModel: no apiKey. Pass { apiKey } or set the ANTHROPIC_API_KEY environment variable.');
    }
    this.secrets.add(apiKey);
    this.secrets.add(authToken);
    const { apiKey: _k, authToken: _t, ...rest } = extra;
    const fetch = rest.fetch ?? this.fetch ?? defaultFetch();
    this.#runSignal = readsRunSignal(fetch);
    return new Anthropic({
      // smol's retry policy owns retries; the SDK must not retry underneath it.
      maxRetries: 0,
      logLevel: 'off',
      fetch,
      ...(this.baseURL !== undefined && { baseURL: this.baseURL }),
      ...(this.headers && { defaultHeaders: { ...this.headers } }),
      ...(this.timeoutMs !== undefined && { timeout: this.timeoutMs }),
      ...rest,
      ...(apiKey ? { apiKey } : authToken ? { authToken, apiKey: null } : {}),
    });
  }

  protected generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<unknown> {
    const body = toAnthropicRequest(this.modelId, messages, options, this.maxTokens);
    // The SDK's promise as it is (no suspended frame per call in flight); toAnswer reads the message.
    return this.client.messages.create(body, sdkSignalOptions(options.signal, this.#runSignal) as Anthropic.RequestOptions);
  }

  protected override toAnswer(message: unknown): ChatMessage {
    return fromAnthropicMessage(message as Anthropic.Message, this.keepRawResponse);
  }

  protected override async *streamOnce(messages: readonly ChatMessage[], options: ModelCallOptions): AsyncIterable<ChatMessageStreamDelta> {
    const body = { ...toAnthropicRequest(this.modelId, messages, options, this.maxTokens), stream: true as const };
    const stream = await this.client.messages.create(body, sdkSignalOptions(options.signal, this.#runSignal) as Anthropic.RequestOptions);
    yield* mapStream(stream, new AnthropicStreamMapper(), options.signal);
  }

  protected toModelError(error: unknown): ModelError {
    return mapAnthropicError(error, this.endpointContext);
  }
}
