import { AgentConfigError, tool, type Tool } from '@smol/core';
import { z } from 'zod';
import { failureText } from './errors.ts';
import { htmlToMarkdown, loadParseHtml } from './html.ts';
import { decodeBody } from './net/decode.ts';
import { WebClient, type NetworkOptions, type WebResponse } from './net/web-client.ts';
import { truncate } from './text.ts';

export interface WikipediaSearchOptions extends NetworkOptions {
  /** Wikipedia's language edition, e.g. 'en', 'fr', 'de'. Default 'en'. */
  language?: string;
  /** 'summary' (default): the lead section; 'text': the whole article as markdown. */
  contentType?: 'summary' | 'text';
  /**
   * Wikipedia asks every client to identify itself with a contact (https://meta.wikimedia.org/wiki/User-Agent_policy),
   * e.g. 'MyAgent/1.0 (https://example.org; me@example.org)'.
   */
  userAgent?: string;
  /** The site; `{lang}` is replaced by the language. Default 'https://{lang}.wikipedia.org'. */
  baseURL?: string;
  /** Characters returned for full text. Default 40 000. */
  maxChars?: number;
  client?: WebClient;
}

interface SearchPage {
  key: string;
  title: string;
}

/** `wikipedia_search`: finds the Wikipedia article that best matches a query and returns its summary or text. */
export function wikipediaSearch(options: WikipediaSearchOptions = {}): Tool<{ query: string }, string> {
  const language = options.language ?? 'en';
  if (!/^[a-z][a-z0-9-]{1,15}$/.test(language)) throw new AgentConfigError(`wikipediaSearch: "${language}" is not a Wikipedia language code.`);
  const contentType = options.contentType ?? 'summary';
  const site = (options.baseURL ?? 'https://{lang}.wikipedia.org').replace('{lang}', language).replace(/\/+$/, '');
  const userAgent = options.userAgent ?? 'smol-tools/0.1 (https://www.npmjs.com/package/@smol/tools) smol-agent';
  const client = options.client ?? new WebClient({ ...options, userAgent });
  const maxChars = options.maxChars ?? 40_000;
  const headers = { 'user-agent': userAgent, 'api-user-agent': userAgent, accept: 'application/json' };

  const getJson = async (url: string, signal: AbortSignal): Promise<{ res: WebResponse; json: unknown }> => {
    const res = await client.fetch(url, { signal, headers });
    if (res.status === 404) return { res, json: undefined };
    if (res.status >= 400) throw new Error(`Wikipedia answered HTTP ${res.status}.`);
    return { res, json: JSON.parse(decodeBody(res.body, res.charset, false)) };
  };

  return tool({
    name: 'wikipedia_search',
    description: `Searches Wikipedia (${language}) and returns the ${contentType === 'summary' ? 'summary' : 'full text'} of the best-matching article, with its link.`,
    inputSchema: z.object({ query: z.string().min(1).describe('The topic to search on Wikipedia.') }),
    outputType: 'string',
    async execute({ query }, { signal }) {
      try {
        const found = await getJson(`${site}/w/rest.php/v1/search/page?${new URLSearchParams({ q: query, limit: '1' })}`, signal);
        const page = (found.json as { pages?: SearchPage[] } | undefined)?.pages?.[0];
        if (!page) return `No Wikipedia page found for "${query}". Try a different query.`;
        const pageUrl = `https://${language}.wikipedia.org/wiki/${encodeURIComponent(page.key)}`;
        if (contentType === 'summary') {
          const { json } = await getJson(`${site}/api/rest_v1/page/summary/${encodeURIComponent(page.key)}`, signal);
          const summary = json as { title?: string; extract?: string; content_urls?: { desktop?: { page?: string } } } | undefined;
          if (!summary?.extract) return `No Wikipedia page found for "${query}".`;
          return `# ${summary.title ?? page.title}\n\n${summary.extract}\n\nRead more: ${summary.content_urls?.desktop?.page ?? pageUrl}`;
        }
        const res = await client.fetch(`${site}/w/rest.php/v1/page/${encodeURIComponent(page.key)}/html`, { signal, headers: { ...headers, accept: 'text/html' } });
        if (res.status >= 400) return `Error: Wikipedia answered HTTP ${res.status} for the page "${page.title}".`;
        const { document } = (await loadParseHtml())(decodeBody(res.body, res.charset, true));
        for (const el of document.querySelectorAll('style, script, link, .mw-editsection, sup.reference, .navbox, .metadata, table.infobox')) el.remove();
        const markdown = await htmlToMarkdown(document.body?.innerHTML ?? document.toString());
        return truncate(`# ${page.title}\n\nSource: ${pageUrl}\n\n${markdown}`, maxChars);
      } catch (error) {
        return failureText(error, signal);
      }
    },
  });
}
