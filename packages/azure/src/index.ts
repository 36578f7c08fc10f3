export { AzureOpenAIServerModel, type AzureOpenAIServerModelOptions } from './azure-model.js';
