import { AgentConfigError, type ChatMessage, type ChatMessageStreamDelta, type ModelError } from '@smol/core';
import {
  ApiModel,
  WireStreamMapper,
  defaultFetch,
  endpointName,
  fromWireCompletion,
  hostOf,
  loadApiKey,
  mapStream,
  parseRetryAfter,
  toWireRequest,
  type ApiModelOptions,
  type EndpointContext,
  type FetchFunction,
  type ModelCallOptions,
  type WireChunk,
  type WireCompletion,
} from '@smol/core/provider';
import { InferenceClient, type InferenceProviderOrPolicy } from '@huggingface/inference';
import { mapHfError } from './errors.js';

export interface InferenceClientModelOptions extends ApiModelOptions {
  /**
   * An Inference Provider ("together", "groq", …) or "auto" (default): the router picks the first
   * provider available for the model, in the order of your hf.co/settings/inference-providers.
   * Not used with baseURL.
   */
  provider?: InferenceProviderOrPolicy;
  /** A Hugging Face token (hf_…), a provider's own key, or an async function returning one. Default: HF_TOKEN. */
  apiKey?: ApiModelOptions['apiKey'];
  /** An Inference Endpoint or TGI server, e.g. "http://localhost:8080" or ".../v1". Then `provider` is not used. */
  baseURL?: string;
  /** Bill an organization (Enterprise Hub) instead of the token's user: sent as X-HF-Bill-To. */
  billTo?: string;
}

type HfChatRequest = Parameters<InferenceClient['chatCompletion']>[0];

/**
 * A model behind Hugging Face Inference Providers (the router), an Inference Endpoint or a TGI
 * server, on the official `@huggingface/inference` InferenceClient (chat completion). Requests and
 * answers are mapped by core's OpenAI-wire mapping, without loading the openai SDK.
 */
export class InferenceClientModel extends ApiModel {
  readonly provider: InferenceProviderOrPolicy | undefined;
  readonly billTo: string | undefined;
  /** Who this model talks to, for error messages: provider name, host and hints. */
  protected readonly endpointContext: Readonly<EndpointContext>;
  #client: InferenceClient | undefined;

  constructor(options: InferenceClientModelOptions) {
    super(options);
    if (this.baseURL !== undefined && options.provider !== undefined && options.provider !== 'auto' && options.provider !== 'hf-inference') {
      throw new AgentConfigError(`InferenceClientModel: baseURL cannot be combined with provider "${options.provider}": an endpoint is called directly.`);
    }
    // With an endpoint the client must get no provider at all, or it refuses the call.
    this.provider = this.baseURL === undefined ? (options.provider ?? 'auto') : undefined;
    this.billTo = options.billTo;
    this.endpointContext = Object.freeze({
      provider: 'Hugging Face',
      host: hostOf(this.baseURL) ?? 'router.huggingface.co',
      modelId: this.modelId,
      keySource: 'the apiKey option or the HF_TOKEN environment variable',
      notFoundHint: this.baseURL === undefined ? 'modelId and provider' : 'modelId and baseURL',
    });
  }

  /** The SDK client, created at the first call. The token goes with each request (it may come from a function). */
  get client(): InferenceClient {
    return (this.#client ??= new InferenceClient('', {
      // smol's retry policy owns retries: the client would otherwise retry a 503 at once, forever.
      retry_on_error: false,
      ...(this.billTo !== undefined && { billTo: this.billTo }),
    }));
  }

  protected override describeEndpoint(): string {
    return endpointName(this.endpointContext);
  }

  /** The token for one request: the option (or its function), else HF_TOKEN; only a local endpoint may go without. */
  private async token(): Promise<string | undefined> {
    const key = loadApiKey({
      value: this.apiKey,
      envVar: 'HF_TOKEN',
      provider: 'InferenceClientModel',
      hint: '(Inference Providers need one; a local baseURL does not.)',
      optional: this.baseURL !== undefined,
    });
    const token = typeof key === 'function' ? await key() : key;
    this.secrets.add(token);
    return token;
  }

  private async args(messages: readonly ChatMessage[], options: ModelCallOptions, stream: boolean): Promise<HfChatRequest> {
    const body = toWireRequest(this.modelId, messages, options, stream) as unknown as HfChatRequest & Record<string, unknown>;
    delete body.stream; // the client sets it
    const token = await this.token();
    if (token !== undefined) body.accessToken = token;
    if (this.baseURL !== undefined) body.endpointUrl = this.baseURL;
    else body.provider = this.provider;
    return body;
  }

  protected async generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<ChatMessage> {
    const args = await this.args(messages, options, false);
    const call = new CallFetch(this.fetch ?? defaultFetch(), this.headers);
    try {
      const completion = await this.client.chatCompletion(args, { signal: options.signal, fetch: call.fetch });
      return fromWireCompletion(completion as WireCompletion, this.describeEndpoint(), this.keepRawResponse);
    } catch (error) {
      throw this.mapError(error, call.retryAfterMs);
    }
  }

  protected override async *streamOnce(messages: readonly ChatMessage[], options: ModelCallOptions): AsyncIterable<ChatMessageStreamDelta> {
    const args = await this.args(messages, options, true);
    const call = new CallFetch(this.fetch ?? defaultFetch(), this.headers);
    try {
      const stream = this.client.chatCompletionStream(args, { signal: options.signal, fetch: call.fetch });
      yield* mapStream(stream as AsyncIterable<WireChunk>, new WireStreamMapper(this.describeEndpoint()), options.signal);
    } catch (error) {
      throw this.mapError(error, call.retryAfterMs);
    }
  }

  protected toModelError(error: unknown): ModelError {
    return this.mapError(error, undefined);
  }

  /** An abort or a timeout is mapped too, but ApiModel reports those itself and drops this. */
  private mapError(error: unknown, retryAfterMs: number | undefined): ModelError {
    return mapHfError(error, this.endpointContext, retryAfterMs);
  }
}

/** One request's fetch: adds the headers option and keeps the failed response's Retry-After, which the client's errors drop. */
class CallFetch {
  retryAfterMs: number | undefined;
  constructor(
    private readonly base: FetchFunction,
    private readonly headers: Readonly<Record<string, string>> | undefined,
  ) {}

  readonly fetch: FetchFunction = async (input, init) => {
    let request = init;
    if (this.headers) {
      const headers = new Headers(init?.headers);
      for (const [k, v] of Object.entries(this.headers)) headers.set(k, v);
      request = { ...init, headers };
    }
    const response = await this.base(input, request);
    if (!response.ok) this.retryAfterMs = parseRetryAfter(response.headers);
    return response;
  };
}
