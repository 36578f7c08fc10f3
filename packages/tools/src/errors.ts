import { AgentError } from '@smol/core';

/**
 * A URL the tools will not fetch: a scheme other than http(s), or an address that is not public
 * (loopback, private, link-local…). The message names the refused class; it goes to the model.
 */
export class UrlRefusedError extends AgentError {
  static override readonly kind: string = 'UrlRefusedError';
}

/** A fetch that failed on the way: DNS, connection, timeout, too many redirects. The message is safe to show the model. */
export class WebFetchError extends AgentError {
  static override readonly kind: string = 'WebFetchError';
}

/** A tool call's failure as the text the model sees; rethrows aborts so the run stops. */
export function failureText(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) throw error;
  if (UrlRefusedError.isInstance(error) || WebFetchError.isInstance(error)) return `Error: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  return `Error: ${message}`;
}
