// What the simulated server reads from a request: which route it is, its JSON body, its headers
// without credentials, and the API key (for the wording of a 401).
import type { IncomingMessage } from 'node:http';
import type { ChatCompletionRequestBody } from './mock-server-types.js';
import type { WireError } from './mock-http.js';

const SECRET_HEADERS = new Set(['authorization', 'api-key', 'x-api-key', 'cookie', 'proxy-authorization']);
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
const AZURE_CHAT_RE = /^\/openai\/deployments\/([^/]+)\/chat\/completions\/?$/;
const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions', '/openai/v1/chat/completions', '/v1/chat/completions/', '/chat/completions/']);
export const MODELS_PATHS = new Set(['/v1/models', '/models', '/openai/models', '/openai/v1/models']);

/** The path without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Whether `path` is a chat-completions route, and the Azure deployment it names, if any. */
export function matchChat(path: string): { chat: boolean; deployment: string | undefined } {
  let deployment: string | undefined;
  let chat = CHAT_PATHS.has(path);
  if (!chat && path.startsWith('/openai/deployments/')) {
    const m = AZURE_CHAT_RE.exec(path);
    if (m) {
      chat = true;
      deployment = decodeURIComponent(m[1]);
    }
  }
  return { chat, deployment };
}

/** The parsed body, or the 400 error the real API answers for it. */
export function parseChatBody(raw: Buffer): { body: ChatCompletionRequestBody } | { error: WireError } {
  let body: ChatCompletionRequestBody;
  try {
    body = JSON.parse(raw.toString('utf8')) as ChatCompletionRequestBody;
  } catch {
    return {
      error: {
        message:
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
          'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: { message: 'The request body must be a JSON object.', type: 'invalid_request_error', param: null, code: null } };
  }
  if (!Array.isArray(body.messages)) {
    return { error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' } };
  }
  return { body };
}

export function publicHeaders(req: IncomingMessage): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!SECRET_HEADERS.has(name)) out[name] = value;
  return out;
}

export function authKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length > 0) return auth.replace(/^Bearer\s+/i, '');
  const key = req.headers['api-key'] ?? req.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}
