// A scripted loopback server for the Anthropic Messages API (POST /v1/messages): JSON replies or
// SSE streams built from content blocks, so the real @ai-sdk/anthropic provider can drive an agent.
import { startFixtureServer, writeSse, type FixtureRequest, type FixtureServer } from '@smol/testing';

export type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicTurn {
  blocks: AnthropicBlock[];
  stopReason?: 'end_turn' | 'tool_use' | 'stop_sequence' | 'max_tokens';
}

export interface AnthropicWireMessage {
  role: 'user' | 'assistant';
  content: string | ({ type: string } & Record<string, unknown>)[];
}

export type AnthropicResponder = (body: { messages: AnthropicWireMessage[]; tools?: { name: string }[]; stream?: boolean; system?: unknown }) => AnthropicTurn | { status: number; retryAfter?: string };

const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function streamEvents(turn: AnthropicTurn, model: string): string[] {
  const events = [
    sse('message_start', {
      type: 'message_start',
      message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } },
    }),
    sse('ping', { type: 'ping' }),
  ];
  turn.blocks.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      for (const piece of block.text.match(/[\s\S]{1,8}/g) ?? []) {
        events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }));
      }
    } else if (block.type === 'thinking') {
      events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } }));
      events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } }));
    } else {
      events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }));
      const json = JSON.stringify(block.input);
      for (const piece of json.match(/[\s\S]{1,6}/g) ?? []) {
        events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }));
      }
    }
    events.push(sse('content_block_stop', { type: 'content_block_stop', index }));
  });
  events.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: turn.stopReason ?? 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }));
  events.push(sse('message_stop', { type: 'message_stop' }));
  return events;
}

export async function startAnthropicMessagesServer(respond: AnthropicResponder, apiKey = 'sk-ant-test-key'): Promise<FixtureServer<FixtureRequest>> {
  return startFixtureServer(({ method, path, headers, body }, res) => {
    if (method !== 'POST' || path !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not Found' } }));
      return;
    }
    if (headers['x-api-key'] !== apiKey) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
      return;
    }
    const turn = respond(body as Parameters<AnthropicResponder>[0]);
    if ('status' in turn) {
      const type = turn.status === 429 ? 'rate_limit_error' : turn.status === 529 ? 'overloaded_error' : 'invalid_request_error';
      res.writeHead(turn.status, { 'content-type': 'application/json', ...(turn.retryAfter ? { 'retry-after': turn.retryAfter } : {}) });
      res.end(JSON.stringify({ type: 'error', error: { type, message: `scripted ${turn.status}` } }));
      return;
    }
    const model = String(body.model);
    if (body.stream) {
      writeSse(res, streamEvents(turn, model), { chunkBytes: 53 });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model,
        content: turn.blocks,
        stop_reason: turn.stopReason ?? 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 9 },
      }),
    );
  });
}

/** The text of a wire message. */
export function wireText(message: AnthropicWireMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
}
