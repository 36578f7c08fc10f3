// A reply as the real API sends it: a chat.completion JSON body or an SSE stream, with the
// request's stop sequences applied, usage estimated when not given, and an optional cut.
import type { ServerResponse } from 'node:http';
import type { MockReply, MockRequest, MockTruncateFault } from './mock-server-types.js';
import { cutAfter } from './mock-http.js';
import { drip, streamEvents, type StreamPacing } from './mock-stream.js';

export function sendReply(request: MockRequest, res: ServerResponse, reply: MockReply, bodyBytes: number, truncate: MockTruncateFault | undefined, pacing: StreamPacing): void {
  const body = request.body;
  const model = typeof body.model === 'string' ? body.model : (request.deployment ?? 'mock-model');
  const calls = reply.toolCalls ?? [];
  const toolCalls = calls.map((c, i) => ({
    id: c.id ?? `call_mock_${request.index}_${i}`,
    type: 'function' as const,
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
  }));
  let content: string | null = reply.content ?? (toolCalls.length > 0 ? null : '');
  let finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  if (content && body.stop) {
    const cut = cutAtStop(content, body.stop);
    if (cut !== content) {
      content = cut;
      if (!reply.finishReason && toolCalls.length === 0) finishReason = 'stop';
    }
  }
  let usage = reply.usage;
  if (!usage) {
    let outChars = content?.length ?? 0;
    for (const c of toolCalls) outChars += c.function.name.length + c.function.arguments.length;
    const prompt = Math.max(1, Math.ceil(bodyBytes / 4));
    usage = { prompt_tokens: prompt, completion_tokens: Math.max(1, Math.ceil(outChars / 4)) };
  }
  const wireUsage = {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  const id = `chatcmpl-mock${request.index}`;
  const created = Math.floor(Date.now() / 1000);
  const requestId = `req_mock${request.index}`;

  if (body.stream === true) {
    const events = streamEvents(id, created, model, content, toolCalls, finishReason, body.stream_options?.include_usage === true ? wireUsage : undefined, pacing.chunkChars);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId });
    if (truncate) {
      const finishAt = events.length - (body.stream_options?.include_usage ? 3 : 2);
      const n = Math.min(truncate.afterChunks ?? Math.max(2, Math.floor(finishAt / 2)), finishAt);
      cutAfter(res, events.slice(0, n).join(''));
      return;
    }
    if (pacing.chunkDelayMs === 0) {
      res.end(events.join(''));
      return;
    }
    res.write(events[0]);
    drip(res, events, 1, pacing);
    return;
  }

  const message: Record<string, unknown> = { role: 'assistant', content, refusal: null, annotations: [] };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const json = JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage: wireUsage,
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  });
  if (truncate) {
    const bytes = Buffer.from(json);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length), 'x-request-id': requestId });
    cutAfter(res, bytes.subarray(0, Math.floor(bytes.length / 2)));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)), 'x-request-id': requestId });
  res.end(json);
}

function cutAtStop(content: string, stop: string | string[]): string {
  const list = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  let end = content.length;
  for (const s of list) {
    if (typeof s !== 'string' || s === '') continue;
    const at = content.indexOf(s);
    if (at !== -1 && at < end) end = at;
  }
  return end === content.length ? content : content.slice(0, end);
}
