export { InferenceClientModel, type InferenceClientModelOptions } from './inference-client-model.js';
export { mapHfError } from './errors.js';
