// The chat page: one self-contained HTML file shipped in the package (page/chat.html).
import { readFile } from 'node:fs/promises';

let cached: Promise<string> | undefined;

export async function chatPage(): Promise<Response> {
  const html = await (cached ??= readFile(new URL('../page/chat.html', import.meta.url), 'utf8'));
  return new Response(html, {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // Everything is inline; nothing is loaded from elsewhere.
      'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'",
    },
  });
}
