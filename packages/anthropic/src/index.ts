export { AnthropicModel, type AnthropicModelOptions } from './anthropic-model.js';
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
export { mapAnthropicError } from './errors.js';
