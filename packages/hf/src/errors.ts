import { AgentError, ModelError, isConnectionError, describeCause, redactSecrets } from '@smol/core';
import {
  InferenceClientHubApiError,
  InferenceClientInputError,
  InferenceClientProviderApiError,
  InferenceClientProviderOutputError,
  InferenceClientRoutingError,
} from '@huggingface/inference';

export interface HfErrorContext {
  modelId?: string;
  /** Secrets to scrub from any server message (the token). */
  secrets?: readonly (string | undefined)[];
  /** From the failed response's Retry-After, which the client's errors do not keep. */
  retryAfterMs?: number;
}

/** Thrown through the request's signal when `timeout` passes without progress. */
export class HfTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response for ${timeoutMs} ms`);
    this.name = 'HfTimeoutError';
  }
}

/** The server's own words, from the body shapes seen in the wild: TGI `{error, error_type}`, OpenAI `{error:{message}}`, `{detail}`, `{message}`. */
function bodyMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { error?: unknown; detail?: unknown; message?: unknown };
  if (typeof b.error === 'string') return b.error;
  if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') return (b.error as { message: string }).message;
  if (typeof b.detail === 'string') return b.detail;
  if (typeof b.message === 'string') return b.message;
  return undefined;
}

function errorType(body: unknown): string {
  if (!body || typeof body !== 'object') return '';
  const b = body as { error_type?: unknown; error?: { type?: unknown; code?: unknown } };
  const t = b.error_type ?? (typeof b.error === 'object' ? (b.error?.code ?? b.error?.type) : undefined);
  return typeof t === 'string' ? t : '';
}

/**
 * A @huggingface/inference error as a ModelError: status kept; 408, 409, 429, 5xx, timeouts and
 * connection errors retryable. The client already redacts the Authorization header it keeps on
 * its errors; a 401 keeps no cause at all, and no message carries the token.
 */
export function mapHfError(error: unknown, context: HfErrorContext = {}): ModelError {
  if (ModelError.isInstance(error)) return error;
  const secrets = context.secrets ?? [];
  const model = context.modelId ? `the model "${context.modelId}"` : 'the model';
  if (AgentError.isInstance(error)) return new ModelError(redactSecrets(error.message, secrets), { cause: error });
  if (error instanceof HfTimeoutError) return new ModelError(`Hugging Face request timed out: ${error.message}.`, { retryable: true, cause: error });
  if (error instanceof InferenceClientProviderApiError || error instanceof InferenceClientHubApiError) {
    const hub = error instanceof InferenceClientHubApiError;
    const where = hub ? 'The Hugging Face Hub' : 'Hugging Face';
    const status = error.httpResponse?.status;
    const body = error.httpResponse?.body;
    const detail = redactSecrets(bodyMessage(body) ?? error.message.replace(/^Failed to perform inference: /, ''), secrets);
    const type = errorType(body);
    if (status === 401) {
      return new ModelError(`${where} rejected the token (401). Check the token option or the HF_TOKEN environment variable.`, { status });
    }
    if (status === 402) return new ModelError(`Hugging Face refused the request: payment required (402): ${detail}`, { status, cause: error });
    if (status === 403) return new ModelError(`${where} refused the request (403): ${detail}`, { status, cause: error });
    if (status === 404) {
      return new ModelError(`${where} does not know ${model}, or the endpoint does not exist (404): ${detail}. Check modelId, provider and endpointUrl.`, { status, cause: error });
    }
    if (status === 200 || status === undefined) {
      // An error event inside a stream; TGI marks bad input as "validation".
      return new ModelError(`Hugging Face stream error${type ? ` (${type})` : ''}: ${detail}`, { retryable: type !== 'validation', cause: error });
    }
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const what = status === 429 ? 'rate limited' : status >= 500 ? 'server error' : 'request failed';
    const about = status === 400 && /model/i.test(detail) ? ` (${model})` : '';
    return new ModelError(`Hugging Face ${what} (${status})${about}: ${detail}`, {
      status,
      retryable,
      retryAfterMs: retryable ? context.retryAfterMs : undefined,
      cause: error,
    });
  }
  if (error instanceof InferenceClientInputError || error instanceof InferenceClientRoutingError) {
    return new ModelError(redactSecrets(`Hugging Face client refused the request for ${model}: ${error.message}`, secrets), { cause: error });
  }
  if (error instanceof InferenceClientProviderOutputError) {
    return new ModelError(`Hugging Face returned an unexpected response for ${model}: ${error.message}`, { cause: error });
  }
  if (error instanceof TypeError && error.message === 'terminated') {
    return new ModelError('Hugging Face connection was cut before the response ended.', { retryable: true, cause: error });
  }
  if (isConnectionError(error)) {
    return new ModelError(redactSecrets(`Could not reach Hugging Face: ${describeCause(error)}`, secrets), { retryable: true, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ModelError(redactSecrets(`Hugging Face call failed: ${message}`, secrets), { cause: error });
}
