export { createHandler, type AgentSource, type HandlerOptions, type SmolHandler } from './handler.js';
export { serve, nodeListener, toRequest, writeResponse, ServerListenError, type ServeOptions, type SmolServer } from './node.js';
export { openApiDocument } from './openapi.js';
export { eventSSE, resultJSON, stepJSON, errorJSON, type AbortCause } from './wire.js';
export type { RunStatus } from './runs.js';
