export { OpenAIServerModel, OpenAIModel, type OpenAIServerModelOptions } from './openai-model.js';
export type { ApiKey } from './internal/client.js';
