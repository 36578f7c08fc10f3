// Provider errors as ModelErrors with one wording everywhere: who answered (provider and host,
// never the key or a query string), the status, and the server's own message.
import { AgentError, ModelError } from '../errors.js';
import { describeCause } from '../models/redact.js';
import { isConnectionError } from '../models/retry.js';

export interface EndpointContext {
  /** "OpenAI", "OpenAI-compatible server", "Azure OpenAI", "LiteLLM proxy", "Hugging Face", "Anthropic", … */
  provider: string;
  /** host[:port] the requests go to (see hostOf). */
  host?: string;
  modelId?: string;
  /** For a 401: where the key comes from, e.g. "the apiKey option or OPENAI_API_KEY". */
  keySource?: string;
  /** For a 404: what to check, e.g. "modelId and baseURL". */
  notFoundHint?: string;
}

/** What a provider's HTTP error (or an error event inside a stream) says. */
export interface HttpErrorInfo {
  /** Undefined for an error event inside a stream (the response itself was 200). */
  status: number | undefined;
  /** The server's message. Redaction of secrets happens in ApiModel, for every error. */
  detail: string;
  /** The server's error type or code ("rate_limit_error", "insufficient_quota", …). */
  type?: string;
  retryAfterMs?: number;
  /** Overrides the default (408, 409, 429 and 5xx retryable; stream events not). */
  retryable?: boolean;
}

/** The host (and port) of a URL, without credentials, path or query; undefined when unreadable. */
export function hostOf(url: string | URL | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/** "OpenAI-compatible server at 127.0.0.1:1234". */
export function endpointName(context: EndpointContext): string {
  return context.host ? `${context.provider} at ${context.host}` : context.provider;
}

function clause(text: string): string {
  return text.trim().replace(/^\d{3}\s+/, '').replace(/[.\s]+$/, '');
}

/** A provider's HTTP error as a ModelError; the status, Retry-After and whether to retry are kept. */
export function httpErrorToModelError(info: HttpErrorInfo, context: EndpointContext, cause?: unknown): ModelError {
  const who = endpointName(context);
  const { status } = info;
  const detail = clause(info.detail) || 'no message';
  if (status === undefined) {
    return new ModelError(`${who} sent an error in the stream${info.type ? ` (${info.type})` : ''}: ${detail}.`, { retryable: info.retryable ?? false, cause });
  }
  if (status === 401) {
    // No cause: 401 bodies tend to quote (part of) the key.
    return new ModelError(`${who} answered 401: the API key was rejected (${detail}). Check ${context.keySource ?? 'the apiKey option'}.`, { status });
  }
  const quota = info.type === 'insufficient_quota';
  const retryable = info.retryable ?? (!quota && (status === 408 || status === 409 || status === 429 || status >= 500));
  const retryAfterMs = retryable ? info.retryAfterMs : undefined;
  let message: string;
  if (status === 404) {
    const model = context.modelId ? `the model "${context.modelId}"` : 'the model';
    message = `${who} answered 404: ${detail}. It does not know ${model}, or the endpoint does not exist; check ${context.notFoundHint ?? 'modelId and baseURL'}.`;
  } else {
    const what = status === 429 ? (quota ? 'quota exceeded' : 'rate limited') : status === 403 ? 'refused' : status === 529 ? 'overloaded' : status >= 500 ? 'server error' : 'request failed';
    message = `${who} answered ${status} (${what}${info.type && !quota ? `, ${info.type}` : ''}): ${detail}.`;
  }
  return new ModelError(message, { status, retryable, retryAfterMs, cause });
}

/**
 * Anything that is not an HTTP answer: smol's own errors keep their message, a cut or refused
 * connection is retryable, the rest is "call failed".
 */
export function transportErrorToModelError(error: unknown, context: EndpointContext): ModelError {
  if (ModelError.isInstance(error)) return error;
  const who = endpointName(context);
  if (AgentError.isInstance(error)) return new ModelError(error.message, { cause: error });
  if (error instanceof TypeError && error.message === 'terminated') {
    return new ModelError(`${who}: the connection was cut before the response ended.`, { retryable: true, cause: error });
  }
  if (isConnectionError(error)) return new ModelError(`Could not reach ${who}: ${describeCause(error)}`, { retryable: true, cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new ModelError(`${who}: call failed: ${message}`, { cause: error });
}

/** An SDK's own request timeout. */
export function timeoutToModelError(context: EndpointContext, cause?: unknown): ModelError {
  return new ModelError(`${endpointName(context)} did not answer in time (request timed out).`, { retryable: true, cause });
}
