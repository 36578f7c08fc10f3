// Wire-level types for the simulated OpenAI-compatible server.

/** A message as it arrives in a Chat Completions request body. */
export interface MockChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | (string & {});
  content?: string | { type: string; text?: string; [key: string]: unknown }[] | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
  [key: string]: unknown;
}

/** A tool as listed in a request's `tools`. */
export interface MockTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

/** The parsed JSON body of a Chat Completions request (only the fields the mock looks at are typed). */
export interface ChatCompletionRequestBody {
  model?: string;
  messages: MockChatMessage[];
  tools?: MockTool[];
  tool_choice?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  stop?: string | string[] | null;
  [key: string]: unknown;
}

/** What a responder and a fault function see. */
export interface MockRequest {
  /** 0-based index of this chat-completions request since start (or the last reset()). */
  index: number;
  method: string;
  /** The path without the query string, e.g. "/v1/chat/completions". */
  path: string;
  /** The raw request URL, query included. */
  url: string;
  body: ChatCompletionRequestBody;
  /** Request headers, lower-case, with authorization, api-key, x-api-key and cookie removed. */
  headers: Record<string, string | string[] | undefined>;
  /** The Azure deployment name, for /openai/deployments/{deployment}/chat/completions. */
  deployment?: string;
}

/** A tool call in a reply. Arguments given as an object are sent as their JSON. */
export interface MockToolCall {
  id?: string;
  name: string;
  arguments?: Record<string, unknown> | string;
}

export interface MockUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
}

/** A successful reply. Content is cut at the request's `stop` sequences, as the real API does. */
export interface MockReply {
  content?: string | null;
  toolCalls?: MockToolCall[];
  /** Default: about 4 characters a token, from the request body and the reply. */
  usage?: MockUsage;
  /** Default: "tool_calls" when there are tool calls, else "stop". */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
}

/** An HTTP error with OpenAI's error body. */
export interface MockStatusFault {
  status: number;
  /** Seconds, sent as `retry-after`. A 429 without retryAfter/retryAfterMs sends `retry-after: 1`. */
  retryAfter?: number;
  /** Milliseconds, sent as `retry-after-ms` (and `retry-after` rounded up to seconds). */
  retryAfterMs?: number;
  /** Replaces the whole JSON body (an object is serialised, a string is sent as is). */
  body?: unknown;
  /** Replaces the default message in the error body. */
  message?: string;
  headers?: Record<string, string>;
}

/** Destroy the socket without answering (the client sees a connection reset). */
export interface MockResetFault {
  reset: true;
}

/**
 * Start answering, then destroy the socket mid-body: a stream stops after a few chunks without
 * finish_reason or [DONE]; a JSON body stops halfway.
 */
export interface MockTruncateFault {
  truncate: true;
  /** Stream chunks (role chunk included) sent before the cut. Default: half of them, at least 2. */
  afterChunks?: number;
}

/** Never answer. The connection is destroyed by close(). */
export interface MockHangFault {
  hang: true;
}

export type MockFault = MockStatusFault | MockResetFault | MockTruncateFault | MockHangFault;

/** What a responder returns: text, a reply, or a fault. */
export type MockResult = string | MockReply | MockFault;

export type MockResponder = (request: MockRequest) => MockResult | Promise<MockResult>;

/** Per request: a fault, or null/undefined for none. */
export type MockFaultFunction = (request: MockRequest) => MockFault | null | undefined;
