import { AgentConfigError, RateLimiter, tool, type Tool } from '@smol/core';
import { z } from 'zod';
import { failureText } from './errors.ts';
import { ENGINE_BASE_URLS, ENGINE_KEY_ENV, ENGINES, SearchEngineError, type SearchEngineName, type SearchResult } from './search-engines.ts';
import { WebClient, type NetworkOptions } from './net/web-client.ts';

export interface WebSearchOptions extends NetworkOptions {
  /**
   * 'auto' (default): the first API engine whose key is set (BRAVE_API_KEY, TAVILY_API_KEY,
   * SERPER_API_KEY, in that order), else DuckDuckGo's HTML page, which needs no key.
   */
  engine?: 'auto' | SearchEngineName;
  /** The API key; default the engine's environment variable. */
  apiKey?: string;
  /** The engine's endpoint, e.g. a proxy or a local test server. */
  baseURL?: string;
  /** Results returned. Default 10. */
  maxResults?: number;
  /** Queries per second this tool sends, across all runs that share it. Default 1. */
  queriesPerSecond?: number;
  /** Environment to read keys from. Default process.env. */
  env?: Record<string, string | undefined>;
  client?: WebClient;
}

/** `web_search`: a web search, results as a markdown list of title, link and snippet. */
export function webSearch(options: WebSearchOptions = {}): Tool<{ query: string }, string> {
  const env = options.env ?? process.env;
  const engine = pickEngine(options.engine ?? 'auto', env);
  const apiKey = engine === 'duckduckgo' ? undefined : (options.apiKey ?? env[ENGINE_KEY_ENV[engine]]);
  if (engine !== 'duckduckgo' && !apiKey) {
    throw new AgentConfigError(`webSearch: the ${engine} engine needs an API key (option apiKey or ${ENGINE_KEY_ENV[engine]}).`);
  }
  const maxResults = options.maxResults ?? 10;
  const qps = options.queriesPerSecond ?? 1;
  if (!(maxResults >= 1) || !(qps > 0)) throw new AgentConfigError('webSearch: maxResults and queriesPerSecond must be positive.');
  const limiter = new RateLimiter({ requestsPerMinute: qps * 60, burst: 1 });
  const client = options.client ?? new WebClient(options);
  const baseURL = options.baseURL ?? ENGINE_BASE_URLS[engine];
  const search = ENGINES[engine];
  return tool({
    name: 'web_search',
    description: 'Performs a web search for a query and returns a markdown list of the top results: title, link and snippet.',
    inputSchema: z.object({ query: z.string().min(1).describe('The search query to perform.') }),
    outputType: 'string',
    async execute({ query }, { signal }) {
      try {
        await limiter.acquire({ signal });
        const results = await search({ query, maxResults, signal, client, baseURL, apiKey });
        return formatResults(query, results.slice(0, maxResults));
      } catch (error) {
        if (SearchEngineError.isInstance(error) && !signal.aborted) return `Error: ${error.message}`;
        return failureText(error, signal);
      }
    },
  });
}

function pickEngine(engine: 'auto' | SearchEngineName, env: Record<string, string | undefined>): SearchEngineName {
  if (engine !== 'auto') {
    if (!(engine in ENGINES)) throw new AgentConfigError(`webSearch: unknown engine "${engine}" (duckduckgo, brave, tavily or serper).`);
    return engine;
  }
  for (const name of ['brave', 'tavily', 'serper'] as const) if (env[ENGINE_KEY_ENV[name]]) return name;
  return 'duckduckgo';
}

export function formatResults(query: string, results: SearchResult[]): string {
  if (results.length === 0) return `No results found for "${query}". Try a shorter or less specific query.`;
  const lines = results.map((r, i) => `${i + 1}. [${r.title || r.url}](${r.url})${r.snippet ? `\n   ${r.snippet}` : ''}`);
  return `## Search Results\n\n${lines.join('\n')}`;
}
