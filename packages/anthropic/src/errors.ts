import { AgentError, ModelError, isConnectionError, parseRetryAfter, describeCause, redactSecrets } from '@smol/core';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';

export interface AnthropicErrorContext {
  modelId?: string;
  /** Secrets to scrub from any server message (the API key or token). */
  secrets?: readonly (string | undefined)[];
}

/** Error types (the body's `error.type`) that another attempt may get past. */
const RETRYABLE_TYPES = new Set(['rate_limit_error', 'api_error', 'overloaded_error', 'timeout_error']);

function serverMessage(error: APIError): string {
  const body = error.error as { error?: { message?: unknown; type?: unknown } } | undefined;
  const msg = body?.error?.message;
  const text = typeof msg === 'string' ? msg : error.message;
  return text.replace(/^\d{3}\s+/, '');
}

function errorType(error: APIError): string {
  const body = error.error as { error?: { type?: unknown } } | undefined;
  const type = (error as { type?: unknown }).type ?? body?.error?.type;
  return typeof type === 'string' ? type : '';
}

/**
 * An @anthropic-ai/sdk error as a ModelError: status kept; 408, 409, 429, 5xx/529 (overloaded),
 * connection errors and retryable stream error events marked retryable; Retry-After honoured.
 * No request header and no key reaches the message, and a 401 keeps no cause at all.
 */
export function mapAnthropicError(error: unknown, context: AnthropicErrorContext = {}): ModelError {
  if (ModelError.isInstance(error)) return error;
  const secrets = context.secrets ?? [];
  if (AgentError.isInstance(error)) return new ModelError(redactSecrets(error.message, secrets), { cause: error });
  if (error instanceof APIConnectionTimeoutError) return new ModelError('Anthropic request timed out.', { retryable: true, cause: error });
  if (error instanceof APIConnectionError) {
    return new ModelError(redactSecrets(`Could not reach Anthropic: ${describeCause(error)}`, secrets), { retryable: true, cause: error.cause ?? error });
  }
  if (error instanceof APIError) {
    const status = error.status as number | undefined;
    const detail = redactSecrets(serverMessage(error), secrets);
    const type = errorType(error);
    if (status === 401) {
      return new ModelError('Anthropic rejected the API key (401 authentication_error). Check the apiKey option or the ANTHROPIC_API_KEY environment variable.', { status });
    }
    if (status === 403) return new ModelError(`Anthropic refused the request (403 ${type || 'permission_error'}): ${detail}`, { status, cause: error });
    if (status === 404) {
      const model = context.modelId ? `the model "${context.modelId}"` : 'the model';
      return new ModelError(`Anthropic does not know ${model}, or the endpoint does not exist (404): ${detail}. Check modelId and baseURL.`, { status, cause: error });
    }
    if (status === undefined) {
      // An `event: error` inside a stream (e.g. overloaded_error after the response started).
      return new ModelError(`Anthropic stream error (${type || 'unknown'}): ${detail}`, { retryable: RETRYABLE_TYPES.has(type), cause: error });
    }
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const retryAfterMs = retryable ? parseRetryAfter(error.headers) : undefined;
    const what = status === 429 ? 'rate limited' : status === 529 ? 'overloaded' : status >= 500 ? 'server error' : 'request failed';
    return new ModelError(`Anthropic ${what} (${status}${type ? ` ${type}` : ''}): ${detail}`, { status, retryable, retryAfterMs, cause: error });
  }
  if (error instanceof TypeError && error.message === 'terminated') {
    // The body stopped mid-way (fetch's wording): a cut connection.
    return new ModelError('Anthropic connection was cut before the response ended.', { retryable: true, cause: error });
  }
  if (isConnectionError(error)) {
    return new ModelError(redactSecrets(`Could not reach Anthropic: ${describeCause(error)}`, secrets), { retryable: true, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ModelError(redactSecrets(`Anthropic call failed: ${message}`, secrets), { cause: error });
}
