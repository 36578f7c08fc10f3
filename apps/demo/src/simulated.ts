// The embedded simulated model: @smol/testing's OpenAI-compatible server, in-process, with a
// responder that knows the demo's tools so the conversations read like a real model's. Like a
// plausible model it passes short arguments taken from the task, and after a failed tool call
// it gives up with a final answer that says so. Deterministic: the same task, the same replies.
import {
  codeScenario,
  messageText,
  startMockLlmServer,
  taskOf,
  toolOutcomes,
  toolScenario,
  type MockLlmServer,
  type MockReply,
  type MockRequest,
  type MockResult,
} from '@smol/testing';
import { itemKey } from './tools.js';

export const SIMULATED_LABEL =
  'simulated model — set OPENAI_API_KEY / HF_TOKEN / AZURE_OPENAI_* / LITELLM_PROXY_URL / ANTHROPIC_API_KEY for a real one';

export interface SimulatedOptions {
  /** Delay before each answer, like a real API's time to first token. Default 100 ms. */
  latencyMs?: number;
  /** Delay between streamed chunks. Default 8 ms. */
  chunkDelayMs?: number;
}

export function startSimulatedModel(options: SimulatedOptions = {}): Promise<MockLlmServer> {
  return startMockLlmServer({
    latencyMs: options.latencyMs ?? 100,
    chunkDelayMs: options.chunkDelayMs ?? 8,
    chunkChars: 12,
    responder: demoResponder,
    recordRequests: false,
  });
}

const genericTools = toolScenario({ toolCalls: 1 });
const genericCode = codeScenario({ includeTask: true });
const NOT_CITIES = new Set(['What', 'How', 'Is', 'The', 'And', 'In', 'Tell', 'Compare', 'Which', 'Where', 'Please', 'I', 'It', 'Give', 'Find', 'Check', 'Weather', 'Today']);

/** Cities named in a task: capitalised words other than common sentence starters. */
export function citiesIn(task: string): string[] {
  const out: string[] = [];
  for (const m of task.matchAll(/\b[A-Z][\p{L}-]+(?:\s[A-Z][\p{L}-]+)?/gu)) {
    const words = m[0].split(' ').filter((w) => !NOT_CITIES.has(w));
    const city = words.join(' ');
    if (city && !out.includes(city)) out.push(city);
  }
  return out;
}

/** Grocery items named in a task, with their quantities ("3 apples and a pear" → apple 3, pear 1). */
export function basketIn(task: string): Record<string, number> {
  const basket: Record<string, number> = {};
  for (const m of task.toLowerCase().matchAll(/(?:(\d+)\s+)?([a-z]+)/g)) {
    const item = itemKey(m[2]);
    if (item === undefined) continue;
    basket[item] = (basket[item] ?? 0) + (m[1] ? Number(m[1]) : 1);
  }
  return basket;
}

/** What tools answered so far, and the first failure (smol sends both as tool responses). */
function outcomes(request: MockRequest): { seen: string[]; failure: string | undefined } {
  const all = toolOutcomes(request.body.messages ?? []);
  return { seen: all.filter((o) => !o.failed).map((o) => o.text), failure: all.find((o) => o.failed)?.text };
}

/** The final answer after a failed tool call: what failed, in one line, and no retry loop. */
export function giveUpAnswer(task: string, failure: string): string {
  const reason = (failure.split('\n').find((line) => line.trim()) ?? '').trim();
  return `I could not answer "${task}": a tool call failed (${reason.length > 300 ? `${reason.slice(0, 300)}…` : reason}).`;
}

/** Replies as the demo's model: tool calls when the request lists tools (ToolCallingAgent), else code. */
export function demoResponder(request: MockRequest): MockResult | Promise<MockResult> {
  const tools = request.body.tools ?? [];
  return tools.length > 0 ? toolCallingReply(request) : codeReply(request);
}

