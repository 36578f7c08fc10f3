// The chat page: static files shipped in the package (page/), no build step.
import { readFile } from 'node:fs/promises';

const FILES: Record<string, string> = {
  '/': 'chat.html',
  '/chat.js': 'chat.js',
  '/chat.css': 'chat.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const cache = new Map<string, Promise<string>>();

export async function chatPage(path: string): Promise<Response> {
  const file = FILES[path.replace(/(.)\/+$/, '$1')] ?? FILES['/'];
  let text = cache.get(file);
  if (!text) {
    text = readFile(new URL(`../page/${file}`, import.meta.url), 'utf8');
    cache.set(file, text);
  }
  return new Response(await text, {
    status: 200,
    headers: {
      'content-type': TYPES[file.split('.').pop()!],
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // Scripts and styles come only from the page's own files; images may be data: URLs (uploads, tool output).
      'content-security-policy': "default-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'",
    },
  });
}
