/**
 * The text of a body: the charset from the BOM, then the Content-Type header, then (for HTML) a
 * `<meta charset>` in the first 1024 bytes, else UTF-8. Unknown labels fall back to UTF-8.
 */
export function decodeBody(body: Uint8Array, headerCharset: string | undefined, isHtml: boolean): string {
  let label = bomCharset(body) ?? headerCharset ?? (isHtml ? metaCharset(body) : undefined) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    label = 'utf-8';
    decoder = new TextDecoder(label);
  }
  return decoder.decode(body);
}

function bomCharset(b: Uint8Array): string | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function metaCharset(b: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(b.subarray(0, 1024));
  return (
    head.match(/<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i)?.[1] ??
    undefined
  );
}
