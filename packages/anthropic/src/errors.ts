import type { ModelError } from '@smol/core';
import { httpErrorToModelError, parseRetryAfter, timeoutToModelError, transportErrorToModelError, type EndpointContext } from '@smol/core/provider';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';

/** Error types (the body's `error.type`) that another attempt may get past. */
const RETRYABLE_TYPES = new Set(['rate_limit_error', 'api_error', 'overloaded_error', 'timeout_error']);

function serverMessage(error: APIError): string {
  const body = error.error as { error?: { message?: unknown } } | undefined;
  const msg = body?.error?.message;
  return typeof msg === 'string' ? msg : error.message;
}

function errorType(error: APIError): string | undefined {
  const body = error.error as { error?: { type?: unknown } } | undefined;
  const type = (error as { type?: unknown }).type ?? body?.error?.type;
  return typeof type === 'string' && type !== '' ? type : undefined;
}

/**
 * An @anthropic-ai/sdk error as a ModelError, worded by core's provider errors: status kept;
 * 408, 409, 429, 5xx/529 (overloaded), connection errors and retryable stream error events marked
 * retryable; Retry-After honoured.
 */
export function mapAnthropicError(error: unknown, context: EndpointContext): ModelError {
  if (error instanceof APIConnectionTimeoutError) return timeoutToModelError(context, error);
  if (error instanceof APIConnectionError) return transportErrorToModelError(error.cause ?? error, context);
  if (error instanceof APIError) {
    const status = error.status as number | undefined;
    const type = errorType(error);
    return httpErrorToModelError(
      {
        status,
        detail: serverMessage(error),
        type,
        retryAfterMs: parseRetryAfter(error.headers),
        retryable: status === undefined ? RETRYABLE_TYPES.has(type ?? '') : undefined,
      },
      context,
      error,
    );
  }
  return transportErrorToModelError(error, context);
}
