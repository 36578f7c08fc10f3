// Stateless, rule-based responders for the mock server. Each decides from the request alone,
// so any number of concurrent runs each get their own, deterministic conversation.
import type { MockChatMessage, MockReply, MockRequest, MockResponder, MockTool } from './mock-server-types.js';

export interface ToolScenarioOptions {
  /** Tool calls (tool results in the request) to make before calling final_answer. Default 2. */
  toolCalls?: number;
}

/**
 * The default responder. When the request lists tools: while it holds fewer than `toolCalls`
 * `role:'tool'` messages, call the next tool other than final_answer (cycling over the tools given)
 * with arguments built from its JSON schema; then call `final_answer` with an answer that quotes
 * the task (the last user message) and every tool result. Without tools it answers in text.
 */
export function toolScenario(options: ToolScenarioOptions = {}): MockResponder {
  const toolCalls = options.toolCalls ?? 2;
  return (request) => toolScenarioReply(request, toolCalls);
}

function toolScenarioReply(request: MockRequest, toolCalls: number): MockReply {
  const messages = request.body.messages ?? [];
  const task = taskOf(messages);
  const results = toolResults(messages);
  const tools = Array.isArray(request.body.tools) ? request.body.tools.filter((t) => t && t.function?.name) : [];
  const answer = answerText(task, results);
  if (tools.length === 0 || request.body.tool_choice === 'none') return { content: answer };

  const forced = forcedTool(request.body.tool_choice, tools);
  const finalTool = tools.find((t) => t.function.name === 'final_answer');
  const others = tools.filter((t) => t.function.name !== 'final_answer');
  const id = `call_${request.index}_0`;

  if (forced && forced !== finalTool) return { toolCalls: [{ id, name: forced.function.name, arguments: argumentsFor(forced, task) }] };
  if (!forced && results.length < toolCalls && others.length > 0) {
    const next = others[results.length % others.length];
    return { toolCalls: [{ id, name: next.function.name, arguments: argumentsFor(next, task) }] };
  }
  if (finalTool) {
    const key = firstProperty(finalTool) ?? 'answer';
    return { toolCalls: [{ id, name: 'final_answer', arguments: { [key]: answer } }] };
  }
  return { content: answer };
}

export interface CodeScenarioOptions {
  /** Append the task text to the final answer, so concurrent runs can check they got their own. Default false. */
  includeTask?: boolean;
}

/**
 * A CodeAgent conversation, decided by counting the request's assistant messages:
 * first a code block that computes `x = 42` and prints it, then one that calls `final_answer`
 * with `The answer is ${x}` (reusing the variable from the first step).
 */
export function codeScenario(options: CodeScenarioOptions = {}): MockResponder {
  return (request) => {
    const messages = request.body.messages ?? [];
    let assistants = 0;
    for (const m of messages) if (m.role === 'assistant') assistants++;
    if (assistants === 0) {
      return { content: 'Thought: I will compute.\n<code>\nconst x = 6 * 7;\nconsole.log(x);\n</code>' };
    }
    const suffix = options.includeTask ? ` + ${JSON.stringify(` (task: ${taskOf(messages)})`)}` : '';
    return { content: `Thought: I have the result.\n<code>\nfinal_answer(\`The answer is \${x}\`${suffix});\n</code>` };
  };
}

/** The text of a wire message's content (text parts only). */
export function messageText(content: MockChatMessage['content']): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return String(content);
  const out: string[] = [];
  for (const part of content) if (part && typeof part.text === 'string') out.push(part.text);
  return out.join('');
}

const NEW_TASK = /^\s*New task:\s*/i;

/**
 * The task: the last user message that starts with "New task:" (smol's layout, where
 * observations are user messages too), else the last user message.
 */
export function taskOf(messages: readonly MockChatMessage[]): string {
  let last: string | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role !== 'user') continue;
    const text = messageText(messages[i].content);
    if (NEW_TASK.test(text)) return text.replace(NEW_TASK, '').split('\nYou have been provided with these additional arguments')[0].trim();
    last ??= text.trim();
  }
  return last ?? '';
}

/**
 * Tool results so far: native `role:'tool'` messages, or smol/smolagents-style
 * "Observation:" blocks in user messages (tool responses converted to text).
 */
function toolResults(messages: readonly MockChatMessage[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m?.role === 'tool') out.push(messageText(m.content));
    else if (m?.role === 'user') {
      const text = messageText(m.content);
      let at = text.indexOf('Observation:\n');
      while (at >= 0) {
        const next = text.indexOf('Observation:\n', at + 13);
        out.push(text.slice(at + 13, next < 0 ? undefined : next).trim());
        at = next;
      }
    }
  }
  return out;
}

function answerText(task: string, results: readonly string[]): string {
  return results.length > 0 ? `Answer to "${task}": ${results.join(' | ')}` : `Answer to "${task}"`;
}

function forcedTool(choice: unknown, tools: readonly MockTool[]): MockTool | undefined {
  if (choice && typeof choice === 'object') {
    const name = (choice as { function?: { name?: string } }).function?.name;
    if (name) return tools.find((t) => t.function.name === name);
  }
  return undefined;
}

function firstProperty(tool: MockTool): string | undefined {
  const props = (tool.function.parameters as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props)[0] : undefined;
}

/** Plausible arguments from a tool's JSON schema: strings from the task, numbers as small ints. */
export function argumentsFor(tool: MockTool, task: string): Record<string, unknown> {
  const value = valueFor(tool.function.parameters ?? { type: 'object', properties: {} }, task, 0, 0);
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

type Schema = Record<string, unknown>;

function valueFor(schema: unknown, task: string, position: number, depth: number): unknown {
  if (!schema || typeof schema !== 'object') return task.slice(0, 200);
  const s = schema as Schema;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = s[key];
    if (Array.isArray(branches)) {
      const branch = branches.find((b: Schema) => b && b.type !== 'null') ?? branches[0];
      return valueFor(branch, task, position, depth);
    }
  }
  let type = s.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (type === undefined && s.properties) type = 'object';
  switch (type) {
    case 'integer':
    case 'number':
      return Math.max(typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 0, 2 + position);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return depth > 3 ? [] : [valueFor(s.items, task, 0, depth + 1)];
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 3) return out;
      const props = (s.properties ?? {}) as Record<string, unknown>;
      let i = 0;
      for (const [key, prop] of Object.entries(props)) out[key] = valueFor(prop, task, i++, depth + 1);
      return out;
    }
    default:
      return task.slice(0, 200);
  }
}
