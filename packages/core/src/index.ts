// The root is for people who build agents. Provider authors: see `@smol/core/provider`.
export * from './errors.js';
export {
  MessageRole,
  StreamAccumulator,
  addUsage,
  contentText,
  type ChatMessage,
  type ChatMessageStreamDelta,
  type ChatMessageToolCall,
  type ChatMessageToolCallDelta,
  type ContentPart,
  type ImagePart,
  type TextPart,
  type TokenUsage,
} from './messages.js';
export * from './model.js';
export * from './tools.js';
export * from './code/executor.js';
export { RateLimiter, type ModelRateLimiter, type RateLimiterOptions } from './models/rate-limiter.js';
export type { ApiKey } from './provider/settings.js';
export type { RetryBackoff } from './models/retry.js';
export * from './memory.js';
export type { AgentEvent, AgentEventType } from './events.js';
export * from './prompts.js';
export type { RunResult, RunState, RunContext } from './runner/run-context.js';
export type { AgentKind, MaxStepsPolicy } from './runner/run-loop.js';
export type { ModelRequest } from './runner/model-call.js';
export { runToolCalls, executeToolCalls, callToolFromCode, toolCallEvent } from './runner/tool-calls.js';
export type { ToolCallRequest, ToolOutcome, ToolRunner } from './runner/tool-calls.js';
export { AgentRun } from './agents/agent-run.js';
export * from './agents/multi-step-agent.js';
export * from './agents/tool-calling-agent.js';
export * from './agents/code-agent.js';
export * from './code/parse-code.js';
export { toolAsJsSignature, CODE_AGENT_PROMPTS } from './code/code-prompts.js';
export type { AgentObserver, RunInfo } from './runner/observers.js';
export { managedAgentTool } from './agents/managed-agent-tool.js';
export type { RunSnapshot } from './runner/run-context.js';
export type { Approver } from './runner/tool-calls.js';
export type { PromptVariables } from './agents/multi-step-agent.js';
export * from './memory-json.js';
export * from './user-input-tool.js';
export type { AgentJSON, AgentDependencies } from './agents/agent-json.js';
export { AgentLogger, formatReplay, OpenTelemetryObserver, createTelemetryObserver } from './observability/index.js';
export type { AgentLoggerOptions, LogLevel, LogStream, ReplayOptions, TelemetryOptions } from './observability/index.js';
