import { ModelError } from '@smol/core';
import { OpenAIServerModel, createOpenAIClient, mapOpenAIError, type OpenAIServerModelOptions } from '@smol/openai/internal';
import type OpenAI from 'openai';

export interface LiteLLMModelOptions extends OpenAIServerModelOptions {
  /**
   * A model id the proxy knows, passed through as is: a `model_name` from its config, or a
   * provider-prefixed id such as "anthropic/claude-3-5-sonnet-20240620".
   */
  modelId: string;
  /** The proxy's URL. Default: LITELLM_PROXY_URL, else http://localhost:4000 (the proxy's default port). */
  apiBase?: string;
  /** A LiteLLM virtual key or the master key. Default: LITELLM_API_KEY; a proxy without auth needs none. */
  apiKey?: OpenAIServerModelOptions['apiKey'];
}

export const DEFAULT_LITELLM_PROXY_URL = 'http://localhost:4000';

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value && value.trim() !== '' ? value : undefined;
}

/**
 * A model behind a LiteLLM proxy, which speaks the OpenAI Chat Completions wire format: the
 * request/response conversion, streaming and error mapping are @smol/openai's.
 */
export class LiteLLMModel extends OpenAIServerModel {
  protected override readonly providerName: string = 'LiteLLM proxy';
  readonly apiBase: string;
  #key: string | undefined;

  constructor(options: LiteLLMModelOptions) {
    super(options);
    this.apiBase = (options.apiBase ?? env('LITELLM_PROXY_URL') ?? DEFAULT_LITELLM_PROXY_URL).replace(/\/+$/, '');
  }

  protected override createClient(): OpenAI {
    const s = this.settings;
    const key = this.apiKey ?? env('LITELLM_API_KEY');
    this.#key = typeof key === 'string' ? key : undefined;
    return createOpenAIClient({
      // The SDK insists on a key; a proxy started without a master key accepts any.
      apiKey: key ?? 'no-key',
      apiKeyEnv: 'LITELLM_API_KEY',
      baseURL: this.apiBase,
      fetch: s.fetch,
      clientOptions: s.clientOptions,
      provider: this.providerName,
    });
  }

  protected override toModelError(error: unknown): ModelError {
    const mapped = mapOpenAIError(error, {
      provider: this.providerName,
      modelId: this.modelId,
      apiKeySource: 'the apiKey option or the LITELLM_API_KEY environment variable',
      secrets: [this.#key],
    });
    // The proxy answers an unknown model with a 400 "Invalid model name passed in model=…".
    if (mapped.status === 400 && /invalid model name/i.test(mapped.message)) {
      return new ModelError(`LiteLLM proxy does not know the model "${this.modelId}" (400): ${mapped.message.replace(/^.*?\(400\):\s*/, '')}`, {
        status: 400,
        cause: mapped.cause,
      });
    }
    return mapped;
  }
}
