import { AgentConfigError, RateLimiter, type Model } from '@smol/core';
import { LiteLLMModel, type LiteLLMModelOptions } from '../litellm-model.js';

/**
 * LiteLLM-style parameters for a deployment: an OpenAI-compatible endpoint (a LiteLLM proxy, vLLM,
 * OpenAI, …) made into a LiteLLMModel. Other keys are sent as model parameters (temperature, …).
 * Python's snake_case `litellm_params` (api_base, api_key, rpm, tpm) are read too.
 */
export interface LiteLLMParams {
  model: string;
  baseURL?: string;
  apiKey?: string;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  [parameter: string]: unknown;
}

/** One deployment of the router's model list. Python's snake_case keys are accepted too. */
export interface RouterDeployment {
  /** The group it serves: the router's modelId, or a fallback group's name. */
  modelName?: string;
  model_name?: string;
  /** A ready smol Model of any provider… */
  model?: Model;
  /** …or LiteLLM-style params (see LiteLLMParams). */
  litellmParams?: LiteLLMParams;
  litellm_params?: Record<string, unknown>;
  /** Requests and tokens per minute this deployment may take; enforced with a core RateLimiter. */
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** For stats and error messages. Default: the model id, made unique with #n. */
  id?: string;
  /** Options for the LiteLLMModel built from litellmParams (fetch, headers, timeoutMs, clientOptions, …). */
  modelOptions?: Partial<LiteLLMModelOptions>;
}

/** A deployment and what the router learns about it while it runs. */
export class DeploymentState {
  inFlight = 0;
  /** Moving average of response time in ms (time to first delta for streams); undefined until measured. */
  latencyMs: number | undefined;
  /** performance.now() until which the deployment is skipped after a failure. */
  cooldownUntil = 0;
  requests = 0;
  failures = 0;

  constructor(
    readonly id: string,
    readonly group: string,
    readonly model: Model,
    readonly limiter: RateLimiter | undefined,
  ) {}

  recordLatency(ms: number): void {
    // EWMA, alpha 0.3: recent enough to notice a slow-down, smooth enough to ignore one blip.
    this.latencyMs = this.latencyMs === undefined ? ms : this.latencyMs * 0.7 + ms * 0.3;
  }

  coolingDown(now: number): boolean {
    return this.cooldownUntil > now;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

const PARAM_KEYS = new Set(['model', 'baseURL', 'api_base', 'apiKey', 'api_key', 'requestsPerMinute', 'tokensPerMinute', 'rpm', 'tpm']);

/** Builds the states for a model list; ids are unique. Throws AgentConfigError on a bad entry. */
export function buildDeployments(list: readonly RouterDeployment[]): DeploymentState[] {
  if (!Array.isArray(list) || list.length === 0) throw new AgentConfigError('LiteLLMRouterModel: modelList must list at least one deployment.');
  const seen = new Map<string, number>();
  return list.map((entry, i) => {
    const group = str(entry.modelName) ?? str(entry.model_name);
    if (!group) throw new AgentConfigError(`LiteLLMRouterModel: modelList[${i}] needs a modelName.`);
    const params = (entry.litellmParams ?? entry.litellm_params) as Record<string, unknown> | undefined;
    let model = entry.model;
    if (!model) {
      const id = str(params?.model);
      if (!id) throw new AgentConfigError(`LiteLLMRouterModel: modelList[${i}] needs a model or litellmParams.model.`);
      const parameters: Record<string, unknown> = {};
      for (const key in params) if (!PARAM_KEYS.has(key)) parameters[key] = params[key];
      model = new LiteLLMModel({
        modelId: id,
        baseURL: str(params!.baseURL) ?? str(params!.api_base),
        apiKey: str(params!.apiKey) ?? str(params!.api_key),
        // The router owns retries and fallbacks; a deployment fails fast so another can answer.
        maxRetries: 0,
        ...entry.modelOptions,
        modelParameters: { ...parameters, ...entry.modelOptions?.modelParameters },
      });
    }
    const requestsPerMinute = num(entry.requestsPerMinute) ?? num(params?.requestsPerMinute) ?? num(params?.rpm);
    const tokensPerMinute = num(entry.tokensPerMinute) ?? num(params?.tokensPerMinute) ?? num(params?.tpm);
    const limiter = requestsPerMinute || tokensPerMinute ? new RateLimiter({ requestsPerMinute, tokensPerMinute }) : undefined;
    let id = str(entry.id) ?? model.modelId;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (n > 0) id = `${id}#${n + 1}`;
    return new DeploymentState(id, group, model, limiter);
  });
}
