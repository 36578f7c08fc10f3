import type { ToolContext } from '@smol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type TestServer } from './__fixtures__/serve.ts';
import { wikipediaSearch } from './wikipedia-search.ts';

const ctx = (): ToolContext => ({ signal: new AbortController().signal, runId: 'r', state: {} });

// Shapes from the Wikimedia REST APIs: /w/rest.php/v1/search/page, /api/rest_v1/page/summary, /w/rest.php/v1/page/{key}/html.
let s: TestServer;
beforeAll(async () => {
  s = await serve({
    '/fr/w/rest.php/v1/search/page': (q, r) => {
      const query = new URL(q.url!, 'http://x').searchParams.get('q');
      const pages = query === 'nothing at all' ? [] : [{ id: 681159, key: 'Tour_Eiffel', title: 'Tour Eiffel', excerpt: 'La <span class="searchmatch">tour</span> Eiffel', description: 'tour métallique à Paris', thumbnail: null }];
      r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pages }));
    },
    '/fr/api/rest_v1/page/summary/Tour_Eiffel': (_q, r) =>
      r.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(
        JSON.stringify({
          type: 'standard',
          title: 'Tour Eiffel',
          displaytitle: '<span class="mw-page-title-main">Tour Eiffel</span>',
          extract: 'La tour Eiffel est une tour de fer puddlé de 330 m de hauteur située à Paris.',
          content_urls: { desktop: { page: 'https://fr.wikipedia.org/wiki/Tour_Eiffel' } },
        }),
      ),
    '/fr/w/rest.php/v1/page/Tour_Eiffel/html': (_q, r) =>
      r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        '<!DOCTYPE html><html><head><style>.x{color:red}</style></head><body><section><h2>Histoire<span class="mw-editsection">[modifier]</span></h2><p>Construite par <a href="./Gustave_Eiffel">Gustave Eiffel</a> pour 1889.<sup class="reference">[1]</sup></p></section></body></html>',
      ),
  });
});
afterAll(() => s.close());

const wiki = (extra = {}) => wikipediaSearch({ language: 'fr', baseURL: `${s.url}/{lang}`, allowPrivateNetwork: true, userAgent: 'TestAgent/1.0 (test@example.org)', ...extra });

describe('wikipedia_search', () => {
  it('returns the summary of the best match, in the chosen language, identifying itself', async () => {
    const out = await wiki().forward({ query: 'tour eiffel' }, ctx());
    expect(out).toBe('# Tour Eiffel\n\nLa tour Eiffel est une tour de fer puddlé de 330 m de hauteur située à Paris.\n\nRead more: https://fr.wikipedia.org/wiki/Tour_Eiffel');
    for (const req of s.requests.slice(-2)) expect(req.headers['user-agent']).toBe('TestAgent/1.0 (test@example.org)');
    expect(new URL(s.requests.at(-2)!.url, s.url).searchParams.get('q')).toBe('tour eiffel');
  });

  it('returns the full text as markdown without edit links or reference marks', async () => {
    const out = await wiki({ contentType: 'text' }).forward({ query: 'tour eiffel' }, ctx());
    expect(out).toBe('# Tour Eiffel\n\nSource: https://fr.wikipedia.org/wiki/Tour_Eiffel\n\n## Histoire\n\nConstruite par [Gustave Eiffel](./Gustave_Eiffel) pour 1889.');
  });

  it('says when nothing matches', async () => {
    expect(await wiki().forward({ query: 'nothing at all' }, ctx())).toBe('No Wikipedia page found for "nothing at all". Try a different query.');
  });

  it('rejects a language that is not a code', () => {
    expect(() => wikipediaSearch({ language: 'fr.evil.com/x' })).toThrow(/not a Wikipedia language code/);
  });
});
