import { ModelError } from '../errors.js';

// Provider errors must never carry a key: these helpers are shared by every provider package.

// Key shapes scrubbed even when we were not told the key: OpenAI (sk-, sk-proj-), Anthropic
// (sk-ant-), project/restricted/session keys, Hugging Face tokens (hf_).
const KEY_LIKE = /\b(sk-ant|sk|pk|rk|sess)-[A-Za-z0-9_*.-]{4,}|\bhf_[A-Za-z0-9]{6,}/g;

/** Removes the given secrets, and anything shaped like an API key, from a message. */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[] = []): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out.replace(KEY_LIKE, (_m, prefix: string | undefined) => (prefix ? `${prefix}-***` : 'hf_***'));
}

/** The innermost cause of a connection error, with its code (ECONNREFUSED: …), for messages. */
export function describeCause(error: unknown): string {
  let e: unknown = error;
  for (let i = 0; i < 5 && e && typeof e === 'object' && (e as { cause?: unknown }).cause; i++) e = (e as { cause?: unknown }).cause;
  const code = (e as { code?: unknown })?.code;
  const msg = e instanceof Error ? e.message : String(e);
  return typeof code === 'string' && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/**
 * The secrets one model was configured with (API key, tokens, custom header values), and every
 * value a key function or token provider returned. Held in a private field, so inspecting the set
 * or its owner never shows them. Returned values are bounded: only the latest few are kept.
 */
export class SecretSet {
  readonly #values = new Set<string>();
  readonly #dynamic: string[] = [];

  /** Adds a fixed secret (a configured key, a header value). Values shorter than 4 characters are ignored. */
  add(value: unknown): void {
    if (typeof value === 'string' && value.length >= 4) this.#values.add(value);
  }

  /** Adds every value of a headers object. */
  addHeaders(headers: Record<string, unknown> | Headers | undefined | null): void {
    if (!headers) return;
    if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') (headers as Headers).forEach((v) => this.add(v));
    else for (const key in headers) this.add((headers as Record<string, unknown>)[key]);
  }

  /** Adds the credentials a URL may carry: user, password and query values (e.g. `?api-key=…`). */
  addUrl(url: string | undefined): void {
    if (!url) return;
    try {
      const parsed = new URL(url);
      this.add(decodeURIComponent(parsed.username));
      this.add(decodeURIComponent(parsed.password));
      parsed.searchParams.forEach((value) => this.add(value));
    } catch {
      // Not a URL: nothing to add.
    }
  }

  /** Adds a value returned by a key function or token provider (the last 16 are kept). */
  addResolved(value: unknown): void {
    if (typeof value !== 'string' || value.length < 4 || this.#values.has(value) || this.#dynamic.includes(value)) return;
    this.#dynamic.push(value);
    if (this.#dynamic.length > 16) this.#dynamic.shift();
  }

  /** Wraps a key function so that each key it returns is redacted too. */
  track<T extends string>(fn: () => Promise<T>): () => Promise<T> {
    return async () => {
      const value = await fn();
      this.addResolved(value);
      return value;
    };
  }

  /** `text` with every secret (and anything key-shaped) replaced by ***. */
  redact(text: string): string {
    return redactSecrets(text, this.#dynamic.length ? [...this.#values, ...this.#dynamic] : [...this.#values]);
  }

  toJSON(): string {
    return '[SecretSet]';
  }
}

/** Fields of a provider error worth keeping for debugging; everything else (headers, request, response, body) is dropped. */
const KEPT_FIELDS = ['status', 'code', 'type', 'param', 'requestId', 'requestID', 'request_id', 'errno', 'syscall'] as const;

/** A provider's error with its secrets replaced and without headers: what a ModelError keeps as its cause. */
export class ProviderErrorCause extends Error {
  status?: number;
  code?: string;
  type?: string;
  requestId?: string;
}

/**
 * A copy of an error and its cause chain that is safe to print or log: each message and stack
 * has its secrets replaced, and only name, message, stack, status, code, type, param and request
 * id survive. SDK errors keep the request's headers and the raw response; the copy does not.
 */
export function sanitizeError(error: unknown, redact: (text: string) => string, depth = 0): Error | undefined {
  if (error === undefined || error === null || depth > 8) return undefined;
  if (!(error instanceof Error)) return new ProviderErrorCause(redact(typeof error === 'string' ? error : safeString(error)));
  const copy = new ProviderErrorCause(redact(error.message));
  copy.name = error.name;
  const source = error as unknown as Record<string, unknown>;
  for (const field of KEPT_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') (copy as unknown as Record<string, unknown>)[field === 'requestID' || field === 'request_id' ? 'requestId' : field] = redact(value);
    else if (typeof value === 'number') (copy as unknown as Record<string, unknown>)[field] = value;
  }
  copy.stack = error.stack === undefined ? undefined : redact(error.stack);
  const cause = sanitizeError(source.cause, redact, depth + 1);
  if (cause) copy.cause = cause;
  return copy;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * A ModelError safe to surface: its message with secrets replaced and its cause chain rebuilt by
 * sanitizeError. The class (e.g. ModelStreamingNotSupportedError), status, retryable and
 * retryAfterMs are kept.
 */
export function sanitizeModelError(error: ModelError, redact: (text: string) => string): ModelError {
  const Kind = error.constructor as typeof ModelError;
  const safe = new Kind(redact(error.message), {
    status: error.status,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    cause: sanitizeError(error.cause, redact),
  });
  if (safe.stack && error.stack) safe.stack = redact(error.stack);
  return safe;
}
