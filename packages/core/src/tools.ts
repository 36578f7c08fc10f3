import { Validator } from '@cfworker/json-schema';
import { AgentConfigError, ToolArgumentsError } from './errors.js';

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
  /** The step making the call. With runId and callId, a key for idempotent side effects. */
  stepNumber?: number;
  /**
   * 1 on a run's first execution; higher when a durable run is resumed after a crash and
   * redoes the step that was in flight (at-least-once): a tool with side effects can check.
   */
  attempt?: number;
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


/** A Standard Schema (zod 4, valibot, arktype…) that can also describe itself as JSON Schema. */
export interface StandardJsonSchema<T = unknown> {
  '~standard': {
    validate(value: unknown): { value: T; issues?: undefined } | { issues: readonly { message: string; path?: readonly unknown[] }[] } | Promise<unknown>;
    jsonSchema?: { input(options: { target: string }): Record<string, unknown> };
  };
}

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const schemaCache = new WeakMap<Tool, JsonSchemaObject>();
const validatorCache = new WeakMap<Tool, { full: Validator; keysOnly?: (args: Record<string, unknown>) => boolean }>();

/** Words of a JSON Schema property that say nothing about its value. */
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly', '$comment']);

/**
 * For a schema whose properties take any value (final_answer's, without an output schema), the
 * whole check is which keys are there: a function that passes such arguments without running the
 * validator. What it does not pass goes to the validator, which words the error.
 */
function keysOnlyCheck(schema: JsonSchemaObject): ((args: Record<string, unknown>) => boolean) | undefined {
  const keys = Object.keys(schema).filter((k) => !ANNOTATIONS.has(k));
  if (keys.some((k) => k !== 'type' && k !== 'properties' && k !== 'required' && k !== 'additionalProperties')) return undefined;
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false && schema.additionalProperties !== true) return undefined;
  const properties = schema.properties ?? {};
  for (const prop of Object.values(properties)) {
    if (typeof prop !== 'object' || prop === null || Object.keys(prop).some((k) => !ANNOTATIONS.has(k))) return undefined;
  }
  const required = schema.required ?? [];
  const closed = schema.additionalProperties === false;
  return (args) => {
    for (const key of required) if (!Object.hasOwn(args, key)) return false;
    if (closed) for (const key in args) if (!Object.hasOwn(properties, key)) return false;
    return true;
  };
}

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
  return checkToolArguments(tool, args);
}

/**
 * parseToolArguments without the promise when the check is synchronous (JSON Schema, zod): it
 * then returns the arguments or throws. The tool path of every step uses it, to save a microtask
 * round per call.
 */
export function checkToolArguments(tool: Tool, args: unknown): unknown {
  if (tool.parse) return tool.parse(args);
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new ToolArgumentsError(`Arguments must be a JSON object, got ${describe(args)}.`);
  }
  let validator = validatorCache.get(tool);
  if (!validator) {
    const schema = toolParametersSchema(tool);
    validator = { full: new Validator(schema as never, '2020-12', false), keysOnly: keysOnlyCheck(schema) };
    validatorCache.set(tool, validator);
  }
  if (validator.keysOnly?.(args as Record<string, unknown>)) return args;
  const result = validator.full.validate(args);
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

/**
 * Validates `value` with a Standard Schema; returns the parsed value or throws
 * ToolArgumentsError listing each issue by path (what the model reads to fix its call).
 */
export async function validateWithSchema<T>(schema: StandardJsonSchema<T>, value: unknown, what: string): Promise<T> {
  return checkWithSchema(schema, value, what);
}

/** validateWithSchema, synchronous when the schema validates synchronously (zod does). */
function checkWithSchema<T>(schema: StandardJsonSchema<T>, value: unknown, what: string): T | Promise<T> {
  const result = schema['~standard'].validate(value) as SchemaResult<T> | Promise<SchemaResult<T>>;
  return result instanceof Promise ? result.then((r) => schemaValue(r, what)) : schemaValue(result, what);
}

type SchemaResult<T> = { value?: T; issues?: readonly { message: string; path?: readonly unknown[] }[] };

function schemaValue<T>(result: SchemaResult<T>, what: string): T {
  if (result.issues) {
    const msg = result.issues.map((i) => `${(i.path ?? []).map((p) => (typeof p === 'object' && p !== null && 'key' in p ? String((p as { key: unknown }).key) : String(p))).join('.') || `(${what})`}: ${i.message}`);
    throw new ToolArgumentsError(`Invalid ${what}: ${msg.join('; ')}`);
  }
  return result.value as T;
}

/** The JSON Schema a Standard Schema describes itself as, without `$schema`. */
export function standardToJsonSchema(schema: StandardJsonSchema, owner: string): Record<string, unknown> {
  const json = schema['~standard'].jsonSchema?.input({ target: 'draft-2020-12' });
  if (!json) throw new AgentConfigError(`${owner}: the schema cannot describe itself as JSON Schema (use zod >= 4.2).`);
  const { $schema: _ignored, ...rest } = json;
  return rest;
}

