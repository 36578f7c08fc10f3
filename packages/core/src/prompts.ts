import { AgentConfigError } from './errors.js';
import type { Tool } from './tools.js';
import { toolParametersSchema } from './tools.js';

/**
 * Every prompt is a template with `{{name}}` placeholders. Users override any of them;
 * a placeholder the agent cannot fill is an error at construction, not a silent blank.
 */
export interface PromptTemplates {
  systemPrompt: string;
  /** Asked when maxSteps is reached, after the memory. */
  finalAnswerPre: string;
  finalAnswerPost: string;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

export function renderTemplate(template: string, variables: Record<string, string>, templateName = 'template'): string {
  return template.replace(PLACEHOLDER, (_m, key: string) => {
    if (!(key in variables)) {
      throw new AgentConfigError(
        `Prompt ${templateName} uses {{${key}}}, which is not available. Available: ${Object.keys(variables).join(', ')}.`,
      );
    }
    return variables[key];
  });
}

/** Checks that a template only uses known placeholders (at construction). */
export function checkTemplate(template: string, allowed: readonly string[], templateName: string): void {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!allowed.includes(match[1])) {
      throw new AgentConfigError(`Prompt ${templateName} uses {{${match[1]}}}, which is not available. Available: ${allowed.join(', ')}.`);
    }
  }
}

export function describeToolsAsJson(tools: readonly Tool[]): string {
  return tools
    .map((t) => `- ${t.name}: ${t.description}\n    Takes inputs: ${JSON.stringify(toolParametersSchema(t).properties)}\n    Returns an output of type: ${t.outputType}`)
    .join('\n');
}

export const TOOL_CALLING_PROMPTS: PromptTemplates = {
  systemPrompt: `You are an expert assistant who solves any task using tool calls. You will be given a task to solve as best you can.
You have access to tools. To act, call one or more tools; several independent calls in one step run in parallel.
After each call you receive the result as an "Observation", which you can use in the next step.

When you have the answer, call the \`final_answer\` tool with it, alone in its step. That is the only way to finish.

Example:
Task: "What is the capital of the country where the Eiffel Tower stands?"
Call: web_search({"query": "Eiffel Tower country"})
Observation: "The Eiffel Tower is in Paris, France."
Call: final_answer({"answer": "Paris"})

You can use these tools:
{{tools}}
{{managed_agents}}
Rules:
1. Always call a tool; a step without a tool call fails.
2. Use the right argument names and types, with values, not variable names.
3. Call a tool only when needed, and never repeat a call that already succeeded with the same arguments.
4. Call final_answer alone, never together with other tools.
{{instructions}}
Now begin!`,
  finalAnswerPre: `An agent tried to answer a user query but got stuck and failed to do so. You are tasked with providing an answer instead. Here is the agent's memory:`,
  finalAnswerPost: `Based on the above, please provide an answer to the following user task:
{{task}}`,
};
