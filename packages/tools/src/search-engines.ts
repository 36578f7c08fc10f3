import { AgentError } from '@smol/core';
import { loadParseHtml } from './html.ts';
import { decodeBody } from './net/decode.ts';
import type { WebClient, WebResponse } from './net/web-client.ts';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

export type SearchEngineName = 'duckduckgo' | 'brave' | 'tavily' | 'serper';

export interface SearchRequest {
  query: string;
  maxResults: number;
  signal: AbortSignal;
  client: WebClient;
  baseURL: string;
  apiKey: string | undefined;
}

/** The engine answered, but not with results (a captcha, an error page, a bad key). The message is for the model. */
export class SearchEngineError extends AgentError {
  static override readonly kind: string = 'SearchEngineError';
}

export const ENGINE_BASE_URLS: Record<SearchEngineName, string> = {
  duckduckgo: 'https://html.duckduckgo.com/html/',
  brave: 'https://api.search.brave.com/res/v1/web/search',
  tavily: 'https://api.tavily.com/search',
  serper: 'https://google.serper.dev/search',
};

/** The environment variable each API engine reads its key from. */
export const ENGINE_KEY_ENV: Record<Exclude<SearchEngineName, 'duckduckgo'>, string> = {
  brave: 'BRAVE_API_KEY',
  tavily: 'TAVILY_API_KEY',
  serper: 'SERPER_API_KEY',
};

export const ENGINES: Record<SearchEngineName, (req: SearchRequest) => Promise<SearchResult[]>> = {
  async duckduckgo({ query, maxResults, signal, client, baseURL }) {
    const url = new URL(baseURL);
    url.searchParams.set('q', query);
    const res = await client.fetch(url.href, { signal, headers: { accept: 'text/html' } });
    const html = decodeBody(res.body, res.charset, true);
    // DuckDuckGo answers a suspected bot with HTTP 202 and a challenge page instead of results.
    if (res.status === 202 || /anomaly-modal|challenge-form|bots use DuckDuckGo/i.test(html)) {
      throw new SearchEngineError('DuckDuckGo answered with a captcha (a bot check) instead of results. Wait a while before searching again, or configure a search API key (BRAVE_API_KEY, TAVILY_API_KEY or SERPER_API_KEY).');
    }
    if (res.status >= 400) throw new SearchEngineError(`DuckDuckGo answered with an error page (HTTP ${res.status}).`);
    return parseDuckDuckGo(html, maxResults);
  },

  async brave({ query, maxResults, signal, client, baseURL, apiKey }) {
    const url = new URL(baseURL);
    url.searchParams.set('q', query);
    url.searchParams.set('count', String(Math.min(maxResults, 20)));
    const res = await client.fetch(url.href, { signal, headers: { accept: 'application/json', 'x-subscription-token': apiKey ?? '' } });
    const body = apiJson(res, 'Brave Search') as { web?: { results?: { title?: string; url?: string; description?: string }[] } };
    return (body.web?.results ?? []).map((r) => ({ title: clean(r.title), url: r.url ?? '', snippet: clean(r.description) }));
  },

  async tavily({ query, maxResults, signal, client, baseURL, apiKey }) {
    const res = await client.fetch(baseURL, {
      signal,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey ?? ''}` },
      body: JSON.stringify({ query, max_results: Math.min(maxResults, 20), search_depth: 'basic' }),
    });
    const body = apiJson(res, 'Tavily') as { results?: { title?: string; url?: string; content?: string }[] };
    return (body.results ?? []).map((r) => ({ title: clean(r.title), url: r.url ?? '', snippet: clean(r.content) }));
  },

  async serper({ query, maxResults, signal, client, baseURL, apiKey }) {
    const res = await client.fetch(baseURL, {
      signal,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': apiKey ?? '' },
      body: JSON.stringify({ q: query, num: Math.min(maxResults, 100) }),
    });
    const body = apiJson(res, 'Serper') as { organic?: { title?: string; link?: string; snippet?: string }[] };
    return (body.organic ?? []).map((r) => ({ title: clean(r.title), url: r.link ?? '', snippet: clean(r.snippet) }));
  },
};

function apiJson(res: WebResponse, engine: string): unknown {
  if (res.status === 401 || res.status === 403) throw new SearchEngineError(`${engine} refused the API key (HTTP ${res.status}).`);
  if (res.status === 429) throw new SearchEngineError(`${engine} rate limit reached (HTTP 429): wait before searching again.`);
  if (res.status >= 400) throw new SearchEngineError(`${engine} answered with an error (HTTP ${res.status}).`);
  try {
    return JSON.parse(decodeBody(res.body, res.charset, false));
  } catch {
    throw new SearchEngineError(`${engine} answered with something that is not JSON.`);
  }
}

/** Results from DuckDuckGo's HTML page: `div.result` blocks (ads excluded), links unwrapped from `/l/?uddg=`. */
export async function parseDuckDuckGo(html: string, maxResults: number): Promise<SearchResult[]> {
  const { document } = (await loadParseHtml())(html);
  const results: SearchResult[] = [];
  for (const el of document.querySelectorAll('div.result')) {
    if (results.length >= maxResults) break;
    if (el.classList.contains('result--ad') || el.classList.contains('result--no-result')) continue;
    const link = el.querySelector('a.result__a');
    const href = link?.getAttribute('href');
    if (!link || !href) continue;
    const url = unwrapRedirect(href);
    if (!url) continue;
    results.push({ title: clean(link.textContent), url, snippet: clean(el.querySelector('.result__snippet')?.textContent) });
  }
  return results;
}

function unwrapRedirect(href: string): string | undefined {
  try {
    const u = new URL(href, 'https://duckduckgo.com');
    const target = u.searchParams.get('uddg');
    if (target) return target;
    // DuckDuckGo's own ad-click URLs have no uddg target.
    if (u.hostname.endsWith('duckduckgo.com')) return undefined;
    return u.href;
  } catch {
    return undefined;
  }
}

function clean(text: string | null | undefined): string {
  return (text ?? '').replace(/<\/?strong>/g, '').replace(/\s+/g, ' ').trim();
}
