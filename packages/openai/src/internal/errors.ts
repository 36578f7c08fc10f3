import { AgentError, ModelError, isConnectionError, parseRetryAfter, describeCause, redactSecrets } from '@smol/core';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

export interface OpenAIErrorContext {
  /** Shown in messages: "OpenAI", "Azure OpenAI", "LiteLLM", … */
  provider?: string;
  modelId?: string;
  /** Where the key comes from, for the 401 hint. Default "the apiKey option or OPENAI_API_KEY". */
  apiKeySource?: string;
  /** Secrets to scrub from any server message (the API key). */
  secrets?: readonly (string | undefined)[];
}

function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const msg = typeof body?.message === 'string' ? body.message : error.message;
  return msg.replace(/^\d{3}\s+/, '');
}

/**
 * An openai SDK error as a ModelError: status kept, 408/409/429/5xx and connection errors
 * retryable (not `insufficient_quota`), retryAfterMs from Retry-After / retry-after-ms.
 * No request header and no key reaches the message; a 401 keeps no cause at all, since the
 * server's 401 body quotes part of the key.
 */
export function mapOpenAIError(error: unknown, context: OpenAIErrorContext = {}): ModelError {
  if (ModelError.isInstance(error)) return error;
  const provider = context.provider ?? 'OpenAI';
  const secrets = context.secrets ?? [];
  if (AgentError.isInstance(error)) return new ModelError(redactSecrets(error.message, secrets), { cause: error });
  if (error instanceof APIConnectionTimeoutError) {
    return new ModelError(`${provider} request timed out.`, { retryable: true, cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new ModelError(redactSecrets(`Could not reach ${provider}: ${describeCause(error)}`, secrets), { retryable: true, cause: error.cause ?? error });
  }
  if (error instanceof APIError) {
    const status = error.status;
    const detail = redactSecrets(serverMessage(error), secrets);
    if (status === 401) {
      return new ModelError(
        `${provider} rejected the API key (401). Check ${context.apiKeySource ?? 'the apiKey option or the OPENAI_API_KEY environment variable'}.`,
        { status },
      );
    }
    if (status === 403) return new ModelError(`${provider} refused the request (403): ${detail}`, { status, cause: error });
    if (status === 404) {
      const model = context.modelId ? `the model "${context.modelId}"` : 'the model';
      return new ModelError(`${provider} does not know ${model}, or the endpoint does not exist (404): ${detail}. Check modelId and apiBase.`, { status, cause: error });
    }
    if (status === undefined) {
      // An error event inside a stream.
      const type = (error as { type?: string }).type ?? '';
      return new ModelError(`${provider} stream error: ${detail}`, { retryable: /server_error|overloaded|rate_limit/.test(`${type} ${error.code ?? ''}`), cause: error });
    }
    const quota = error.code === 'insufficient_quota';
    const retryable = !quota && (status === 408 || status === 409 || status === 429 || status >= 500);
    const retryAfterMs = retryable ? parseRetryAfter(error.headers) : undefined;
    const what = status === 429 ? (quota ? 'quota exceeded' : 'rate limited') : status >= 500 ? 'server error' : 'request failed';
    return new ModelError(`${provider} ${what} (${status}): ${detail}`, { status, retryable, retryAfterMs, cause: error });
  }
  if (isConnectionError(error)) {
    return new ModelError(redactSecrets(`Could not reach ${provider}: ${describeCause(error)}`, secrets), { retryable: true, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ModelError(redactSecrets(`${provider} call failed: ${message}`, secrets), { cause: error });
}
