export { AiSdkModel, aiSdkModel, type AiSdkChatMessage, type AiSdkModelOptions, type AiSdkStreamDelta } from './ai-sdk-model.js';
export { toModelError } from './errors.js';
export { TurnMemory, parseCallingTools, toPrompt, type AssistantPart } from './prompt.js';
export type { AnyLanguageModel, ProviderMetadata, SpecVersion } from './spec.js';
export { runToUIMessageStream, runToUIMessageStreamResponse, type RunEvents, type RunToUIMessageStreamOptions, type SmolDataParts, type SmolUIMessage } from './ui-message-stream.js';
export { agentTool, type AgentToolOptions, type AgentToolResult, type RunnableAgent } from './agent-tool.js';
