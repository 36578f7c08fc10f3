// Stateless, rule-based responders for the mock server. Each decides from the request alone,
// so any number of concurrent runs each get their own, deterministic conversation.
import type { MockChatMessage, MockReply, MockRequest, MockResponder, MockTool } from './mock-server-types.js';

export interface ToolScenarioOptions {
  /** Tool calls (tool results in the request) to make before calling final_answer. Default 2. */
  toolCalls?: number;
}

/**
 * The default responder, a simulated model. When the request lists tools: while it holds fewer
 * than `toolCalls` tool results, call the next tool other than final_answer (cycling over the
 * tools given) with arguments built from its JSON schema, strings taken from the task as a model
 * would (`"What is the weather in Paris?"` → `{ city: "Paris" }`, see `argumentFromTask`); then
 * call `final_answer` with an answer that quotes the task and every tool result. After a tool
 * call that failed it gives up at once, with a final answer that says so. Without tools it
 * answers in text.
 */
export function toolScenario(options: ToolScenarioOptions = {}): MockResponder {
  const toolCalls = options.toolCalls ?? 2;
  return (request) => toolScenarioReply(request, toolCalls);
}

function toolScenarioReply(request: MockRequest, toolCalls: number): MockReply {
  const messages = request.body.messages ?? [];
  const task = taskOf(messages);
  const outcomes = toolOutcomes(messages);
  const failed = outcomes.find((o) => o.failed);
  const results = outcomes.map((o) => o.text);
  const tools = Array.isArray(request.body.tools) ? request.body.tools.filter((t) => t && t.function?.name) : [];
  const answer = failed ? giveUpText(task, failed.text) : answerText(task, results);
  if (tools.length === 0 || request.body.tool_choice === 'none') return { content: answer };

  const forced = forcedTool(request.body.tool_choice, tools);
  const finalTool = tools.find((t) => t.function.name === 'final_answer');
  const others = tools.filter((t) => t.function.name !== 'final_answer');
  const id = `call_${request.index}_0`;

  if (forced && forced !== finalTool) return { toolCalls: [{ id, name: forced.function.name, arguments: argumentsFor(forced, task) }] };
  if (!forced && !failed && results.length < toolCalls && others.length > 0) {
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

export interface ToolOutcome {
  /** The result, or the error message for a failed call. */
  text: string;
  failed: boolean;
}

// smol sends a failed call back as "Error:\n<message>" followed by this retry hint.
const RETRY_HINT = "\nNow let's retry:";
const BLOCK = /(?:^|\n)(?:Call id: [^\n]*\n)?(Observation|Error):\n/g;

/**
 * Tool results so far, in order: native `role:'tool'` messages (failed when they start with
 * "Error"), or smol/smolagents-style "Observation:" and "Error:" blocks in user messages.
 */
export function toolOutcomes(messages: readonly MockChatMessage[]): ToolOutcome[] {
  const out: ToolOutcome[] = [];
  for (const m of messages) {
    if (m?.role === 'tool') {
      const text = messageText(m.content);
      out.push({ text, failed: /^\s*Error\b/.test(text) });
    } else if (m?.role === 'user') {
      const text = messageText(m.content);
      const blocks = [...text.matchAll(BLOCK)];
      blocks.forEach((block, i) => {
        const start = block.index + block[0].length;
        let body = text.slice(start, blocks[i + 1]?.index).trim();
        const failed = block[1] === 'Error';
        if (failed && body.includes(RETRY_HINT)) body = body.slice(0, body.indexOf(RETRY_HINT)).trim();
        out.push({ text: body, failed });
      });
    }
  }
  return out;
}

function answerText(task: string, results: readonly string[]): string {
  return results.length > 0 ? `Answer to "${task}": ${results.join(' | ')}` : `Answer to "${task}"`;
}

function giveUpText(task: string, error: string): string {
  const reason = (error.split('\n').find((line) => line.trim()) ?? 'no message').trim();
  return `I could not answer "${task}": a tool call failed (${reason.length > 300 ? `${reason.slice(0, 300)}…` : reason}).`;
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

/** Plausible arguments from a tool's JSON schema: strings from the task (see `argumentFromTask`), numbers as small ints. */
export function argumentsFor(tool: MockTool, task: string): Record<string, unknown> {
  const value = valueFor(tool.function.parameters ?? { type: 'object', properties: {} }, task, 0, 0, '');
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

// Capitalised words that start sentences or questions rather than name something.
const NOT_NAMES = new Set(
  'A An And Are Can Compare Could Do Does Find For Get Give How I In Is It List Look Of On Please Show Tell The Then To Today Tomorrow Use Weather What When Where Which Who Why Will With'.split(' '),
);
const NAME = "[A-Z][\\p{L}'’.-]*";
const PREPOSITION = '(?:in|of|for|about|at|from|to|near|on)';
const AFTER_PREPOSITION_NAME = new RegExp(`\\b${PREPOSITION}\\s+(?:the\\s+)?(${NAME}(?:\\s+${NAME})*)`, 'u');
const ANY_NAME = new RegExp(`${NAME}(?:\\s+${NAME})*`, 'gu');
const AFTER_PREPOSITION_PHRASE = new RegExp(`\\b${PREPOSITION}\\s+(?:the\\s+|a\\s+|an\\s+)?([\\p{L}\\d'’-]+(?:\\s+[\\p{L}\\d'’-]+){0,3}?)\\s*(?:[?.!,;:]|\\s+(?:and|or|in|on|at|for|today|now|please)\\b|$)`, 'iu');

/**
 * A short string argument taken from the task, as a model would write it: for a name-like
 * field (city, location, name, item, …) a capitalised name, preferring one after a preposition
 * ("weather in New York?" → "New York"), else the phrase after in/of/for ("price of apples" →
 * "apples"); for a free-text field (query, question, text, …) or when nothing matches, the task
 * without its final punctuation, cut to at most 60 characters at a word. Deterministic.
 */
export function argumentFromTask(task: string, key = ''): string {
  const text = task.replace(/\s+/g, ' ').trim();
  const freeText = /query|question|text|prompt|search|input|message|content|description|instructions?|task|^q$/i.test(key);
  if (!freeText) {
    const named = AFTER_PREPOSITION_NAME.exec(text)?.[1];
    const name = named ? trimName(named) : undefined;
    if (name) return name;
    for (const m of text.matchAll(ANY_NAME)) {
      // A sentence's first word is capitalised anyway ("Write an essay…"): not a name by itself.
      const sentenceStart = /(?:^|[.?!:]\s*)$/.test(text.slice(0, m.index));
      const candidate = trimName(sentenceStart ? m[0].split(' ').slice(1).join(' ') : m[0]);
      if (candidate) return candidate;
    }
    const phrase = AFTER_PREPOSITION_PHRASE.exec(text)?.[1];
    if (phrase) return phrase.trim();
  }
  const short = text.replace(/^please\s+/i, '').replace(/[?.!]+$/, '').trim() || text;
  if (short.length <= 60) return short;
  const cut = short.slice(0, 60);
  return cut.slice(0, cut.lastIndexOf(' ') > 20 ? cut.lastIndexOf(' ') : 60).trim();
}

/** A run of capitalised words without the sentence starters in it ("Tell Paris" → "Paris"). */
function trimName(words: string): string | undefined {
  const kept = words.split(' ').filter((w) => !NOT_NAMES.has(w.replace(/[.’']+$/, '')));
  const name = kept.join(' ').replace(/[.’']+$/, '');
  return name.length > 0 ? name : undefined;
}

type Schema = Record<string, unknown>;

function valueFor(schema: unknown, task: string, position: number, depth: number, key: string): unknown {
  if (!schema || typeof schema !== 'object') return argumentFromTask(task, key);
  const s = schema as Schema;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = s[key];
    if (Array.isArray(branches)) {
      const branch = branches.find((b: Schema) => b && b.type !== 'null') ?? branches[0];
      return valueFor(branch, task, position, depth, key);
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
      return depth > 3 ? [] : [valueFor(s.items, task, 0, depth + 1, key)];
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 3) return out;
      const props = (s.properties ?? {}) as Record<string, unknown>;
      let i = 0;
      for (const [name, prop] of Object.entries(props)) out[name] = valueFor(prop, task, i++, depth + 1, name);
      return out;
    }
    default:
      return argumentFromTask(task, key);
  }
}
