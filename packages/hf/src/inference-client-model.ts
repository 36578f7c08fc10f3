import {
  AgentConfigError,
  ApiModel,
  mapStream,
  toAbortError,
  type ApiModelOptions,
  type ChatMessage,
  type ChatMessageStreamDelta,
  type ModelCallOptions,
  type ModelError,
} from '@smol/core';
import { defaultFetch } from '@smol/core/transport';
import { InferenceClient, type InferenceProviderOrPolicy } from '@huggingface/inference';
import { HfStreamMapper, fromHfCompletion, toHfRequest, type StreamChunk } from './convert.js';
import { mapHfError } from './errors.js';
import { RequestScope } from './request-scope.js';

export interface InferenceClientModelOptions extends ApiModelOptions {
  /**
   * An Inference Provider ("together", "groq", …) or "auto" (default): the router picks the first
   * provider available for the model, in the order of your hf.co/settings/inference-providers.
   * Not used with endpointUrl.
   */
  provider?: InferenceProviderOrPolicy;
  /** A Hugging Face token (hf_…), or a provider's own key. Default: HF_TOKEN. */
  token?: string;
  /** Alias of `token`, for OpenAI-style configs. Giving both is an error. */
  apiKey?: string;
  /** An Inference Endpoint or TGI server, e.g. "http://localhost:8080" or ".../v1". Then `provider` is not used. */
  endpointUrl?: string;
  /** Alias of `endpointUrl`. */
  baseUrl?: string;
  /** Bill an organization (Enterprise Hub) instead of the token's user: sent as X-HF-Bill-To. */
  billTo?: string;
  /** Abort a request (and let the retry policy retry it) after this many ms without a response or, in a stream, without a chunk. */
  timeout?: number;
  /** Your own fetch. Default on Node: smol's shared keep-alive node:http transport. */
  fetch?: typeof globalThis.fetch;
}

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value && value.trim() !== '' ? value : undefined;
}

/**
 * A model behind Hugging Face Inference Providers (the router), an Inference Endpoint or a TGI
 * server, on the official `@huggingface/inference` InferenceClient (chat completion).
 */
export class InferenceClientModel extends ApiModel {
  readonly provider: InferenceProviderOrPolicy | undefined;
  readonly endpointUrl: string | undefined;
  readonly billTo: string | undefined;
  readonly timeout: number | undefined;
  // Private fields, so inspecting or serialising the model never shows the token.
  readonly #token: string | undefined;
  readonly #fetch: typeof globalThis.fetch | undefined;
  #client: InferenceClient | undefined;

  constructor(options: InferenceClientModelOptions) {
    super(options);
    if (options.token !== undefined && options.apiKey !== undefined) {
      throw new AgentConfigError('InferenceClientModel: pass either token or apiKey (they are the same setting), not both.');
    }
    if (options.endpointUrl !== undefined && options.baseUrl !== undefined && options.endpointUrl !== options.baseUrl) {
      throw new AgentConfigError('InferenceClientModel: pass either endpointUrl or baseUrl (they are the same setting), not both.');
    }
    this.endpointUrl = options.endpointUrl ?? options.baseUrl;
    if (this.endpointUrl !== undefined && options.provider !== undefined && options.provider !== 'auto' && options.provider !== 'hf-inference') {
      throw new AgentConfigError(`InferenceClientModel: endpointUrl cannot be combined with provider "${options.provider}": an endpoint is called directly.`);
    }
    if (options.timeout !== undefined && !(options.timeout > 0)) throw new AgentConfigError('InferenceClientModel: timeout must be a positive number of ms.');
    // With an endpoint the client must get no provider at all, or it refuses the call.
    this.provider = this.endpointUrl === undefined ? (options.provider ?? 'auto') : undefined;
    this.#token = options.token ?? options.apiKey;
    this.billTo = options.billTo;
    this.timeout = options.timeout;
    this.#fetch = options.fetch;
  }

  /** The SDK client, created at the first call (which is when a missing token is reported). */
  get client(): InferenceClient {
    return (this.#client ??= this.createClient());
  }

  protected createClient(): InferenceClient {
    const token = this.resolvedToken();
    if (!token && this.endpointUrl === undefined) {
      throw new AgentConfigError('InferenceClientModel: no token. Pass { token } or set HF_TOKEN (Inference Providers need one; a local endpointUrl does not).');
    }
    return new InferenceClient(token ?? '', {
      // smol's retry policy owns retries: the client would otherwise retry a 503 at once, forever.
      retry_on_error: false,
      ...(this.billTo !== undefined && { billTo: this.billTo }),
    });
  }

  private resolvedToken(): string | undefined {
    return this.#token ?? env('HF_TOKEN');
  }

  private scope(signal: AbortSignal | undefined): RequestScope {
    return new RequestScope(this.#fetch ?? defaultFetch(), signal, this.timeout);
  }

  private args(body: ReturnType<typeof toHfRequest>): ReturnType<typeof toHfRequest> {
    if (this.endpointUrl !== undefined) body.endpointUrl = this.endpointUrl;
    else body.provider = this.provider;
    return body;
  }

  protected async generateOnce(messages: readonly ChatMessage[], options: ModelCallOptions): Promise<ChatMessage> {
    const client = this.client;
    const scope = this.scope(options.signal);
    try {
      const completion = await client.chatCompletion(this.args(toHfRequest(this.modelId, messages, options, false)), { signal: scope.signal, fetch: scope.fetch });
      return fromHfCompletion(completion);
    } catch (error) {
      if (options.signal?.aborted) throw toAbortError(options.signal);
      throw this.mapError(error, scope.retryAfterMs);
    } finally {
      scope.dispose();
    }
  }

  protected override async *streamOnce(messages: readonly ChatMessage[], options: ModelCallOptions): AsyncIterable<ChatMessageStreamDelta> {
    const client = this.client;
    const scope = this.scope(options.signal);
    let done = false;
    try {
      const stream = client.chatCompletionStream(this.args(toHfRequest(this.modelId, messages, options, true)), { signal: scope.signal, fetch: scope.fetch });
      yield* mapStream(stream as AsyncIterable<StreamChunk>, new HfStreamMapper(), options.signal, () => scope.touch());
      done = true;
    } catch (error) {
      if (options.signal?.aborted) throw toAbortError(options.signal);
      throw this.mapError(error, scope.retryAfterMs);
    } finally {
      // Reached early when the reader stops (break, stop sequence): end the HTTP request too.
      if (!done) scope.abort();
      scope.dispose();
    }
  }

  protected toModelError(error: unknown): ModelError {
    return this.mapError(error, undefined);
  }

  private mapError(error: unknown, retryAfterMs: number | undefined): ModelError {
    return mapHfError(error, { modelId: this.modelId, secrets: [this.resolvedToken()], retryAfterMs });
  }
}
