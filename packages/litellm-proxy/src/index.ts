export { LiteLLMModel, DEFAULT_LITELLM_PROXY_URL, type LiteLLMModelOptions } from './litellm-model.js';
export { LiteLLMRouterModel, type LiteLLMRouterModelOptions, type RouterFallbacks, type DeploymentStats } from './router/router-model.js';
export type { RouterDeployment, LiteLLMParams } from './router/deployment.js';
export type { RoutingStrategy } from './router/strategies.js';
