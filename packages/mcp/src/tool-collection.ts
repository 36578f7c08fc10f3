import type { Tool } from '@smol/core';
import type { ListToolsOptions, McpClientOptions, McpServerParams } from './client.js';
import { McpClient } from './client.js';

export interface FromMcpOptions extends McpClientOptions {
  /** Keep only these tools, by MCP name or smol name, or those the function accepts (given the MCP name). */
  include?: ListToolsOptions['include'];
}

/**
 * The tools of one MCP server, and the connection they need. Close it when the agent is done
 * (`await using tools = await ToolCollection.fromMcp(...)` does that at the end of the scope).
 */
export class ToolCollection implements AsyncDisposable {
  readonly tools: Tool[];
  readonly client: McpClient;

  constructor(tools: Tool[], client: McpClient) {
    this.tools = tools;
    this.client = client;
  }

  /** Connects to the server and lists its tools; on failure nothing is left running. */
  static async fromMcp(params: McpServerParams, options: FromMcpOptions = {}): Promise<ToolCollection> {
    const client = await McpClient.connect(params, options);
    try {
      return new ToolCollection(await client.listTools({ include: options.include, signal: options.signal }), client);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
