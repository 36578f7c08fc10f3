export { McpClient, type HttpServerParams, type ListToolsOptions, type McpClientOptions, type McpServerParams, type StdioServerParams } from './client.js';
export { ToolCollection, type FromMcpOptions } from './tool-collection.js';
export { McpToolError, resultToOutput } from './convert.js';
export { McpConnectionError, type ChildExit } from './stdio.js';
