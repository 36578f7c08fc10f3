export { InferenceClientModel, type InferenceClientModelOptions } from './inference-client-model.js';
export { HfStreamMapper, fromHfCompletion, toHfMessages, toHfRequest, toHfToolChoice, toHfTools, type HfChatCompletion, type HfChatRequest } from './convert.js';
export { HfTimeoutError, mapHfError, type HfErrorContext } from './errors.js';
