// Agents on the scripted model, a server on a free port, and an SSE reader for the tests.
import { ToolCallingAgent, tool, type ChatMessage } from '@smol/core';
import { sleep } from '@smol/core/provider';
import { ScriptedModel } from '@smol/testing';
import { z } from 'zod';
import { serve, type ServeOptions, type SmolServer } from '../src/index.js';

export interface AgentSetup {
  /** Model latency per call. */
  delayMs?: number;
  /** The weather tool needs a human's approval. */
  approval?: boolean;
  maxSteps?: number;
  /** Never answer: call the tool forever (max-steps runs). */
  endless?: boolean;
}

const sawObservation = (messages: readonly ChatMessage[]) => messages.some((m) => m.role === 'tool-response');

export function weatherAgent(setup: AgentSetup = {}) {
  const model = new ScriptedModel(
    (messages, _options, i) => {
      if (!setup.endless && sawObservation(messages)) {
        const last = messages.filter((m) => m.role === 'tool-response').at(-1)!;
        const text = typeof last.content === 'string' ? last.content : (last.content ?? []).map((p) => (p.type === 'text' ? p.text : '')).join('');
        return { content: 'I know it now.', toolCalls: [{ id: `final_${i}`, name: 'final_answer', arguments: { answer: text.replace(/^Observation:\s*/, '') } }] };
      }
      return { content: 'Let me check the weather.', toolCalls: [{ id: `call_${i}`, name: 'get_weather', arguments: { city: 'Paris' } }] };
    },
    { delayMs: setup.delayMs ?? 0, chunkChars: 4 },
  );
  const getWeather = tool({
    name: 'get_weather',
    description: 'The weather in a city.',
    inputSchema: z.object({ city: z.string().describe('The city') }),
    needsApproval: setup.approval ?? false,
    execute: async ({ city }, { signal }) => {
      await sleep(2, signal);
      return `sunny in ${city}`;
    },
  });
  const agent = new ToolCallingAgent({ model, tools: [getWeather], maxSteps: setup.maxSteps ?? 6, name: 'weather', telemetry: false });
  return { agent, model };
}

const servers: SmolServer[] = [];

export async function startServer(options: ServeOptions & { agents?: Parameters<typeof serve>[0] } = {}, setup: AgentSetup = {}): Promise<SmolServer & { model: ScriptedModel }> {
  const { agent, model } = weatherAgent(setup);
  const server = await serve(options.agents ?? agent, { port: 0, handleSignals: false, ...options });
  servers.push(server);
  return Object.assign(server, { model });
}

export async function closeServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close(1000)));
}

export interface SseEvent {
  id?: number;
  event: string;
  data: any;
}

export function parseSSE(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((l) => l && !l.startsWith(':') && !l.startsWith('retry:')))
    .filter((lines) => lines.length > 0)
    .map((lines) => {
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const id = field('id');
      return { id: id === undefined ? undefined : Number(id), event: field('event') ?? 'message', data: JSON.parse(field('data') ?? 'null') };
    });
}

export async function readSSE(response: Response): Promise<SseEvent[]> {
  return parseSSE(await response.text());
}

/** Reads events until `stop` says so, then returns them and the reader (still open). */
export async function readUntil(response: Response, stop: (events: SseEvent[]) => boolean) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    // Only whole events count.
    const whole = text.slice(0, text.lastIndexOf('\n\n') + 2);
    if (stop(parseSSE(whole))) return { events: parseSSE(whole), reader };
  }
  return { events: parseSSE(text), reader };
}

export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const post = (url: string, body: unknown, init: RequestInit = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(init.headers ?? {}) }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init, ...(init.headers ? { headers: { 'content-type': 'application/json', ...init.headers } } : {}) });
