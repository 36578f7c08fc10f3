// The simulated server for long streams, in its own process. A request whose last user message
// says "chunks:N" gets N stream chunks of 16 characters: as content when it lists no tools, as
// the argument of a final_answer call when it does. Anything else gets the default tool scenario.
// Prints one JSON line {url, port} once listening, like smol-mock-llm.
import { startMockLlmServer, taskOf, toolScenario, type MockResponder } from '@smol/testing';

const PIECE = 'stream me, 16ch '; // 16 characters: one chunk each (chunkChars 16)
const fallback = toolScenario();

const responder: MockResponder = (request) => {
  const match = /chunks:(\d+)/.exec(taskOf(request.body.messages ?? []));
  if (!match) return fallback(request);
  const text = PIECE.repeat(Number(match[1]));
  const tools = request.body.tools ?? [];
  if (tools.some((t) => t.function?.name === 'final_answer')) {
    // {"answer":"…"}: the argument streams in about N pieces of 16 characters.
    return { toolCalls: [{ id: 'call_long', name: 'final_answer', arguments: { answer: text.slice(13) } }] };
  }
  return { content: text };
};

const server = await startMockLlmServer({ latencyMs: 0, chunkChars: 16, responder, recordRequests: false });
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
