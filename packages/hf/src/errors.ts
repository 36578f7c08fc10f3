import { ModelError } from '@smol/core';
import { httpErrorToModelError, transportErrorToModelError, type EndpointContext } from '@smol/core/provider';
import {
  InferenceClientHubApiError,
  InferenceClientInputError,
  InferenceClientProviderApiError,
  InferenceClientProviderOutputError,
  InferenceClientRoutingError,
} from '@huggingface/inference';

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

function errorType(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { error_type?: unknown; error?: { type?: unknown; code?: unknown } };
  const t = b.error_type ?? (typeof b.error === 'object' ? (b.error?.code ?? b.error?.type) : undefined);
  return typeof t === 'string' && t !== '' ? t : undefined;
}

/**
 * A @huggingface/inference error as a ModelError, worded by core's provider errors: status kept;
 * 408, 409, 429, 5xx and connection errors retryable; a stream error event retryable unless TGI
 * calls it "validation". `retryAfterMs` comes from the failed response (the client's errors drop it).
 */
export function mapHfError(error: unknown, context: EndpointContext, retryAfterMs?: number): ModelError {
  if (ModelError.isInstance(error)) return error;
  if (error instanceof InferenceClientProviderApiError || error instanceof InferenceClientHubApiError) {
    const hub = error instanceof InferenceClientHubApiError;
    const at: EndpointContext = hub ? { ...context, provider: 'The Hugging Face Hub', host: 'huggingface.co' } : context;
    const status = error.httpResponse?.status;
    const body = error.httpResponse?.body;
    const type = errorType(body);
    const detail = bodyMessage(body) ?? error.message.replace(/^Failed to perform inference: /, '');
    if (status === 200 || status === undefined) {
      return httpErrorToModelError({ status: undefined, detail, type, retryable: type !== 'validation' }, at, error);
    }
    return httpErrorToModelError({ status, detail, type, retryAfterMs }, at, error);
  }
  const model = context.modelId ? `the model "${context.modelId}"` : 'the model';
  if (error instanceof InferenceClientInputError || error instanceof InferenceClientRoutingError) {
    return new ModelError(`${context.provider}: the client refused the request for ${model}: ${error.message}`, { cause: error });
  }
  if (error instanceof InferenceClientProviderOutputError) {
    return new ModelError(`${context.provider} returned an unexpected response for ${model}: ${error.message}`, { cause: error });
  }
  return transportErrorToModelError(error, context);
}