function toolCallingReply(request: MockRequest): MockResult | Promise<MockResult> {
  const task = taskOf(request.body.messages ?? []);
  const names = new Set((request.body.tools ?? []).map((t) => t.function.name));
  const { seen, failure } = outcomes(request);
  const basket = basketIn(task);
  const items = Object.keys(basket);
  const cities = citiesIn(task);
  if (failure !== undefined && names.has('final_answer')) {
    return { content: 'The tool call failed; I will not retry it.', toolCalls: [{ id: `call_${request.index}_0`, name: 'final_answer', arguments: { answer: giveUpAnswer(task, failure) } }] };
  }
  if (seen.length > 0) {
    return { content: 'I have everything I need.', toolCalls: [{ id: `call_${request.index}_0`, name: 'final_answer', arguments: { answer: seen.join('\n').split('\n').filter(Boolean).join('; ') } }] };
  }
  if (items.length > 0 && names.has('get_price')) {
    return {
      content: `I will look up the price of ${items.join(' and ')} at the same time.`,
      toolCalls: items.map((item, i) => ({ id: `call_${request.index}_${i}`, name: 'get_price', arguments: { item } })),
    };
  }
  if (names.has('get_weather')) {
    const list = cities.length > 0 ? cities : ['Paris'];
    return {
      content: `I will check the weather in ${list.join(' and ')} at the same time.`,
      toolCalls: list.map((city, i) => ({ id: `call_${request.index}_${i}`, name: 'get_weather', arguments: { city } })),
    };
  }
  return genericTools(request);
}

function codeReply(request: MockRequest): MockResult | Promise<MockResult> {
  const messages = request.body.messages ?? [];
  const task = taskOf(messages);
  const system = messageText(messages[0]?.content);
  const firstStep = !messages.some((m) => m.role === 'assistant');
  const { failure } = outcomes(request);
  if (failure !== undefined) {
    return { content: `Thought: The last step failed; I will not retry it.\n<code>\nfinal_answer(${JSON.stringify(giveUpAnswer(task, failure))});\n</code>` };
  }
  const basket = basketIn(task);
  if (Object.keys(basket).length > 0 && system.includes('get_price')) return firstStep ? priceCode(basket) : priceAnswer();
  const cities = citiesIn(task);
  if (cities.length > 0 && system.includes('get_weather')) return firstStep ? weatherCode(cities) : weatherAnswer();
  return genericCode(request);
}

function priceCode(basket: Record<string, number>): MockReply {
  return {
    content: [
      'Thought: I will look up the price of each item with get_price, then add them up.',
      '<code>',
      `const basket = ${JSON.stringify(basket)};`,
      'let total = 0;',
      'for (const [item, count] of Object.entries(basket)) {',
      '  const price = await get_price({ item });',
      '  console.log(`${count} x ${item} at ${price} EUR`);',
      '  total += count * price;',
      '}',
      'console.log(`total: ${total.toFixed(2)} EUR`);',
      '</code>',
    ].join('\n'),
  };
}

function priceAnswer(): MockReply {
  return {
    content: [
      'Thought: I have the total from the previous step.',
      '<code>',
      "const items = Object.entries(basket).map(([item, count]) => `${count} x ${item}`).join(' and ');",
      'final_answer(`${items} cost ${total.toFixed(2)} EUR`);',
      '</code>',
    ].join('\n'),
  };
}

function weatherCode(cities: string[]): MockReply {
  return {
    content: [
      'Thought: I will ask for the weather in every city at once with Promise.all.',
      '<code>',
      `const cities = ${JSON.stringify(cities)};`,
      'const reports = await Promise.all(cities.map((city) => get_weather({ city })));',
      'console.log(reports.join("\\n"));',
      '</code>',
    ].join('\n'),
  };
}

function weatherAnswer(): MockReply {
  return { content: 'Thought: I have all the reports.\n<code>\nfinal_answer(reports.join("; "));\n</code>' };
}
