// The floor: the same three calls as a hand-written loop on node:http keep-alive.
// Build the body, POST, parse the JSON (or the SSE stream), run the tool, next call.
import http from 'node:http';
import { MODEL_ID, TOOL_DESCRIPTION, TOOL_NAME, lookup, taskFor, type RunnerFactory } from '../work.ts';

const TOOLS = [
  {
    type: 'function',
    function: {
      name: TOOL_NAME,
      description: TOOL_DESCRIPTION,
      parameters: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'], additionalProperties: false },
    },
  },
];

interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}
interface Message {
  role: string;
  content: string | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export const createRunner: RunnerFactory = async ({ baseURL, stream, sockets }) => {
  const url = new URL(`${baseURL}/chat/completions`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'lifo' });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

  function post(body: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function complete(messages: Message[]): Promise<Message> {
    const res = await post(JSON.stringify({ model: MODEL_ID, messages, tools: TOOLS }));
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${JSON.stringify(json)}`);
    return json.choices[0].message as Message;
  }

  async function completeStream(messages: Message[]): Promise<Message> {
    const body = { model: MODEL_ID, messages, tools: TOOLS, stream: true, stream_options: { include_usage: true } };
    const res = await post(JSON.stringify(body));
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    res.setEncoding('utf8');
    const content: string[] = [];
    const calls: { id: string; name: string; args: string[] }[] = [];
    let rest = '';
    for await (const text of res) {
      rest += text as string;
      let end = rest.indexOf('\n\n');
      while (end >= 0) {
        const event = rest.slice(0, end);
        rest = rest.slice(end + 2);
        end = rest.indexOf('\n\n');
        if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
        const delta = JSON.parse(event.slice(6)).choices?.[0]?.delta;
        if (!delta) continue;
        if (delta.content) content.push(delta.content);
        for (const c of delta.tool_calls ?? []) {
          const call = (calls[c.index] ??= { id: '', name: '', args: [] });
          if (c.id) call.id = c.id;
          if (c.function?.name) call.name = c.function.name;
          if (c.function?.arguments) call.args.push(c.function.arguments);
        }
      }
    }
    const message: Message = { role: 'assistant', content: content.length ? content.join('') : null };
    if (calls.length) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args.join('') } }));
    return message;
  }

  const call = stream ? completeStream : complete;
  return {
    stepsPerAgent: 3,
    async runOne(i) {
      const messages: Message[] = [{ role: 'user', content: taskFor(i) }];
      for (let step = 0; step < 5; step++) {
        const message = await call(messages);
        if (!message.tool_calls?.length) return message.content;
        messages.push(message);
        for (const c of message.tool_calls) {
          const args = JSON.parse(c.function.arguments) as { word: string };
          messages.push({ role: 'tool', tool_call_id: c.id, content: lookup(args.word) });
        }
      }
      throw new Error('floor: no answer after 5 calls');
    },
    async close() {
      agent.destroy();
    },
  };
};