export function isStandardSchema(v: unknown): v is StandardJsonSchema {
  return typeof v === 'object' && v !== null && '~standard' in v;
}

/** Build a tool from a function and a schema. */
export function tool<TArgs = Record<string, unknown>, TOutput = unknown>(def: ToolDefinition<TArgs, TOutput>): Tool<TArgs, TOutput> {
  if (!def || typeof def !== 'object') throw new AgentConfigError('tool() takes an object: { name, description, inputSchema, execute }.');
  if (!NAME_RE.test(def.name)) throw new AgentConfigError(`Tool name "${def.name}" must be a valid identifier (letters, digits, _).`);
  if (!def.description) throw new AgentConfigError(`Tool "${def.name}" needs a description.`);
  // Names from other libraries (smolagents' forward, the AI SDK's old parameters) fail here, not at run time.
  const given = def as unknown as Record<string, unknown>;
  if (typeof def.execute !== 'function') {
    const hint = typeof given.forward === 'function' ? ' (it is called `execute` here, not `forward`)' : '';
    throw new AgentConfigError(`Tool "${def.name}" needs an execute(args, context) function${hint}.`);
  }
  if ('parameters' in given) throw new AgentConfigError(`Tool "${def.name}": pass its arguments' schema as \`inputSchema\`, not \`parameters\`.`);
  let parameters: JsonSchemaObject | undefined;
  let parse: ((args: unknown) => TArgs | Promise<TArgs>) | undefined;
  const schema = def.inputSchema;
  if (isStandardSchema(schema)) {
    const rest = standardToJsonSchema(schema, `Tool "${def.name}"`);
    if (rest.type !== 'object') throw new AgentConfigError(`Tool "${def.name}": inputSchema must describe an object of named arguments (z.object({...})), got type ${JSON.stringify(rest.type)}.`);
    parameters = rest as JsonSchemaObject;
    parse = (args) => checkWithSchema(schema as StandardJsonSchema<TArgs>, args, 'arguments');
  } else if (schema) {
    if (schema.type !== 'object') throw new AgentConfigError(`Tool "${def.name}": inputSchema must be a JSON Schema of type "object", got ${JSON.stringify(schema.type)}.`);
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

/**
 * The tool every agent has: calling it ends the run with its answer. With an output schema
 * (the agent's `outputSchema`), the answer must match it; a mismatch goes back to the model.
 */
export class FinalAnswerTool implements Tool<{ answer: unknown }, unknown> {
  readonly name = FINAL_ANSWER;
  readonly description = 'Provides a final answer to the given problem.';
  readonly inputs: Readonly<Record<string, ToolInput>>;
  readonly outputType = 'any' as const;
  readonly parse?: (args: unknown) => Promise<{ answer: unknown }>;

  constructor(outputSchema?: StandardJsonSchema) {
    const description = 'The final answer to the problem';
    if (!outputSchema) {
      this.inputs = { answer: { type: 'any', description } };
      return;
    }
    const json = standardToJsonSchema(outputSchema, 'outputSchema');
    this.inputs = { answer: { ...json, type: (json.type as ToolValueType) ?? 'any', description } };
    this.parse = async (args) => {
      if (typeof args !== 'object' || args === null || !('answer' in args)) throw new ToolArgumentsError('Invalid arguments: (arguments): the answer is missing.');
      return { answer: await validateWithSchema(outputSchema, (args as { answer: unknown }).answer, 'final answer') };
    };
  }

  forward(args: { answer: unknown }): unknown {
    return args.answer;
  }
}

/** The name of the tool (and of CodeAgent's function) that ends a run. */
export const FINAL_ANSWER = 'final_answer';

/** The tool name a CodeAgent's step records its code under (as smolagents' python_interpreter). */
export const CODE_TOOL = 'javascript_interpreter';

/** Checks a tool's shape at agent construction, so mistakes surface early. */
export function validateTool(t: Tool): void {
  if (!t || typeof t !== 'object') throw new AgentConfigError('A tool must be an object.');
  if (!NAME_RE.test(t.name ?? '')) throw new AgentConfigError(`Tool name "${t.name}" must be a valid identifier (letters, digits, _).`);
  if (typeof t.forward !== 'function') throw new AgentConfigError(`Tool "${t.name}" has no forward(args, context) function.`);
  if (typeof t.description !== 'string' || !t.description) throw new AgentConfigError(`Tool "${t.name}" needs a description.`);
  if (typeof t.inputs !== 'object' || t.inputs === null) throw new AgentConfigError(`Tool "${t.name}" needs an inputs object.`);
}
