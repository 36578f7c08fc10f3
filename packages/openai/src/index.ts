export { OpenAIServerModel, OpenAIModel, type OpenAIServerModelOptions, type OpenAIEndpoint } from './openai-model.js';
export { mapOpenAIError } from './errors.js';
