import { Validator } from '@cfworker/json-schema';
import { AgentConfigError } from './errors.js';

export type ToolValueType = 'string' | 'boolean' | 'integer' | 'number' | 'image' | 'audio' | 'array' | 'object' | 'any' | 'null';

/** One input, smolagents-style: a JSON Schema fragment with a required description. */
export interface ToolInput {
  type: ToolValueType | ToolValueType[];
  description: string;
  nullable?: boolean;
  [schemaKeyword: string]: unknown;
}

export interface ToolContext {
  /** The run's signal: aborted when the run is cancelled or interrupted. */
  signal: AbortSignal;
  /** Id of the run calling the tool. */
  runId: string;
  /** Id of this tool call, when the call has one. */
  callId?: string;
  /** The run's state variables (additionalArgs and named outputs). */
  state: Record<string, unknown>;
}

export interface Tool<TArgs = any, TOutput = unknown> {
  readonly name: string;
  readonly description: string;
  readonly inputs: Readonly<Record<string, ToolInput>>;
  readonly outputType: ToolValueType;
  /** The full JSON Schema of the arguments object; derived from `inputs` when absent. */
  readonly parameters?: JsonSchemaObject;
  /**
   * A human must approve each call (or calls for which this returns true). The agent's
   * `approve` handler is awaited; without one, a ToolCallingAgent run pauses (see AgentRun.toJSON).
   */
  readonly needsApproval?: boolean | ((args: TArgs, context: ToolContext) => boolean | Promise<boolean>);
  /** Checks and converts raw arguments. Throws ToolArgumentsError. Derived from the schema when absent. */
  parse?(args: unknown): TArgs | Promise<TArgs>;
  forward(args: TArgs, context: ToolContext): TOutput | Promise<TOutput>;
}

export interface JsonSchemaObject {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
  [keyword: string]: unknown;
}

/** Thrown by argument validation; the loop turns it into an observation for the model. */
export class ToolArgumentsError extends Error {
  override name = 'ToolArgumentsError';
}

/** A Standard Schema (zod 4, valibot, arktype…) that can also describe itself as JSON Schema. */
export interface StandardJsonSchema<T = unknown> {
  '~standard': {
    validate(value: unknown): { value: T; issues?: undefined } | { issues: readonly { message: string; path?: readonly unknown[] }[] } | Promise<unknown>;
    jsonSchema?: { input(options: { target: string }): Record<string, unknown> };
  };
}

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const schemaCache = new WeakMap<Tool, JsonSchemaObject>();
const validatorCache = new WeakMap<Tool, Validator>();

/** The JSON Schema of a tool's arguments, computed once per tool. */
export function toolParametersSchema(tool: Tool): JsonSchemaObject {
  let schema = schemaCache.get(tool);
  if (schema) return schema;
  if (tool.parameters) {
    schema = tool.parameters;
  } else {
    const properties: Record<string, Record<string, unknown>> = {};
    const required: string[] = [];
    for (const [key, input] of Object.entries(tool.inputs)) {
      const { nullable, type, ...rest } = input;
      const t = type === 'any' ? undefined : type === 'image' || type === 'audio' ? 'string' : type;
      const prop: Record<string, unknown> = { ...rest };
      if (t !== undefined) prop.type = nullable && !Array.isArray(t) ? [t, 'null'] : t;
      properties[key] = prop;
      if (!nullable) required.push(key);
    }
    schema = { type: 'object', properties, required, additionalProperties: false };
  }
  schemaCache.set(tool, schema);
  return schema;
}

