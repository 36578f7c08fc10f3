// Conversions between MCP shapes and smol's: tool names, schemas and call results.
import { AgentError, type ContentPart, type ImagePart, type JsonSchemaObject, type TextPart } from '@smol/core';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Gives every MCP tool a name that is a valid smol tool name (an identifier: MCP allows
 * `-` and `.`, some providers do not), unique within the list. Returns smol name → MCP name.
 */
export function sanitiseNames(names: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  // Names that are already valid keep their spelling, so they never get a suffix because
  // an earlier, sanitised name happened to collide with them.
  const taken = new Set(names.filter((n) => NAME_RE.test(n)));
  for (const name of names) {
    if (NAME_RE.test(name)) {
      map.set(name, name);
      continue;
    }
    let base = name.replace(/[^a-zA-Z0-9_]/g, '_');
    if (!/^[a-zA-Z_]/.test(base)) base = `_${base}`;
    let candidate = base;
    for (let i = 2; taken.has(candidate); i++) candidate = `${base}_${i}`;
    taken.add(candidate);
    map.set(candidate, name);
  }
  return map;
}

/** The tool's input schema as smol `parameters`: an object schema, without `$schema`. */
export function parametersOf(tool: McpTool): JsonSchemaObject {
  const { $schema: _dialect, ...schema } = tool.inputSchema as Record<string, unknown>;
  // Core validates with draft 2020-12 (MCP's default dialect); a `$schema` naming draft-07
  // adds nothing the model needs, and `properties` must exist for smol's `inputs`.
  return { ...schema, type: 'object', properties: (schema.properties as JsonSchemaObject['properties']) ?? {} };
}

/** A description is required by smol; fall back to the title, then the name. */
export function descriptionOf(tool: McpTool): string {
  return tool.description?.trim() || tool.title?.trim() || tool.annotations?.title?.trim() || `MCP tool ${tool.name}`;
}

/** Thrown by a tool whose MCP result has `isError: true`; the agent shows the text to the model. */
export class McpToolError extends AgentError {
  static override readonly kind: string = 'McpToolError';
  /** The full result, for callers that want more than the text. */
  readonly result: CallToolResult;
  constructor(message: string, result: CallToolResult) {
    super(message);
    this.result = result;
  }
}

/**
 * What a tool call returns to the agent:
 * - an error result throws McpToolError with its text;
 * - `structuredContent` when the server sent it (it is the data; the text is a rendering of it);
 * - the text parts joined with newlines when there are only texts;
 * - an ImagePart alone, or an array of text and image parts when there are images.
 */
export function resultToOutput(result: CallToolResult): unknown {
  const parts = (result.content ?? []).map(contentToPart);
  if (result.isError) {
    const text = parts.map((p) => (p.type === 'text' ? p.text : '[image]')).join('\n');
    throw new McpToolError(text || 'The MCP tool reported an error without a message.', result);
  }
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (parts.every((p): p is TextPart => p.type === 'text')) return parts.map((p) => p.text).join('\n');
  if (parts.length === 1) return parts[0];
  return parts;
}

function contentToPart(content: CallToolResult['content'][number]): ContentPart {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: content.text };
    case 'image':
      return { type: 'image', image: `data:${content.mimeType};base64,${content.data}`, mediaType: content.mimeType } satisfies ImagePart;
    case 'audio':
      // smol messages have no audio part yet: tell the model something was there.
      return { type: 'text', text: `[audio: ${content.mimeType}, ${Math.floor((content.data.length * 3) / 4)} bytes]` };
    case 'resource': {
      const r = content.resource;
      return { type: 'text', text: 'text' in r && typeof r.text === 'string' ? r.text : `[resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}]` };
    }
    case 'resource_link':
      return { type: 'text', text: `[resource ${content.name}: ${content.uri}]` };
    default:
      return { type: 'text', text: JSON.stringify(content) };
  }
}
