// Building blocks for OpenAI-shaped providers (Azure OpenAI, LiteLLM, …). Not a stable public API.
export {
  toOpenAIMessages,
  toOpenAITools,
  toOpenAIToolChoice,
  toOpenAIResponseFormat,
  toOpenAIRequest,
  toOpenAIStreamRequest,
  fromOpenAICompletion,
  fromOpenAIChunk,
  OpenAIStreamMapper,
  type OpenAIRequestBody,
  type OpenAIStreamRequestBody,
} from './convert.js';
export { mapOpenAIError, type OpenAIErrorContext } from './errors.js';
// Kept here for provider authors who import it from this entry; it lives in core.
export { redactSecrets } from '@smol/core';
export { createOpenAIClient, openAIClientOptions, resolveApiKey, type ApiKey, type OpenAIClientSettings } from './client.js';
export { OpenAIServerModel, type OpenAIServerModelOptions } from '../openai-model.js';
