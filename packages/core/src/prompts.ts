import { AgentConfigError } from './errors.js';
import type { Tool } from './tools.js';
import { toolParametersSchema } from './tools.js';

/**
 * Every prompt is a template with `{{name}}` placeholders. Users override any of them;
 * a placeholder the agent cannot fill is an error at construction, not a silent blank.
 */
export interface PromptTemplates {
  systemPrompt: string;
  /** The first plan: a user message. Placeholders: task, tools, managed_agents. */
  planningInitial: string;
  /** Updated plans: a system message before the memory (task) and a user message after it (task, tools, managed_agents, remaining_steps). */
  planningUpdatePre: string;
  planningUpdatePost: string;
  /** A managed agent's task as its manager gives it (name, task), and its report back (name, final_answer). */
  managedAgentTask: string;
  managedAgentReport: string;
  /** Asked when maxSteps is reached: before the memory, and after it (task). */
  finalAnswerPre: string;
  finalAnswerPost: string;
}

/** Which placeholders each template may use; checked at construction. */
export const TEMPLATE_PLACEHOLDERS: Readonly<Record<keyof PromptTemplates, readonly string[]>> = {
  systemPrompt: [],
  planningInitial: ['task', 'tools', 'managed_agents'],
  planningUpdatePre: ['task'],
  planningUpdatePost: ['task', 'tools', 'managed_agents', 'remaining_steps'],
  managedAgentTask: ['name', 'task'],
  managedAgentReport: ['name', 'final_answer'],
  finalAnswerPre: [],
  finalAnswerPost: ['task'],
};

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

/** The templates that are the same for every kind of agent. */
export const COMMON_PROMPTS: Omit<PromptTemplates, 'systemPrompt'> = {
  planningInitial: `You are a world expert at analysing a situation to derive facts, and at planning how to solve a task.
Below is a task. First list the facts you know, the facts to look up and the facts to derive; then write a step-by-step plan to solve the task with the tools below.

## 1. Facts survey
### 1.1. Facts given in the task
### 1.2. Facts to look up
### 1.3. Facts to derive

## 2. Plan
A numbered list of high-level steps, each using the tools where useful. Do not skip steps; do not add superfluous ones. After the last step of the plan, write '<end_plan>' and stop.

Your tools:
{{tools}}
{{managed_agents}}
---
Now begin! Here is your task:
{{task}}`,
  planningUpdatePre: `You are a world expert at analysing a situation, and at planning how to solve a task.
You have been given this task:
{{task}}

Below is the history of the attempts so far. Use it to update the facts and the plan.`,
  planningUpdatePost: `Now update the facts you know and write a new plan for the remaining work, in the same format: a facts survey, then a numbered plan ending with '<end_plan>'.
Reminder, the task is:
{{task}}

Your tools:
{{tools}}
{{managed_agents}}
You have {{remaining_steps}} steps left. Now write the updated facts survey and plan.`,
  managedAgentTask: `You're a helpful agent named '{{name}}'.
You have been given this task by your manager.
---
Task:
{{task}}
---
You are helping your manager solve a wider task: give as much information as possible so that they understand the answer clearly.

Your final_answer WILL HAVE to contain these parts:
### 1. Task outcome (short version):
### 2. Task outcome (extremely detailed version):
### 3. Additional context (if relevant):

Put all of these in your final_answer; everything you do not pass as an argument to final_answer will be lost.
Even if your task resolution is not successful, return as much context as possible, so that your manager can act on it.`,
  managedAgentReport: `Here is the final answer from your managed agent '{{name}}':
{{final_answer}}`,
  finalAnswerPre: `An agent tried to answer a user query but got stuck and failed to do so. You are tasked with providing an answer instead. Here is the agent's memory:`,
  finalAnswerPost: `Based on the above, please provide an answer to the following user task:
{{task}}`,
};

export function describeManagedAgents(agents: readonly { name?: string; description?: string }[], asCode: boolean): string {
  if (agents.length === 0) return '';
  const call = asCode
    ? 'Call a team member like a tool: `await name({ task: "…", additional_args: { … } })`; it returns its report as a string.'
    : 'Call a team member like a tool, with a `task` argument (as detailed as possible) and optional `additional_args`.';
  return `\nYou can also give tasks to team members. ${call}\nTeam members:\n${agents.map((a) => `- ${a.name}: ${a.description}`).join('\n')}\n`;
}

export const TOOL_CALLING_PROMPTS: PromptTemplates = {
  ...COMMON_PROMPTS,
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
};
