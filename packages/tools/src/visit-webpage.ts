import { tool, type Tool } from '@smol/core';
import { z } from 'zod';
import { failureText } from './errors.ts';
import { extractArticle } from './html.ts';
import { truncate } from './text.ts';
import { decodeBody } from './net/decode.ts';
import { WebClient, type NetworkOptions } from './net/web-client.ts';

export interface VisitWebpageOptions extends NetworkOptions {
  /** Characters of markdown returned; the rest is cut with a note. Default 40 000. */
  maxChars?: number;
  /** Share one client (its connection pool and address policy) between tools. */
  client?: WebClient;
}

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const JSON_RE = /^application\/(.+\+)?json$/;

/** `visit_webpage`: fetches a public URL and returns its main content as markdown. */
export function visitWebpage(options: VisitWebpageOptions = {}): Tool<{ url: string }, string> {
  const client = options.client ?? new WebClient(options);
  const maxChars = options.maxChars ?? 40_000;
  return tool({
    name: 'visit_webpage',
    description:
      "Visits a webpage at the given url and reads its content as a markdown string. Use this to browse webpages.",
    inputSchema: z.object({ url: z.string().describe('The url of the webpage to visit.') }),
    outputType: 'string',
    async execute({ url }, { signal }) {
      // A bare host name ("example.com/page") is meant as https.
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && /^[\w-]+(\.[\w-]+)+(:\d+)?(\/|$)/.test(url)) url = `https://${url}`;
      try {
        const res = await client.fetch(url, { signal, headers: { accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.9,*/*;q=0.5' } });
        if (res.status >= 400) return `Error: ${res.url} answered HTTP ${res.status}${statusText(res.status)}.`;
        const note = res.truncated ? `\n\n[The page is larger than ${client.maxBytes} bytes; only its beginning was read.]` : '';
        const type = res.mediaType || sniff(res.body);
        if (HTML_TYPES.has(type)) {
          const html = decodeBody(res.body, res.charset, true);
          const article = await extractArticle(html, res.url);
          const head = [article.title ? `# ${article.title}` : '', article.byline ? `By ${article.byline}` : '', `Source: ${res.url}`].filter(Boolean).join('\n\n');
          return truncate(`${head}\n\n${article.markdown}`, maxChars) + note;
        }
        if (type.startsWith('text/') || JSON_RE.test(type)) {
          return truncate(decodeBody(res.body, res.charset, false), maxChars) + note;
        }
        return `The URL ${res.url} is not a web page: it is ${describeType(type)} (${formatBytes(res.body.length, res.truncated)}). This tool reads HTML, plain text and JSON only.`;
      } catch (error) {
        return failureText(error, signal);
      }
    },
  });
}

function sniff(body: Uint8Array): string {
  const start = new TextDecoder().decode(body.subarray(0, 512)).trimStart().toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html') || start.startsWith('<head') || start.startsWith('<body')) return 'text/html';
  if (start.startsWith('{') || start.startsWith('[')) return 'application/json';
  return body.subarray(0, 512).includes(0) ? 'application/octet-stream' : 'text/plain';
}

const KINDS: Record<string, string> = {
  'application/pdf': 'a PDF document',
  'application/zip': 'a ZIP archive',
  'application/octet-stream': 'binary data',
  'application/msword': 'a Word document',
};

function describeType(type: string): string {
  if (KINDS[type]) return `${KINDS[type]} (${type})`;
  const top = type.split('/')[0];
  if (top === 'image' || top === 'audio' || top === 'video') return `${top === 'video' ? 'a' : 'an'} ${top} file (${type})`;
  return `a file of type ${type}`;
}

function formatBytes(n: number, truncated: boolean): string {
  const size = n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;
  return truncated ? `more than ${size}` : size;
}

function statusText(status: number): string {
  const names: Record<number, string> = { 401: ' Unauthorized', 403: ' Forbidden', 404: ' Not Found', 410: ' Gone', 429: ' Too Many Requests', 500: ' Internal Server Error', 502: ' Bad Gateway', 503: ' Service Unavailable' };
  return names[status] ?? '';
}
