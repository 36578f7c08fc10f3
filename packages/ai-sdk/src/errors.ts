import { APICallError } from '@ai-sdk/provider';
import { AgentError, ModelError } from '@smol/core';
import { describeCause, isConnectionError, parseRetryAfter, redactSecrets } from '@smol/core/provider';

/**
 * An AI SDK error as a ModelError, so smol's retry policy applies: the status, `isRetryable`
 * (the provider's own judgement: 408, 409, 429, 5xx, connection failures) and Retry-After.
 * APICallError carries no request header; a 401 still keeps no cause, since some servers quote
 * part of the key in that body.
 */
export function toModelError(error: unknown, provider: string): ModelError {
  if (ModelError.isInstance(error)) return error;
  if (AgentError.isInstance(error)) return new ModelError(redactSecrets(error.message), { cause: error });
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const detail = redactSecrets(error.message);
    if (status === 401) return new ModelError(`${provider} rejected the API key (401). Check the provider's apiKey setting.`, { status });
    const retryable = error.isRetryable;
    const retryAfterMs = retryable ? parseRetryAfter(error.responseHeaders) : undefined;
    if (status === undefined) {
      return new ModelError(`Could not reach ${provider}: ${redactSecrets(describeCause(error))}`, { retryable, retryAfterMs, cause: error });
    }
    const what = status === 429 ? 'rate limited' : status >= 500 ? 'server error' : 'request failed';
    return new ModelError(`${provider} ${what} (${status}): ${detail}`, { status, retryable, retryAfterMs, cause: error });
  }
  if (isConnectionError(error)) {
    return new ModelError(`Could not reach ${provider}: ${redactSecrets(describeCause(error))}`, { retryable: true, cause: error });
  }
  // A stream's `error` part is often the provider's error body, a plain object ({ type, message }).
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : safeJson(error);
  const type = typeof error === 'object' && error !== null ? String((error as { type?: unknown }).type ?? '') : '';
  const retryable = /overloaded|rate_limit|server_error|api_error/.test(type);
  return new ModelError(`${provider} call failed: ${redactSecrets(message)}`, { retryable, cause: error });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
