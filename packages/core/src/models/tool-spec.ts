import { toolParametersSchema, type JsonSchemaObject, type Tool } from '../tools.js';

/** A tool as providers send it: name, description and the JSON Schema of its arguments. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchemaObject;
}

const toolSpecCache = new WeakMap<Tool, ToolSpec>();
const toolListCache = new WeakMap<readonly Tool[], readonly ToolSpec[]>();

/** A tool's provider-neutral spec, computed once per tool. */
export function toolSpec(tool: Tool): ToolSpec {
  let spec = toolSpecCache.get(tool);
  if (!spec) {
    spec = Object.freeze({ name: tool.name, description: tool.description, parameters: toolParametersSchema(tool) });
    toolSpecCache.set(tool, spec);
  }
  return spec;
}

/** Tools as specs, cached per tool, and per frozen list (an agent's: the same every step). Undefined for none. */
export function toolSpecs(tools: readonly Tool[] | undefined): readonly ToolSpec[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  if (!Object.isFrozen(tools)) return tools.map(toolSpec);
  let specs = toolListCache.get(tools);
  if (!specs) {
    specs = Object.freeze(tools.map(toolSpec));
    toolListCache.set(tools, specs);
  }
  return specs;
}