/** Validates raw arguments against the tool: its own `parse`, else its JSON Schema. */
export async function parseToolArguments(tool: Tool, args: unknown): Promise<unknown> {
  if (tool.parse) return tool.parse(args);
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new ToolArgumentsError(`Arguments must be a JSON object, got ${describe(args)}.`);
  }
  let validator = validatorCache.get(tool);
  if (!validator) {
    validator = new Validator(toolParametersSchema(tool) as never, '2020-12', false);
    validatorCache.set(tool, validator);
  }
  const result = validator.validate(args);
  if (!result.valid) {
    const messages = result.errors
      .filter((e) => e.keyword !== 'properties' && e.keyword !== 'items')
      .map((e) => `${e.instanceLocation.replace(/^#\/?/, '') || '(arguments)'}: ${e.error}`);
    throw new ToolArgumentsError(`Invalid arguments: ${messages.join('; ')}`);
  }
  return args;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.slice(0, 100))}`;
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}

export interface ToolDefinition<TArgs, TOutput> {
  name: string;
  description: string;
  /** A zod 4 (or other Standard Schema) object schema, a JSON Schema object, or smolagents-style inputs. */
  inputSchema?: StandardJsonSchema<TArgs> | JsonSchemaObject;
  inputs?: Record<string, ToolInput>;
  outputType?: ToolValueType;
  needsApproval?: Tool<TArgs, TOutput>['needsApproval'];
  execute(args: TArgs, context: ToolContext): TOutput | Promise<TOutput>;
}

function isStandardSchema(v: unknown): v is StandardJsonSchema {
  return typeof v === 'object' && v !== null && '~standard' in v;
}

/** Build a tool from a function and a schema. */
export function tool<TArgs = Record<string, unknown>, TOutput = unknown>(def: ToolDefinition<TArgs, TOutput>): Tool<TArgs, TOutput> {
  if (!NAME_RE.test(def.name)) throw new AgentConfigError(`Tool name "${def.name}" must be a valid identifier (letters, digits, _).`);
  if (!def.description) throw new AgentConfigError(`Tool "${def.name}" needs a description.`);
  let parameters: JsonSchemaObject | undefined;
  let parse: ((args: unknown) => Promise<TArgs>) | undefined;
  const schema = def.inputSchema;
  if (isStandardSchema(schema)) {
    const json = schema['~standard'].jsonSchema?.input({ target: 'draft-2020-12' });
    if (!json) throw new AgentConfigError(`Tool "${def.name}": the schema cannot describe itself as JSON Schema (use zod >= 4.2).`);
    const { $schema: _ignored, ...rest } = json;
    parameters = rest as JsonSchemaObject;
    parse = async (args) => {
      const result = (await schema['~standard'].validate(args)) as { value?: TArgs; issues?: readonly { message: string; path?: readonly unknown[] }[] };
      if (result.issues) {
        const msg = result.issues.map((i) => `${(i.path ?? []).map((p) => (typeof p === 'object' && p !== null && 'key' in p ? String((p as { key: unknown }).key) : String(p))).join('.') || '(arguments)'}: ${i.message}`);
        throw new ToolArgumentsError(`Invalid arguments: ${msg.join('; ')}`);
      }
      return result.value as TArgs;
    };
  } else if (schema) {
    parameters = schema;
  }
  const inputs = def.inputs ?? inputsFromSchema(parameters);
  const t: Tool<TArgs, TOutput> = {
    name: def.name,
    description: def.description,
    inputs,
    outputType: def.outputType ?? 'any',
    parameters,
    parse,
    needsApproval: def.needsApproval,
    forward: def.execute,
  };
  return Object.freeze(t);
}

function inputsFromSchema(schema: JsonSchemaObject | undefined): Record<string, ToolInput> {
  const inputs: Record<string, ToolInput> = {};
  if (!schema) return inputs;
  const required = new Set(schema.required ?? []);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const type = (prop.type as ToolValueType | ToolValueType[] | undefined) ?? 'any';
    inputs[key] = { ...prop, type, description: (prop.description as string) ?? '', ...(required.has(key) ? {} : { nullable: true }) };
  }
  return inputs;
}

/** The tool every agent has: calling it ends the run with its answer. */
export class FinalAnswerTool implements Tool<{ answer: unknown }, unknown> {
  readonly name = 'final_answer';
  readonly description = 'Provides a final answer to the given problem.';
  readonly inputs = { answer: { type: 'any' as const, description: 'The final answer to the problem' } };
  readonly outputType = 'any' as const;
  forward(args: { answer: unknown }): unknown {
    return args.answer;
  }
}

/** Checks a tool's shape at agent construction, so mistakes surface early. */
export function validateTool(t: Tool): void {
  if (!t || typeof t !== 'object') throw new AgentConfigError('A tool must be an object.');
  if (!NAME_RE.test(t.name ?? '')) throw new AgentConfigError(`Tool name "${t.name}" must be a valid identifier (letters, digits, _).`);
  if (typeof t.forward !== 'function') throw new AgentConfigError(`Tool "${t.name}" has no forward(args, context) function.`);
  if (typeof t.description !== 'string' || !t.description) throw new AgentConfigError(`Tool "${t.name}" needs a description.`);
  if (typeof t.inputs !== 'object' || t.inputs === null) throw new AgentConfigError(`Tool "${t.name}" needs an inputs object.`);
}
