// Fault injection for the simulated server: telling a fault from a reply, and answering with one
// (an HTTP error with the real API's headers and body, or a reset connection).
import type { ServerResponse } from 'node:http';
import type { MockFault, MockRequest, MockResult, MockStatusFault } from './mock-server-types.js';
import { errorFor, sendError, sendResponderError, writeRaw } from './mock-http.js';

/** True for a fault result (status, reset, truncate or hang), false for a reply. */
export function isFault(result: MockResult): result is MockFault {
  return typeof result === 'object' && result !== null && ('status' in result || 'reset' in result || 'truncate' in result || 'hang' in result);
}

/** Answers with a status, reset or hang fault (a truncate fault is the reply's job: it needs a reply to cut). */
export function sendFault(request: MockRequest, res: ServerResponse, fault: MockFault, key: string | undefined): void {
  if ('reset' in fault && fault.reset) {
    res.destroy();
    return;
  }
  if ('hang' in fault && fault.hang) return;
  const f = fault as MockStatusFault;
  if (typeof f.status !== 'number') {
    sendResponderError(res, new TypeError(`unknown fault ${JSON.stringify(fault)}`));
    return;
  }
  const headers: Record<string, string> = { ...f.headers };
  if (f.retryAfterMs !== undefined) {
    headers['retry-after-ms'] = String(f.retryAfterMs);
    headers['retry-after'] ??= String(Math.ceil(f.retryAfterMs / 1000));
  }
  if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
  if (f.status === 429) {
    headers['retry-after'] ??= '1';
    headers['x-ratelimit-limit-requests'] ??= '500';
    headers['x-ratelimit-remaining-requests'] ??= '0';
    headers['x-ratelimit-reset-requests'] ??= `${headers['retry-after']}s`;
  }
  const model = request.body.model ?? request.deployment ?? 'mock-model';
  if (f.body !== undefined) {
    const text = typeof f.body === 'string' ? f.body : JSON.stringify(f.body);
    writeRaw(res, f.status, text, headers);
    return;
  }
  const error = errorFor(f.status, model, key, Number(headers['retry-after'] ?? 1));
  if (f.message !== undefined) error.message = f.message;
  sendError(res, f.status, error, headers);
}
