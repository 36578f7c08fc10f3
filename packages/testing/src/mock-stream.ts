// The SSE side of the simulated server: a completion as Chat Completions chunk events, and a
// writer that drips them out one per delay.
import type { ServerResponse } from 'node:http';
import { splitText } from './util.js';

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** How a stream is paced, and the server's timer set (close() clears it). */
export interface StreamPacing {
  /** Largest content / arguments piece per chunk. */
  chunkChars: number;
  /** Delay between chunks; 0 writes the whole stream at once. */
  chunkDelayMs: number;
  timers: Set<NodeJS.Timeout>;
}

/** The `data:` events of a streamed completion, `[DONE]` last; the usage chunk only when `usage` is given. */
export function streamEvents(
  id: string,
  created: number,
  model: string,
  content: string | null,
  toolCalls: WireToolCall[],
  finishReason: string,
  usage: Record<string, unknown> | undefined,
  chunkChars: number,
): string[] {
  const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"fp_mock","choices":[{"index":0,"delta":`;
  const usageNull = usage ? ',"usage":null' : '';
  const tail = `,"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`;
  const events: string[] = [];
  events.push(`${head}{"role":"assistant","content":${content === null ? 'null' : '""'},"refusal":null}${tail}`);
  if (content) {
    const size = Math.max(1, Math.min(chunkChars, Math.ceil(content.length / 3)));
    for (const piece of splitText(content, size)) events.push(`${head}{"content":${JSON.stringify(piece)}}${tail}`);
  }
  for (let i = 0; i < toolCalls.length; i++) {
    const call = toolCalls[i];
    events.push(
      `${head}{"tool_calls":[{"index":${i},"id":${JSON.stringify(call.id)},"type":"function","function":{"name":${JSON.stringify(call.function.name)},"arguments":""}}]}${tail}`,
    );
    const args = call.function.arguments;
    const size = Math.max(1, Math.min(chunkChars, Math.ceil(args.length / 3)));
    for (const piece of splitText(args, size)) {
      events.push(`${head}{"tool_calls":[{"index":${i},"function":{"arguments":${JSON.stringify(piece)}}}]}${tail}`);
    }
  }
  events.push(`${head}{},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}]${usageNull}}\n\n`);
  if (usage) {
    events.push(
      `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"fp_mock","choices":[],"usage":${JSON.stringify(usage)}}\n\n`,
    );
  }
  events.push('data: [DONE]\n\n');
  return events;
}

/** Write the remaining events one per chunkDelayMs; stops as soon as the client goes away. */
export function drip(res: ServerResponse, events: string[], i: number, pacing: StreamPacing): void {
  const timer = setTimeout(() => {
    pacing.timers.delete(timer);
    if (res.destroyed) return;
    if (i === events.length - 1) {
      res.end(events[i]);
      return;
    }
    res.write(events[i]);
    drip(res, events, i + 1, pacing);
  }, pacing.chunkDelayMs);
  pacing.timers.add(timer);
}
