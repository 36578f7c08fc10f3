import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolContext } from '@smol/core';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alnum, fixtures, serve, type TestServer } from './__fixtures__/serve.ts';
import { visitWebpage } from './visit-webpage.ts';

const ctx = (signal = new AbortController().signal): ToolContext => ({ signal, runId: 'r', state: {} });
const pagesDir = join(fixtures, 'readability');
const pages = readdirSync(pagesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

let server: TestServer;
beforeAll(async () => {
  server = await serve();
  for (const name of pages) {
    const html = readFileSync(join(pagesDir, name, 'source.html'));
    server.route(`/${name}/`, (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  }
});
afterAll(() => server.close());

const visit = visitWebpage({ allowPrivateNetwork: true });

describe('visit_webpage on real pages (a sample of mozilla/readability test pages)', () => {
  it('has a sample of 10-20 pages', () => expect(pages.length).toBeGreaterThanOrEqual(10));

  it.each(pages)('%s: the title and body come through, scripts, styles and navigation do not', async (name) => {
    const meta = JSON.parse(readFileSync(join(pagesDir, name, 'expected-metadata.json'), 'utf8'));
    const expected = parseHTML(readFileSync(join(pagesDir, name, 'expected.html'), 'utf8')).document;
    const source = parseHTML(readFileSync(join(pagesDir, name, 'source.html'), 'utf8')).document;
    const out = await visit.forward({ url: `${server.url}/${name}/` }, ctx());
    // Compare words only: link targets, markdown syntax and whitespace removed.
    const text = alnum(out.replace(/!?\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)/g, '$1'));

    expect(out.startsWith(`# `)).toBe(true);
    expect(text).toContain(alnum(meta.title));
    // The body: the first, the middle and the last substantial paragraphs of what Readability should extract.
    const paragraphs = [...expected.querySelectorAll('p, li, pre, td')].map((p) => alnum(p.textContent ?? '')).filter((t) => t.length > 60);
    expect(paragraphs.length).toBeGreaterThan(0);
    for (const p of [paragraphs[0], paragraphs[paragraphs.length >> 1], paragraphs[paragraphs.length - 1]]) expect(text).toContain(p.slice(0, 80));

    const expectedText = alnum(expected.body?.textContent ?? expected.toString());
    const absent = (snippet: string) => snippet.length >= 30 && !expectedText.includes(snippet);
    for (const el of source.querySelectorAll('script, style')) {
      const code = alnum(el.textContent ?? '').slice(0, 60);
      if (absent(code)) expect(text, `${el.tagName} content leaked`).not.toContain(code);
    }
    for (const el of source.querySelectorAll('nav')) {
      const nav = alnum(el.textContent ?? '').slice(0, 60);
      if (absent(nav)) expect(text, 'navigation leaked').not.toContain(nav);
    }
    expect(out).not.toMatch(/<script|<style/i);
  });
});

describe('visit_webpage content types and limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await serve({
      '/latin1': (_q, r) => r.writeHead(200, { 'content-type': 'text/html; charset=windows-1252' }).end(Buffer.from('<html><head><title>Caf\xe9</title></head><body><p>Cr\xe8me br\xfbl\xe9e \x80 5</p></body></html>', 'latin1')),
      '/meta-charset': (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.from('<html><head><meta charset="iso-8859-1"><title>x</title></head><body><p>na\xefve fa\xe7ade</p></body></html>', 'latin1')),
      '/text': (_q, r) => r.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('just *plain* text\nline two'),
      '/json': (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"a":[1,2,3]}'),
      '/pdf': (_q, r) => r.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.alloc(3000, 1)),
      '/long': (_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(50_000)),
      '/redirect': (_q, r) => r.writeHead(302, { location: '/text' }).end(),
      '/loop': (_q, r) => r.writeHead(302, { location: '/loop' }).end(),
      '/missing': (_q, r) => r.writeHead(404, { 'content-type': 'text/html' }).end('<h1>gone</h1>'),
      '/slow': (_q, r) => {
        r.writeHead(200, { 'content-type': 'text/html' });
        r.write('<html><body>'); // and never finishes
      },
    });
  });
  afterAll(() => s.close());

  it('decodes the charset of the header, or of a <meta> tag', async () => {
    expect(await visit.forward({ url: `${s.url}/latin1` }, ctx())).toContain('Crème brûlée € 5');
    expect(await visit.forward({ url: `${s.url}/meta-charset` }, ctx())).toContain('naïve façade');
  });

  it('passes plain text and JSON through, and says what other types are', async () => {
    expect(await visit.forward({ url: `${s.url}/text` }, ctx())).toBe('just *plain* text\nline two');
    expect(await visit.forward({ url: `${s.url}/json` }, ctx())).toBe('{"a":[1,2,3]}');
    const pdf = await visit.forward({ url: `${s.url}/pdf` }, ctx());
    expect(pdf).toMatch(/is not a web page: it is a PDF document \(application\/pdf\) \(3 KiB\)/);
  });

  it('truncates at 40,000 characters by default with a note, and caps the body bytes', async () => {
    const out = await visit.forward({ url: `${s.url}/long` }, ctx());
    expect(out.startsWith('x'.repeat(40_000) + '\n')).toBe(true);
    expect(out).toContain('truncated to stay below 40000 characters');
    const capped = await visitWebpage({ allowPrivateNetwork: true, maxBytes: 1000 }).forward({ url: `${s.url}/long` }, ctx());
    expect(capped).toContain('x'.repeat(1000));
    expect(capped).not.toContain('x'.repeat(1001));
    expect(capped).toContain('larger than 1000 bytes');
  });

  it('follows redirects, bounded', async () => {
    expect(await visit.forward({ url: `${s.url}/redirect` }, ctx())).toBe('just *plain* text\nline two');
    expect(await visit.forward({ url: `${s.url}/loop` }, ctx())).toMatch(/^Error: Too many redirects \(more than 5\)/);
  });

  it('reports HTTP errors and unreachable hosts as text', async () => {
    expect(await visit.forward({ url: `${s.url}/missing` }, ctx())).toMatch(/answered HTTP 404 Not Found/);
    const closed = await serve();
    const url = closed.url;
    await closed.close();
    expect(await visit.forward({ url }, ctx())).toMatch(/^Error: Could not fetch .*: the connection was refused/);
    expect(await visit.forward({ url: 'not a url' }, ctx())).toMatch(/^Error: "not a url" is not a valid URL/);
  });

  it('times out with a text error', async () => {
    const quick = visitWebpage({ allowPrivateNetwork: true, timeoutMs: 200 });
    expect(await quick.forward({ url: `${s.url}/slow` }, ctx())).toBe('Error: The request timed out after 200 ms.');
  });

  it("the run's signal cancels a slow page within 1 s, and the abort propagates", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('user cancelled')), 100);
    await expect(visit.forward({ url: `${s.url}/slow` }, ctx(controller.signal))).rejects.toThrow('user cancelled');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
