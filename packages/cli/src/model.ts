// Which model `smol run` talks to: --simulated, --provider / --base-url, or the keys in the environment.
// Providers other than OpenAI are optional peers, loaded only when asked for.
import { AgentConfigError, type Model } from '@smol/core';
import type { ModelArgs, Provider } from './args.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface CliModel {
  model: Model;
  /** One line saying what answers. */
  label: string;
  close(): Promise<void>;
}

/** The model each provider uses when neither --model nor SMOL_MODEL names one. */
export const DEFAULT_MODELS: Readonly<Record<Provider, string>> = {
  openai: 'gpt-4.1-mini',
  anthropic: 'claude-sonnet-4-5',
  hf: 'Qwen/Qwen2.5-Coder-32B-Instruct',
  azure: 'gpt-4.1-mini',
  litellm: 'gpt-4.1-mini',
};

const KEYS: Record<Provider, string> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  hf: 'HF_TOKEN',
  azure: 'AZURE_OPENAI_API_KEY',
  litellm: 'LITELLM_PROXY_URL',
};

/** The provider the environment's keys point to, in this order; undefined for none. */
export function providerFromEnv(env: Env): Provider | undefined {
  if (env.OPENAI_API_KEY) return 'openai';
  if (env.ANTHROPIC_API_KEY) return 'anthropic';
  if (env.HF_TOKEN) return 'hf';
  if (env.AZURE_OPENAI_API_KEY || env.AZURE_OPENAI_ENDPOINT) return 'azure';
  if (env.LITELLM_PROXY_URL) return 'litellm';
  return undefined;
}

async function load<T>(pkg: string, provider: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ pkg)) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new AgentConfigError(`--provider ${provider} needs ${pkg}: install it next to @smol/cli (npm i ${pkg}).`);
    throw error;
  }
}

export async function createModel(args: ModelArgs, env: Env): Promise<CliModel> {
  if (args.simulated) return simulatedModel(args.model);
  const provider = args.provider ?? (args.baseUrl ? 'openai' : providerFromEnv(env));
  if (!provider) {
    throw new AgentConfigError('No model is configured: set OPENAI_API_KEY (or ANTHROPIC_API_KEY, HF_TOKEN, AZURE_OPENAI_API_KEY, LITELLM_PROXY_URL), pass --base-url for an OpenAI-compatible server, or try --simulated.');
  }
  // An OpenAI-compatible server at --base-url (Ollama, vLLM, …) may need no key.
  const keyless = provider === 'openai' && args.baseUrl !== undefined;
  if (!keyless && !env[KEYS[provider]] && !(provider === 'azure' && env.AZURE_OPENAI_ENDPOINT)) {
    throw new AgentConfigError(`--provider ${provider} needs ${KEYS[provider]} in the environment.`);
  }
  const modelId = args.model ?? env.SMOL_MODEL ?? DEFAULT_MODELS[provider];
  const where = args.baseUrl ? ` at ${args.baseUrl}` : '';
  const label = `${provider} model ${modelId}${where}`;
  const none = async () => {};
  switch (provider) {
    case 'openai': {
      const { OpenAIServerModel } = await import('@smol/openai');
      return { model: new OpenAIServerModel({ modelId, baseURL: args.baseUrl ?? env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY ?? 'not-needed' }), label, close: none };
    }
    case 'anthropic': {
      const { AnthropicModel } = await load<typeof import('@smol/anthropic')>('@smol/anthropic', provider);
      return { model: new AnthropicModel({ modelId, apiKey: env.ANTHROPIC_API_KEY, baseURL: args.baseUrl }), label, close: none };
    }
    case 'hf': {
      const { InferenceClientModel } = await load<typeof import('@smol/hf')>('@smol/hf', provider);
      return { model: new InferenceClientModel({ modelId, apiKey: env.HF_TOKEN, ...(args.baseUrl ? { baseURL: args.baseUrl } : {}) }), label, close: none };
    }
    case 'azure': {
      const { AzureOpenAIServerModel } = await load<typeof import('@smol/azure')>('@smol/azure', provider);
      const model = new AzureOpenAIServerModel({
        modelId: args.model ?? env.AZURE_OPENAI_DEPLOYMENT ?? modelId,
        endpoint: args.baseUrl ?? env.AZURE_OPENAI_ENDPOINT,
        apiKey: env.AZURE_OPENAI_API_KEY,
        apiVersion: env.OPENAI_API_VERSION ?? '2024-10-21',
      });
      return { model, label, close: none };
    }
    case 'litellm': {
      const { LiteLLMModel } = await load<typeof import('@smol/litellm-proxy')>('@smol/litellm-proxy', provider);
      return { model: new LiteLLMModel({ modelId, baseURL: args.baseUrl ?? env.LITELLM_PROXY_URL, apiKey: env.LITELLM_API_KEY }), label, close: none };
    }
  }
}

/** @smol/testing's simulated OpenAI-compatible server, in-process: tool calls for a ToolCallingAgent, code for a CodeAgent. */
async function simulatedModel(modelId = 'smol-simulated'): Promise<CliModel> {
  const { startMockLlmServer, toolScenario, codeScenario } = await import('@smol/testing');
  const { OpenAIServerModel } = await import('@smol/openai');
  const tools = toolScenario({ toolCalls: 1 });
  const code = codeScenario({ includeTask: true });
  const server = await startMockLlmServer({
    latencyMs: 50,
    chunkDelayMs: 5,
    recordRequests: false,
    responder: (request) => ((request.body.tools ?? []).length > 0 ? tools(request) : code(request)),
  });
  const model = new OpenAIServerModel({ modelId, baseURL: server.baseURL, apiKey: 'simulated' });
  return { model, label: 'the simulated model (no key, no network)', close: () => server.close() };
}
