export { AnthropicModel, type AnthropicModelOptions, type AnthropicApiKey } from './anthropic-model.js';
export {
  AnthropicStreamMapper,
  DEFAULT_MAX_TOKENS,
  fromAnthropicMessage,
  fromAnthropicUsage,
  toAnthropicMessages,
  toAnthropicRequest,
  toAnthropicToolChoice,
  toAnthropicTools,
} from './convert.js';
export { mapAnthropicError, type AnthropicErrorContext } from './errors.js';
