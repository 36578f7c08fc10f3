import { AgentConfigError, ModelError, type ApiModelOptions } from '@smol/core';
import { defaultFetch } from '@smol/core/transport';
import { OpenAIServerModel, mapOpenAIError, resolveApiKey } from '@smol/openai/internal';
import { AzureOpenAI, type AzureClientOptions } from 'openai';

export interface AzureOpenAIServerModelOptions extends ApiModelOptions {
  /** The deployment name (Azure routes by deployment, not by model). */
  modelId: string;
  /** e.g. "https://my-resource.openai.azure.com". Default: AZURE_OPENAI_ENDPOINT. */
  azureEndpoint?: string;
  /** Default: AZURE_OPENAI_API_KEY. Sent as the `api-key` header. Exclusive with azureADTokenProvider. */
  apiKey?: string;
  /**
   * Microsoft Entra ID instead of a key: returns a bearer token, called before each request, e.g.
   * `getBearerTokenProvider(new DefaultAzureCredential(), 'https://cognitiveservices.azure.com/.default')`.
   */
  azureADTokenProvider?: () => Promise<string>;
  /** e.g. "2024-10-21". Default: OPENAI_API_VERSION. */
  apiVersion?: string;
  /** Extra SDK client options (defaultHeaders, timeout, …). */
  clientOptions?: Partial<AzureClientOptions>;
  /** Your own fetch. Default on Node: smol's shared keep-alive node:http transport. */
  fetch?: typeof globalThis.fetch;
}

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value && value.trim() !== '' ? value : undefined;
}

/**
 * A deployment on Azure OpenAI, on the `openai` SDK's `AzureOpenAI` client. Requests go to
 * {endpoint}/openai/deployments/{modelId}/chat/completions?api-version=…; the request and response
 * conversion is @smol/openai's, so only the client and the error wording differ.
 */
export class AzureOpenAIServerModel extends OpenAIServerModel {
  protected override readonly providerName: string = 'Azure OpenAI';
  readonly azureEndpoint: string;
  readonly apiVersion: string;
  readonly #tokenProvider: (() => Promise<string>) | undefined;
  readonly #clientOptions: Partial<AzureClientOptions> | undefined;
  #resolvedKey: string | undefined;

  constructor(options: AzureOpenAIServerModelOptions) {
    const { azureEndpoint, apiVersion, azureADTokenProvider, ...rest } = options;
    super(rest);
    if (azureADTokenProvider !== undefined && options.apiKey !== undefined) {
      throw new AgentConfigError('AzureOpenAIServerModel: pass either apiKey or azureADTokenProvider, not both.');
    }
    const endpoint = azureEndpoint ?? env('AZURE_OPENAI_ENDPOINT');
    if (!endpoint) throw new AgentConfigError('AzureOpenAIServerModel: no endpoint. Pass { azureEndpoint } or set AZURE_OPENAI_ENDPOINT.');
    const version = apiVersion ?? env('OPENAI_API_VERSION');
    if (!version) throw new AgentConfigError('AzureOpenAIServerModel: no API version. Pass { apiVersion } (e.g. "2024-10-21") or set OPENAI_API_VERSION.');
    this.azureEndpoint = endpoint.replace(/\/+$/, '');
    this.apiVersion = version;
    this.#tokenProvider = azureADTokenProvider;
    this.#clientOptions = options.clientOptions;
  }

  protected override createClient(): AzureOpenAI {
    const s = this.settings;
    const credential = this.#tokenProvider
      ? { azureADTokenProvider: this.#tokenProvider }
      : { apiKey: (this.#resolvedKey = this.resolveKey()) };
    return new AzureOpenAI({
      // smol's retry policy owns retries; the SDK logs nothing.
      maxRetries: 0,
      logLevel: 'off',
      fetch: s.fetch ?? defaultFetch(),
      ...this.#clientOptions,
      // The base URL is built here rather than from `endpoint`, so an OPENAI_BASE_URL in the
      // environment (meant for OpenAI) cannot collide with it.
      baseURL: `${this.azureEndpoint}/openai`,
      apiVersion: this.apiVersion,
      deployment: this.modelId,
      ...credential,
    });
  }

  private resolveKey(): string {
    const key = resolveApiKey({ apiKey: this.apiKey, apiKeyEnv: 'AZURE_OPENAI_API_KEY', provider: 'Azure OpenAI' });
    if (typeof key !== 'string') throw new AgentConfigError('AzureOpenAIServerModel: apiKey must be a string; use azureADTokenProvider for tokens.');
    return key;
  }

  protected override toModelError(error: unknown): ModelError {
    const mapped = mapOpenAIError(error, {
      provider: this.providerName,
      modelId: this.modelId,
      apiKeySource: this.#tokenProvider ? 'the Entra ID token from azureADTokenProvider' : 'the apiKey option or the AZURE_OPENAI_API_KEY environment variable',
      secrets: [this.#resolvedKey],
    });
    if (mapped.status === 404) {
      // Azure's DeploymentNotFound message does not say which deployment; ours does.
      const detail = mapped.message.replace(/^.*?\(404\):\s*/, '').replace(/\. Check modelId and apiBase\.$/, '');
      return new ModelError(
        `Azure OpenAI has no deployment "${this.modelId}" at ${this.azureEndpoint} (404): ${detail}. Check modelId (the deployment name), azureEndpoint and apiVersion.`,
        { status: 404, cause: mapped.cause },
      );
    }
    return mapped;
  }
}
