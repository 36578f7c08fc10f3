import type { PromptTemplates } from '../prompts.js';
import { COMMON_PROMPTS } from '../prompts.js';
import type { Tool } from '../tools.js';
import { toolParametersSchema } from '../tools.js';

function tsType(schema: Record<string, unknown> | undefined): string {
  if (!schema) return 'any';
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const type = schema.type;
  if (Array.isArray(type)) return type.map((t) => tsType({ ...schema, type: t })).join(' | ');
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${tsType(schema.items as Record<string, unknown> | undefined)}[]`;
    case 'object':
      return schema.properties ? objectType(schema.properties as Record<string, Record<string, unknown>>, schema.required as string[] | undefined) : 'object';
    default:
      return 'any';
  }
}

function objectType(properties: Record<string, Record<string, unknown>>, required: string[] = []): string {
  const fields = Object.entries(properties).map(([k, v]) => `${k}${required.includes(k) ? '' : '?'}: ${tsType(v)}`);
  return `{ ${fields.join('; ')} }`;
}

/** A tool as the code sees it: a documented async function taking one object. */
export function toolAsJsSignature(tool: Tool): string {
  const schema = toolParametersSchema(tool);
  const params = Object.entries(schema.properties)
    .map(([k, v]) => ` * @param {${tsType(v)}} args.${k}${v.description ? ` - ${String(v.description)}` : ''}`)
    .join('\n');
  const output = tool.outputType === 'any' ? 'any' : tool.outputType === 'integer' ? 'number' : tool.outputType;
  return `/**\n * ${tool.description.replace(/\n/g, '\n * ')}\n${params}${params ? '\n' : ''} */\nasync function ${tool.name}(args: ${objectType(schema.properties, schema.required)}): Promise<${output}>`;
}

export const CODE_AGENT_PROMPTS: PromptTemplates = {
  ...COMMON_PROMPTS,
  systemPrompt: `You are an expert assistant who solves any task by writing JavaScript code. You will be given a task to solve as best you can.
To do so, you have been given access to a list of tools: they are async JavaScript functions that you call from your code.
You work in a cycle of Thought, Code and Observation steps.

In each step, first write "Thought:" with your reasoning and the tools you want to use, then write the code between {{code_open}} and {{code_close}}.
Use console.log() to keep what you need for the next step: it appears in the "Observation:" that follows.
Top-level await works. Call tools as \`await tool_name({ argument: value })\`: one object argument with named fields.
Finish by calling \`final_answer(value)\` in the code.

Example:
Task: "How old is the Eiffel Tower in years, today?"

Thought: I will look up when it was built, then compute its age.
{{code_open}}
const info = await web_search({ query: "Eiffel Tower year built" });
console.log(info);
{{code_close}}
Observation: "The Eiffel Tower was completed in 1889."

Thought: It was completed in 1889. I compute the age and give the answer.
{{code_open}}
final_answer(new Date().getFullYear() - 1889);
{{code_close}}

You can use these tools, and only these:
\`\`\`ts
{{tools}}

/** Ends the run with this answer. */
function final_answer(answer: any): never
\`\`\`
{{managed_agents}}
Rules:
1. Always give a "Thought:" and then one code block between {{code_open}} and {{code_close}}; otherwise the step fails.
2. Variables and functions you define persist between steps.
3. Do not chain calls whose output you cannot predict in one block: print the result and use it in the next step.
4. Never reuse a tool's name as a variable name, and do not call a tool again with the same arguments.
5. There is no require, import, process, file system, network or timers: only the tools above.
{{instructions}}
Now begin!`,
};
