// Reads a request body under a byte cap BEFORE parsing anything: a Content-Length over the cap is
// refused unread, and a chunked body is counted as it arrives and refused the moment it passes
// the cap. Memory holds at most `limit` bytes per request.

export type BodyResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too_large' | 'aborted' };

export async function readBody(request: Request, limit: number): Promise<BodyResult> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return { ok: false, reason: 'too_large' };
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        // Not cancel(): on Node that would destroy the socket before the 413 is written. The
        // response says `connection: close`, and Node discards the rest of the body without buffering it.
        reader.releaseLock();
        return { ok: false, reason: 'too_large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'aborted' };
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0] };
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes };
}

/** The media type of a request, lower-case, without parameters. */
export function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * A JSON or multipart/form-data body as a plain object. Multipart: text fields as strings (numbers
 * and booleans converted for the known fields), files named `images` as data: URLs, files named `files` as
 * `{name, content}` text.
 */
export async function parseBody(request: Request, bytes: Uint8Array): Promise<{ ok: true; value: unknown } | { ok: false; error: string; status: 400 | 415 }> {
  const type = mediaType(request);
  if (type === 'application/json' || type === '' || type.endsWith('+json')) {
    const text = new TextDecoder().decode(bytes);
    if (text.trim() === '') return { ok: false, status: 400, error: 'The body is empty: send JSON like {"task": "What is the weather in Paris?"}.' };
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, status: 400, error: 'The body is not valid JSON: send JSON like {"task": "What is the weather in Paris?"}.' };
    }
  }
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(bytes as BodyInit, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
    } catch {
      return { ok: false, status: 400, error: 'The multipart/form-data body could not be parsed.' };
    }
    const value: Record<string, unknown> = {};
    for (const [key, entry] of form.entries()) {
      if (key === 'images') {
        const list = (value.images ??= []) as unknown[];
        if (typeof entry === 'string') list.push(entry);
        else list.push(`data:${entry.type || 'application/octet-stream'};base64,${Buffer.from(await entry.arrayBuffer()).toString('base64')}`);
      } else if (key === 'files' && typeof entry !== 'string') {
        // A text file: its content, or a marker the validator turns into a clear 400.
        const list = (value.files ??= []) as unknown[];
        try {
          list.push({ name: entry.name, content: new TextDecoder('utf-8', { fatal: true }).decode(await entry.arrayBuffer()) });
        } catch {
          list.push({ name: entry.name, content: null });
        }
      } else if (typeof entry === 'string') {
        value[key] = key === 'maxSteps' && /^\d+$/.test(entry) ? Number(entry) : (key === 'stream' || key === 'keep') && /^(true|false)$/.test(entry) ? entry === 'true' : entry;
      } else {
        value[key] = entry.name;
      }
    }
    return { ok: true, value };
  }
  return { ok: false, status: 415, error: `Unsupported content-type "${type}": send application/json or multipart/form-data.` };
}
