// An Anthropic Messages API server (POST /v1/messages, JSON and SSE events) whose answers come from
// @smol/testing's scenario responder: the request is read as the OpenAI-shaped MockRequest the
// responder understands, and its reply is written back as Anthropic content blocks. So every
// provider runs the very same conversation, each over its own wire format.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toolScenario, type MockChatMessage, type MockReply, type MockRequest, type MockResponder, type MockTool } from '@smol/testing';

export interface AnthropicScenarioServer {
  url: string;
  requests: { path: string; headers: http.IncomingHttpHeaders; body: Record<string, any> }[];
  close(): Promise<void>;
}

type Block = { type: string; text?: string; content?: unknown; input?: unknown; name?: string; id?: string };

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[]).map((b) => (b.type === 'text' ? (b.text ?? '') : b.type === 'tool_result' ? text(b.content) : '')).join('\n');
}

/** The Anthropic request as the OpenAI-shaped body the scenario responders read. */
function asChatBody(body: Record<string, any>): MockRequest['body'] {
  const messages: MockChatMessage[] = [];
  if (body.system) messages.push({ role: 'system', content: text(body.system) });
  for (const m of body.messages ?? []) messages.push({ role: m.role, content: text(m.content) });
  const tools: MockTool[] = (body.tools ?? []).map((t: { name: string; description?: string; input_schema?: Record<string, unknown> }) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.input_schema },
  }));
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  const toolChoice = choice?.type === 'any' ? 'required' : choice?.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice?.type;
  return { model: body.model, messages, tools, tool_choice: toolChoice, stream: body.stream === true };
}

function usageOf(body: Record<string, any>, reply: MockReply): { input_tokens: number; output_tokens: number } {
  if (reply.usage) return { input_tokens: reply.usage.prompt_tokens, output_tokens: reply.usage.completion_tokens };
  const out = (reply.content ?? '').length + JSON.stringify(reply.toolCalls ?? []).length;
  return { input_tokens: Math.ceil(JSON.stringify(body.messages ?? []).length / 4), output_tokens: Math.max(1, Math.ceil(out / 4)) };
}

function blocks(reply: MockReply, index: number): Block[] {
  const out: Block[] = [];
  if (reply.content) out.push({ type: 'text', text: reply.content });
  (reply.toolCalls ?? []).forEach((c, i) => {
    const input = typeof c.arguments === 'string' ? JSON.parse(c.arguments) : (c.arguments ?? {});
    out.push({ type: 'tool_use', id: c.id ?? `toolu_${index}_${i}`, name: c.name, input });
  });
  return out;
}

function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** The reply as the documented event sequence, with text and tool input split into small deltas. */
function sse(model: string, reply: MockReply, content: Block[], usage: { input_tokens: number; output_tokens: number }): string {
  const parts: string[] = [
    event('message_start', { message: { id: 'msg_scenario', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } } }),
  ];
  content.forEach((b, index) => {
    if (b.type === 'text') {
      parts.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (let i = 0; i < b.text!.length; i += 12) parts.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: b.text!.slice(i, i + 12) } }));
    } else {
      parts.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }));
      const json = JSON.stringify(b.input);
      for (let i = 0; i < json.length; i += 10) parts.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 10) } }));
    }
    parts.push(event('content_block_stop', { index }));
  });
  const stop = reply.toolCalls?.length ? 'tool_use' : 'end_turn';
  parts.push(event('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }));
  parts.push(event('message_stop', {}));
  return parts.join('');
}

export async function startAnthropicScenarioServer(responder: MockResponder = toolScenario()): Promise<AnthropicScenarioServer> {
  const requests: AnthropicScenarioServer['requests'] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
    requests.push({ path: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || req.url !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not Found' } }));
      return;
    }
    const index = requests.length - 1;
    const result = await responder({ index, method: 'POST', path: '/v1/chat/completions', url: '/v1/chat/completions', headers: {}, body: asChatBody(body) });
    const reply: MockReply = typeof result === 'string' ? { content: result } : (result as MockReply);
    const content = blocks(reply, index);
    const usage = usageOf(body, reply);
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(sse(body.model, reply, content, usage));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const stop_reason = reply.toolCalls?.length ? 'tool_use' : 'end_turn';
    res.end(JSON.stringify({ id: `msg_${index}`, type: 'message', role: 'assistant', model: body.model, content, stop_reason, stop_sequence: null, usage }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
