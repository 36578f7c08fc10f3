import { AgentConfigError } from '@smol/core';
import { defaultFetch } from '@smol/core/transport';
import OpenAI, { type ClientOptions } from 'openai';

export type ApiKey = string | (() => Promise<string>);

export interface OpenAIClientSettings {
  apiKey?: ApiKey;
  /** Environment variable read when apiKey is absent. Default OPENAI_API_KEY. */
  apiKeyEnv?: string;
  baseURL?: string;
  organization?: string;
  project?: string;
  /** A fetch to use instead of smol's shared keep-alive node:http transport. */
  fetch?: typeof globalThis.fetch;
  /** Passed to the SDK client last; `maxRetries` defaults to 0 (smol retries) and `logLevel` to 'off' (smol never prints). */
  clientOptions?: Partial<ClientOptions>;
  /** For the error message: "OpenAI", "LiteLLM", … */
  provider?: string;
}

function env(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value && value.trim() !== '' ? value : undefined;
}

/** The API key from the settings or the environment; throws AgentConfigError when there is none. */
export function resolveApiKey(settings: OpenAIClientSettings): ApiKey {
  const envName = settings.apiKeyEnv ?? 'OPENAI_API_KEY';
  const key = settings.apiKey ?? (settings.clientOptions?.apiKey as ApiKey | undefined) ?? env(envName);
  if (!key) {
    throw new AgentConfigError(
      `${settings.provider ?? 'OpenAI'}: no API key. Pass { apiKey } or set ${envName}. ` +
        `(A local OpenAI-compatible server that ignores keys still needs a placeholder, e.g. apiKey: 'none'.)`,
    );
  }
  return key;
}

/**
 * The options every smol OpenAI-shaped client gets: smol's retries (SDK maxRetries 0),
 * no SDK logging, and the shared keep-alive fetch on Node unless a fetch is given.
 */
export function openAIClientOptions(settings: OpenAIClientSettings): ClientOptions {
  return {
    maxRetries: 0,
    logLevel: 'off',
    fetch: settings.fetch ?? defaultFetch(),
    ...(settings.baseURL !== undefined && { baseURL: settings.baseURL }),
    ...(settings.organization !== undefined && { organization: settings.organization }),
    ...(settings.project !== undefined && { project: settings.project }),
    ...settings.clientOptions,
    apiKey: resolveApiKey(settings),
  };
}

/** An `openai` client configured as above. Throws AgentConfigError without an API key. */
export function createOpenAIClient(settings: OpenAIClientSettings = {}): OpenAI {
  return new OpenAI(openAIClientOptions(settings));
}
