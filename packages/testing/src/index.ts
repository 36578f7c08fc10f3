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
export { codeScenario, toolScenario, taskOf, messageText, argumentsFor, argumentFromTask, toolOutcomes, type CodeScenarioOptions, type ToolScenarioOptions, type ToolOutcome } from './scenarios.js';
export {
  startFixtureServer,
  closeFixtureServers,
  writeSse,
  writeTruncatedSse,
  fixtureReader,
  type FixtureServer,
  type FixtureServerOptions,
  type FixtureHandler,
  type FixtureRequest,
  type WriteSseOptions,
} from './fixture-server.js';
export { collectStream, withEnv, weatherTool } from './test-helpers.js';
export { ECHO_MARKER, errorSurfaces, leakReport, runSurfaces, startHeaderEchoServer, type EchoReply, type HeaderEchoServer, type LeakReport } from './secret-leaks.js';
