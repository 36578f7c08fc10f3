// Which model the demo talks to: a provider chosen by --provider or by the keys in the
// environment, else the embedded simulated model.
import { DEFAULT_MODELS, providerFromEnv } from '@smol/cli';
import type { Model } from '@smol/core';
import { AnthropicModel } from '@smol/anthropic';
import { AzureOpenAIServerModel } from '@smol/azure';
import { InferenceClientModel } from '@smol/hf';
import { LiteLLMModel } from '@smol/litellm-proxy';
import { OpenAIServerModel } from '@smol/openai';
import type { MockLlmServer } from '@smol/testing';
import type { DemoArgs, Provider } from './args.js';
import { SIMULATED_LABEL, startSimulatedModel } from './simulated.js';

export interface DemoModel {
  model: Model;
  /** One line saying what the demo talks to. */
  label: string;
  provider: Provider;
  /** The embedded server, when the model is simulated. */
  simulated?: MockLlmServer;
  close(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

// The provider order and default model ids are the smol command's, so both pick the same model.
export { providerFromEnv };

export async function createDemoModel(args: DemoArgs, env: Env): Promise<DemoModel> {
  const provider = args.provider ?? (args.baseURL ? 'openai' : providerFromEnv(env)) ?? 'simulated';
  if (provider === 'simulated') {
    const server = await startSimulatedModel({ latencyMs: args.latencyMs });
    const model = new OpenAIServerModel({ modelId: args.model ?? 'smol-simulated', baseURL: server.baseURL, apiKey: 'simulated' });
    return { model, label: SIMULATED_LABEL, provider, simulated: server, close: () => server.close() };
  }
  const modelId = args.model ?? env.SMOL_DEMO_MODEL ?? DEFAULT_MODELS[provider];
  const model = providerModel(provider, modelId, args, env);
  const where = args.baseURL ? ` at ${args.baseURL}` : '';
  return { model, label: `${provider} model ${modelId}${where}`, provider, close: async () => {} };
}

function providerModel(provider: Exclude<Provider, 'simulated'>, modelId: string, args: DemoArgs, env: Env): Model {
  switch (provider) {
    case 'openai':
      return new OpenAIServerModel({ modelId, baseURL: args.baseURL ?? env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY });
    case 'anthropic':
      return new AnthropicModel({ modelId, apiKey: env.ANTHROPIC_API_KEY, baseURL: args.baseURL });
    case 'hf':
      return new InferenceClientModel({ modelId, apiKey: env.HF_TOKEN, baseURL: args.baseURL });
    case 'azure':
      // the deployment name; the endpoint, key and API version default to AZURE_OPENAI_* / OPENAI_API_VERSION.
      return new AzureOpenAIServerModel({
        deployment: args.model ?? env.AZURE_OPENAI_DEPLOYMENT ?? modelId,
        endpoint: args.baseURL ?? env.AZURE_OPENAI_ENDPOINT,
        apiKey: env.AZURE_OPENAI_API_KEY,
        apiVersion: env.OPENAI_API_VERSION ?? env.AZURE_OPENAI_API_VERSION ?? '2024-10-21',
      });
    case 'litellm':
      return new LiteLLMModel({ modelId, baseURL: args.baseURL ?? env.LITELLM_PROXY_URL, apiKey: env.LITELLM_API_KEY });
  }
}
