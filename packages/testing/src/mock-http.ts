// The OpenAI wire format for JSON and error answers of the simulated server: error bodies as the real
// API words them, and the small writers that put a status, headers and a body on a response.
import http, { type ServerResponse } from 'node:http';

export interface WireError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** Masks a key the way OpenAI's 401 message does: a short prefix, stars, the last 4 characters. */
export function maskApiKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}`;
}

export function modelNotFound(model: string): WireError {
  return {
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    type: 'invalid_request_error',
    param: null,
    code: 'model_not_found',
  };
}

export function errorFor(status: number, model: string, key: string | undefined, retryAfterSeconds: number): WireError {
  switch (status) {
    case 400:
      return { message: 'Invalid request.', type: 'invalid_request_error', param: null, code: null };
    case 401:
      return key
        ? {
            message: `Incorrect API key provided: ${maskApiKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          }
        : {
            message:
              "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            type: 'invalid_request_error',
            param: null,
            code: null,
          };
    case 403:
      return { message: `You are not allowed to sample from the model \`${model}\`.`, type: 'invalid_request_error', param: null, code: 'model_access_denied' };
    case 404:
      return modelNotFound(model);
    case 429:
      return {
        message: `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${retryAfterSeconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      };
    case 500:
      return { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null };
    case 503:
      return { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', param: null, code: null };
    default:
      return {
        message: `${http.STATUS_CODES[status] ?? 'Error'} (simulated ${status}).`,
        type: status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: null,
      };
  }
}

export function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'smol-mock' };
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void {
  writeRaw(res, status, JSON.stringify(value), headers);
}

export function sendError(res: ServerResponse, status: number, error: WireError, headers?: Record<string, string>): void {
  writeRaw(res, status, JSON.stringify({ error }), headers);
}

export function writeRaw(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** A 500 for a responder or fault function that threw (or returned nonsense); cuts the connection once a reply has started. */
export function sendResponderError(res: ServerResponse, err: unknown): void {
  if (res.destroyed || res.headersSent) {
    res.destroy();
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendError(res, 500, { message: `smol mock server: the responder failed: ${message}`, type: 'server_error', param: null, code: 'mock_responder_error' });
}

/** Writes `data`, then destroys the connection: a reply cut short. */
export function cutAfter(res: ServerResponse, data: string | Buffer): void {
  res.write(data, () => res.destroy());
}
