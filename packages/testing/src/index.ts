export {
  ScriptedModel,
  ScriptExhaustedError,
  estimateUsage,
  type ScriptedModelCall,
  type ScriptedModelOptions,
  type ScriptedMessage,
  type ScriptedReply,
  type ScriptedReplyFunction,
  type ScriptedToolCall,
} from './scripted-model.js';
export { startMockLlmServer, isFault, maskApiKey, type MockLlmServer, type MockLlmServerOptions } from './mock-server.js';
export type {
  ChatCompletionRequestBody,
  MockChatMessage,
  MockFault,
  MockFaultFunction,
  MockHangFault,
  MockReply,
  MockRequest,
  MockResetFault,
  MockResponder,
  MockResult,
  MockStatusFault,
  MockTool,
  MockToolCall,
  MockTruncateFault,
  MockUsage,
} from './mock-server-types.js';
export { codeScenario, toolScenario, taskOf, messageText, argumentsFor, type CodeScenarioOptions, type ToolScenarioOptions } from './scenarios.js';
