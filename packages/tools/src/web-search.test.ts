import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolContext } from '@smol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, serve, type TestServer } from './__fixtures__/serve.ts';
import { parseDuckDuckGo } from './search-engines.ts';
import { webSearch } from './web-search.ts';

const ctx = (signal = new AbortController().signal): ToolContext => ({ signal, runId: 'r', state: {} });
const fixture = (name: string) => readFileSync(join(fixtures, 'search', name));
const json = (name: string) => (_q: unknown, r: import('node:http').ServerResponse) => r.writeHead(200, { 'content-type': 'application/json' }).end(fixture(name));

let s: TestServer;
beforeAll(async () => {
  s = await serve({
    '/html/': (_q, r) => r.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' }).end(fixture('duckduckgo-results.html')),
    '/captcha/': (_q, r) => r.writeHead(202, { 'content-type': 'text/html; charset=UTF-8' }).end(fixture('duckduckgo-captcha.html')),
    '/down/': (_q, r) => r.writeHead(503, { 'content-type': 'text/html' }).end('<h1>Service Unavailable</h1>'),
    '/empty/': (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><div class="results"><div class="no-results">No results.</div></div></body></html>'),
    '/slow/': () => {}, // never answers
    '/res/v1/web/search': json('brave-web-search.json'),
    '/tavily/search': json('tavily-search.json'),
    '/serper/search': json('serper-search.json'),
    '/unauthorized': (_q, r) => r.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid key"}'),
  });
});
afterAll(() => s.close());

const ddg = (path = '/html/', extra = {}) => webSearch({ engine: 'duckduckgo', baseURL: `${s.url}${path}`, allowPrivateNetwork: true, env: {}, queriesPerSecond: 100, ...extra });

describe('web_search on DuckDuckGo (no key)', () => {
  it('parses the HTML results page: titles, unwrapped links, snippets, no ads', async () => {
    const results = await parseDuckDuckGo(fixture('duckduckgo-results.html').toString(), 10);
    expect(results).toHaveLength(5);
    expect(results[0]).toEqual({
      title: 'smolagents - Hugging Face',
      url: 'https://huggingface.co/docs/smolagents/index',
      snippet: 'smolagents is an open-source Python library designed to make it extremely easy to build and run agents using just a few lines of code.',
    });
    expect(results[2].snippet).toContain("Here's a glimpse");
    expect(results.map((r) => r.url).join(' ')).not.toContain('duckduckgo.com');
  });

  it('sends the query and answers a markdown list, cut at maxResults', async () => {
    const out = await ddg('/html/', { maxResults: 2 }).forward({ query: 'smolagents tools' }, ctx());
    expect(new URL(s.requests.at(-1)!.url, s.url).searchParams.get('q')).toBe('smolagents tools');
    expect(out).toBe(
      '## Search Results\n\n' +
        '1. [smolagents - Hugging Face](https://huggingface.co/docs/smolagents/index)\n   smolagents is an open-source Python library designed to make it extremely easy to build and run agents using just a few lines of code.\n' +
        '2. [GitHub - huggingface/smolagents: smolagents: a barebones library for agents ...](https://github.com/huggingface/smolagents)\n   smolagents is a library that enables you to run powerful agents in a few lines of code. It offers: Simplicity: the logic for agents fits in ~1,000 lines of code.',
    );
  });

  it('says so when DuckDuckGo answers with a captcha, an error page, or nothing', async () => {
    expect(await ddg('/captcha/').forward({ query: 'q' }, ctx())).toMatch(/^Error: DuckDuckGo answered with a captcha/);
    expect(await ddg('/down/').forward({ query: 'q' }, ctx())).toBe('Error: DuckDuckGo answered with an error page (HTTP 503).');
    expect(await ddg('/empty/').forward({ query: 'nothing' }, ctx())).toMatch(/^No results found for "nothing"/);
  });

  it('refuses a private engine address unless allowed', async () => {
    const out = await webSearch({ engine: 'duckduckgo', baseURL: `${s.url}/html/`, env: {} }).forward({ query: 'q' }, ctx());
    expect(out).toMatch(/^Error: Refused to connect to 127\.0\.0\.1: it is a loopback address/);
  });

  it('keeps to its rate limit across calls (1 query per second by default)', async () => {
    const search = ddg('/html/', { queriesPerSecond: 5 });
    const before = s.requests.length;
    await Promise.all([search.forward({ query: 'a' }, ctx()), search.forward({ query: 'b' }, ctx()), search.forward({ query: 'c' }, ctx())]);
    const times = s.requests.slice(before).map((r) => r.at);
    expect(times).toHaveLength(3);
    // 5 per second: at least ~200 ms between queries (a little slack for timer granularity).
    expect(times[1] - times[0]).toBeGreaterThan(150);
    expect(times[2] - times[1]).toBeGreaterThan(150);
  });

  it("the run's signal cancels a slow search within 1 s, and the abort propagates", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('cancelled by user')), 100);
    await expect(ddg('/slow/').forward({ query: 'q' }, ctx(controller.signal))).rejects.toThrow('cancelled by user');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('web_search on search APIs (a key in the environment)', () => {
  it('picks Brave when BRAVE_API_KEY is set, and sends the key as its docs say', async () => {
    const search = webSearch({ env: { BRAVE_API_KEY: 'brave-key' }, baseURL: `${s.url}/res/v1/web/search`, allowPrivateNetwork: true });
    const out = await search.forward({ query: 'smolagents' }, ctx());
    const req = s.requests.at(-1)!;
    expect(req.headers['x-subscription-token']).toBe('brave-key');
    expect(new URL(req.url, s.url).searchParams.get('q')).toBe('smolagents');
    expect(out).toContain('1. [smolagents - Hugging Face](https://huggingface.co/docs/smolagents/index)\n   smolagents is an open-source');
    expect(out).toContain('3. [Introducing smolagents, a simple library to build agents](https://huggingface.co/blog/smolagents)');
    expect(out).not.toContain('<strong>');
  });

  it('picks Tavily when TAVILY_API_KEY is set', async () => {
    const search = webSearch({ env: { TAVILY_API_KEY: 'tvly-key' }, baseURL: `${s.url}/tavily/search`, allowPrivateNetwork: true, maxResults: 5 });
    const out = await search.forward({ query: 'smolagents' }, ctx());
    const req = s.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers.authorization).toBe('Bearer tvly-key');
    expect(JSON.parse(req.body.toString())).toMatchObject({ query: 'smolagents', max_results: 5 });
    expect(out).toContain('2. [GitHub - huggingface/smolagents](https://github.com/huggingface/smolagents)');
  });

  it('Serper, chosen explicitly', async () => {
    const search = webSearch({ engine: 'serper', apiKey: 'serper-key', baseURL: `${s.url}/serper/search`, allowPrivateNetwork: true, env: {} });
    const out = await search.forward({ query: 'smolagents' }, ctx());
    expect(s.requests.at(-1)!.headers['x-api-key']).toBe('serper-key');
    expect(out).toContain('1. [smolagents - Hugging Face](https://huggingface.co/docs/smolagents/index)');
  });

  it('a refused key is a text error without the key in it', async () => {
    const search = webSearch({ engine: 'brave', apiKey: 'sk-very-secret', baseURL: `${s.url}/unauthorized`, allowPrivateNetwork: true, env: {} });
    const out = await search.forward({ query: 'q' }, ctx());
    expect(out).toBe('Error: Brave Search refused the API key (HTTP 401).');
  });

  it('an API engine without a key is a configuration error', () => {
    expect(() => webSearch({ engine: 'tavily', env: {} })).toThrow(/needs an API key \(option apiKey or TAVILY_API_KEY\)/);
  });
});
