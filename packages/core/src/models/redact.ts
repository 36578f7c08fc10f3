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
