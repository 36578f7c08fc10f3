import type { ModelError } from '@smol/core';
import {
  ApiModel,
  SecretSet,
  WireStreamMapper,
  defaultFetch,
  endpointName,
  fromWireCompletion,
  hostOf,
  loadApiKey,
  loadSetting,
  mapStream,
  readsRunSignal,
  sdkSignalOptions,
  toWireRequest,
  type ApiModelOptions,
  type EndpointContext,
  type ModelCallOptions,
  type WireChunk,
  type WireCompletion,
} from '@smol/core/provider';
import type { ChatMessage, ChatMessageStreamDelta } from '@smol/core';
import OpenAI, { type ClientOptions } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { mapOpenAIError } from './errors.js';

export interface OpenAIServerModelOptions extends ApiModelOptions {
  organization?: string;
  project?: string;
  /** Extra `openai` SDK client options, applied last. smol sets maxRetries 0 (it retries) and logLevel 'off'. */
  clientOptions?: Partial<ClientOptions>;
}

/**
 * How an OpenAI-shaped provider differs from OpenAI itself: its name, where it is, what to check,
 * and its SDK client. @smol/azure and @smol/litellm-proxy configure OpenAIServerModel with one.
 */
export interface OpenAIEndpoint extends EndpointContext {
  /**
   * Builds the client from the options smol sets for every provider (retries and logging off,
   * fetch, headers, timeout, clientOptions). Register any credential it obtains in `secrets`.
   */
  createClient(base: ClientOptions, secrets: SecretSet): OpenAI;
}

const OPENAI_HOST = 'api.openai.com';

/**
 * A model behind the OpenAI Chat Completions API (OpenAI itself or any compatible server:
 * vLLM, Ollama, llama.cpp, LiteLLM, …), on the official `openai` SDK. Request and response
 * mapping is core's OpenAI-wire mapping (`@smol/core/provider`), shared with every OpenAI-shaped provider.
 */
export class OpenAIServerModel extends ApiModel {
  /** Who this model talks to, for error messages: provider name, host and hints. */
  protected readonly endpointContext: Readonly<EndpointContext>;
  readonly #createClient: OpenAIEndpoint['createClient'];
  readonly #clientOptions: Partial<ClientOptions> | undefined;
  #client: OpenAI | undefined;
  /** Whether the client's fetch is smol's own, which takes the run's signal beside the SDK's (see RUN_SIGNAL). Set with the client, which each call reads before its request options. */
  #runSignal = false;
  /** Who answered, for error messages: every completion is handed it. */
  readonly #endpointName: string;

  constructor(options: OpenAIServerModelOptions, endpoint?: OpenAIEndpoint) {
    super(options);
    const { clientOptions } = options;
    this.#clientOptions = clientOptions;
    this.secrets.add(clientOptions?.apiKey);
    this.secrets.addHeaders(clientOptions?.defaultHeaders as Record<string, unknown> | undefined);
    const resolved = endpoint ?? this.#openAIEndpoint(options);
    const { createClient, ...context } = resolved;
    this.#createClient = createClient;
    this.endpointContext = Object.freeze(context);
    this.#endpointName = endpointName(this.endpointContext);
  }

  /** The SDK client, created at the first call (which is when a missing API key is reported). */
  get client(): OpenAI {
    return (this.#client ??= this.#newClient());
  }

  #newClient(): OpenAI {
    const base: ClientOptions = {
      maxRetries: 0,
      logLevel: 'off',
      fetch: this.fetch ?? defaultFetch(),
      ...(this.headers && { defaultHeaders: { ...this.headers } }),
      ...(this.timeoutMs !== undefined && { timeout: this.timeoutMs }),
      ...this.#clientOptions,
    };
    const client = this.#createClient(base, this.secrets);
    this.#runSignal = readsRunSignal(base.fetch);
    if (typeof client.apiKey === 'string') this.secrets.add(client.apiKey);
    return client;
  }

  protected override describeEndpoint(): string {
    return this.#endpointName;
  }

  protected generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<unknown> {
    // The SDK JSON.stringifies the body as it is: the shared system prompt can go already encoded.
    const body = toWireRequest(this.modelId, messages, options, false, true) as unknown as ChatCompletionCreateParamsNonStreaming;
    // The SDK's promise as it is: no suspended frame per call in flight, and toAnswer reads the completion.
    return this.client.chat.completions.create(body, sdkSignalOptions(options.signal, this.#runSignal) as OpenAI.RequestOptions);
  }

  protected override toAnswer(completion: unknown): ChatMessage {
    return fromWireCompletion(completion as WireCompletion, this.describeEndpoint(), this.keepRawResponse);
  }

  protected override async *streamOnce(messages: readonly ChatMessage[], options: ModelCallOptions): AsyncIterable<ChatMessageStreamDelta> {
    const body = toWireRequest(this.modelId, messages, options, true, true) as unknown as ChatCompletionCreateParamsStreaming;
    const stream = await this.client.chat.completions.create(body, sdkSignalOptions(options.signal, this.#runSignal) as OpenAI.RequestOptions);
    yield* mapStream(stream as AsyncIterable<WireChunk>, new WireStreamMapper(this.describeEndpoint()), options.signal);
  }

  protected toModelError(error: unknown): ModelError {
    return mapOpenAIError(error, { ...this.endpointContext, modelId: this.modelId });
  }

  /** OpenAI itself, or any compatible server at `baseURL` (or OPENAI_BASE_URL). */
  #openAIEndpoint(options: OpenAIServerModelOptions): OpenAIEndpoint {
    const baseURL = loadSetting({ value: options.baseURL ?? options.clientOptions?.baseURL ?? undefined, envVar: 'OPENAI_BASE_URL', name: 'baseURL', provider: 'OpenAIServerModel', optional: true });
    const host = hostOf(baseURL) ?? OPENAI_HOST;
    const apiKey = this.apiKey;
    return {
      provider: host === OPENAI_HOST ? 'OpenAI' : 'OpenAI-compatible server',
      host,
      keySource: 'the apiKey option or the OPENAI_API_KEY environment variable',
      notFoundHint: 'modelId and baseURL',
      createClient: (base) =>
        new OpenAI({
          ...(baseURL !== undefined && { baseURL }),
          ...(options.organization !== undefined && { organization: options.organization }),
          ...(options.project !== undefined && { project: options.project }),
          ...base,
          apiKey: loadApiKey({
            value: apiKey ?? (options.clientOptions?.apiKey as string | undefined),
            envVar: 'OPENAI_API_KEY',
            provider: 'OpenAIServerModel',
            hint: "(A local OpenAI-compatible server that ignores keys still needs a placeholder, e.g. apiKey: 'none'.)",
          }),
        }),
    };
  }
}

/** Alias of OpenAIServerModel (the Python smolagents name). */
export const OpenAIModel = OpenAIServerModel;
export type OpenAIModel = OpenAIServerModel;
