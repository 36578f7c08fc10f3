import { AgentConfigError } from '@smol/core';
import { hostOf, loadApiKey, loadSetting, type ApiModelOptions } from '@smol/core/provider';
import { OpenAIServerModel, type OpenAIEndpoint } from '@smol/openai';
import { AzureOpenAI, type AzureClientOptions, type ClientOptions } from 'openai';

export interface AzureOpenAIServerModelOptions extends Omit<ApiModelOptions, 'modelId' | 'baseURL' | 'apiKey'> {
  /** The deployment to call (Azure routes by deployment, not by model). Default: modelId. */
  deployment?: string;
  /** The model behind the deployment, sent as `model`. Default: deployment. One of the two is required. */
  modelId?: string;
  /** e.g. "https://my-resource.openai.azure.com". Default: AZURE_OPENAI_ENDPOINT. */
  endpoint?: string;
  /** e.g. "2024-10-21". Default: OPENAI_API_VERSION. */
  apiVersion?: string;
  /** Sent as the `api-key` header. Default: AZURE_OPENAI_API_KEY. Exclusive with azureADTokenProvider. */
  apiKey?: string;
  /**
   * Microsoft Entra ID instead of a key: returns a bearer token, called before each request, e.g.
   * `getBearerTokenProvider(new DefaultAzureCredential(), 'https://cognitiveservices.azure.com/.default')`.
   * The tokens it returns are treated as secrets.
   */
  azureADTokenProvider?: () => Promise<string>;
  /** Extra `openai` SDK client options, applied last. */
  clientOptions?: Partial<ClientOptions>;
}

/**
 * A deployment on Azure OpenAI: OpenAIServerModel configured with the `openai` SDK's AzureOpenAI
 * client. Requests go to {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…;
 * the wire mapping, retries and error wording are shared with every OpenAI-shaped provider.
 */
export class AzureOpenAIServerModel extends OpenAIServerModel {
  readonly deployment: string;
  /** The resource's URL, e.g. https://my-resource.openai.azure.com. */
  readonly endpoint: string;
  readonly apiVersion: string;

  constructor(options: AzureOpenAIServerModelOptions) {
    const deployment = options?.deployment ?? options?.modelId;
    if (!deployment) throw new AgentConfigError('AzureOpenAIServerModel: pass { deployment } (the deployment name) or { modelId }.');
    if (options.azureADTokenProvider !== undefined && options.apiKey !== undefined) {
      throw new AgentConfigError('AzureOpenAIServerModel: pass either apiKey or azureADTokenProvider, not both.');
    }
    if (typeof (options.apiKey as unknown) === 'function') {
      throw new AgentConfigError('AzureOpenAIServerModel: apiKey must be a string; use azureADTokenProvider for tokens.');
    }
    const provider = 'AzureOpenAIServerModel';
    const endpoint = loadSetting({ value: options.endpoint, envVar: 'AZURE_OPENAI_ENDPOINT', name: 'endpoint', provider }).replace(/\/+$/, '');
    const apiVersion = loadSetting({ value: options.apiVersion, envVar: 'OPENAI_API_VERSION', name: 'apiVersion', provider, hint: '(e.g. "2024-10-21")' });
    const { azureADTokenProvider, apiKey } = options;
    super({ ...options, modelId: options.modelId ?? deployment }, azureEndpoint({ endpoint, apiVersion, deployment, apiKey, azureADTokenProvider }));
    this.deployment = deployment;
    this.endpoint = endpoint;
    this.apiVersion = apiVersion;
  }
}

interface AzureSettings {
  endpoint: string;
  apiVersion: string;
  deployment: string;
  apiKey: string | undefined;
  azureADTokenProvider: (() => Promise<string>) | undefined;
}

function azureEndpoint(s: AzureSettings): OpenAIEndpoint {
  return {
    provider: 'Azure OpenAI',
    host: hostOf(s.endpoint),
    keySource: s.azureADTokenProvider ? 'the Entra ID token from azureADTokenProvider' : 'the apiKey option or the AZURE_OPENAI_API_KEY environment variable',
    notFoundHint: `the deployment "${s.deployment}" (deployment or modelId), endpoint and apiVersion`,
    createClient: (base, secrets) =>
      new AzureOpenAI({
        ...(base as AzureClientOptions),
        // The base URL is built here rather than from `endpoint`, so an OPENAI_BASE_URL in the
        // environment (meant for OpenAI) cannot collide with it.
        baseURL: `${s.endpoint}/openai`,
        apiVersion: s.apiVersion,
        deployment: s.deployment,
        ...(s.azureADTokenProvider
          ? { azureADTokenProvider: secrets.track(s.azureADTokenProvider) }
          : { apiKey: loadApiKey({ value: s.apiKey, envVar: 'AZURE_OPENAI_API_KEY', provider: 'AzureOpenAIServerModel' }) as string }),
      }),
  };
}
