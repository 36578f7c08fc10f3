import type { ModelError } from '@smol/core';
import { httpErrorToModelError, parseRetryAfter, timeoutToModelError, transportErrorToModelError, type EndpointContext } from '@smol/core/provider';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : error.message;
}

/** Stream error events another attempt may get past. */
const RETRYABLE_STREAM_ERROR = /server_error|overloaded|rate_limit/;

/**
 * An openai SDK error as a ModelError, worded by core's provider errors: status kept,
 * 408/409/429/5xx and connection errors retryable (not `insufficient_quota`), retryAfterMs from
 * Retry-After / retry-after-ms. The SDK error stays as the cause only until ApiModel sanitizes it.
 */
export function mapOpenAIError(error: unknown, context: EndpointContext): ModelError {
  if (error instanceof APIConnectionTimeoutError) return timeoutToModelError(context, error);
  if (error instanceof APIConnectionError) return transportErrorToModelError(error.cause ?? error, context);
  if (error instanceof APIError) {
    const status = error.status as number | undefined;
    const code = typeof error.code === 'string' ? error.code : undefined;
    const type = code ?? (typeof error.type === 'string' ? error.type : undefined);
    return httpErrorToModelError(
      {
        status,
        detail: serverMessage(error),
        type,
        retryAfterMs: parseRetryAfter(error.headers),
        retryable: status === undefined ? RETRYABLE_STREAM_ERROR.test(`${error.type ?? ''} ${code ?? ''}`) : undefined,
      },
      context,
      error,
    );
  }
  return transportErrorToModelError(error, context);
}
