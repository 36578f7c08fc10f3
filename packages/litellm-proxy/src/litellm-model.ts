import { hostOf, loadApiKey, loadSetting } from '@smol/core/provider';
import { OpenAIServerModel, type OpenAIEndpoint, type OpenAIServerModelOptions } from '@smol/openai';
import OpenAI from 'openai';

export interface LiteLLMModelOptions extends OpenAIServerModelOptions {
  /**
   * A model id the proxy knows, passed through as is: a `model_name` from its config, or a
   * provider-prefixed id such as "anthropic/claude-3-5-sonnet-20240620".
   */
  modelId: string;
  /** The proxy's URL. Default: LITELLM_PROXY_URL, else http://localhost:4000 (the proxy's default port). */
  baseURL?: string;
  /** A LiteLLM virtual key or the master key. Default: LITELLM_API_KEY; a proxy without auth needs none. */
  apiKey?: OpenAIServerModelOptions['apiKey'];
}

export const DEFAULT_LITELLM_PROXY_URL = 'http://localhost:4000';

/**
 * A model behind a LiteLLM proxy: OpenAIServerModel configured with the proxy's URL and key
 * (it speaks the OpenAI Chat Completions wire format).
 */
export class LiteLLMModel extends OpenAIServerModel {
  constructor(options: LiteLLMModelOptions) {
    const baseURL = (
      loadSetting({ value: options?.baseURL, envVar: 'LITELLM_PROXY_URL', name: 'baseURL', provider: 'LiteLLMModel', optional: true }) ?? DEFAULT_LITELLM_PROXY_URL
    ).replace(/\/+$/, '');
    super({ ...options, baseURL }, liteLLMEndpoint(baseURL, options?.apiKey));
  }
}

function liteLLMEndpoint(baseURL: string, apiKey: LiteLLMModelOptions['apiKey']): OpenAIEndpoint {
  return {
    provider: 'LiteLLM proxy',
    host: hostOf(baseURL),
    keySource: 'the apiKey option or the LITELLM_API_KEY environment variable',
    notFoundHint: 'modelId (a model_name of the proxy) and baseURL',
    createClient: (base, secrets) => {
      let key = loadApiKey({ value: apiKey, envVar: 'LITELLM_API_KEY', provider: 'LiteLLMModel', optional: true });
      if (typeof key === 'function') key = secrets.track(key);
      else secrets.add(key);
      // The SDK insists on a key; a proxy started without a master key accepts any.
      return new OpenAI({ ...base, baseURL, apiKey: key ?? 'no-key' });
    },
  };
}
