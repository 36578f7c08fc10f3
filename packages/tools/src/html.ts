import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import TurndownService from 'turndown';

let turndown: TurndownService | undefined;

function converter(): TurndownService {
  if (turndown) return turndown;
  const t = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
  t.remove(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas', 'form', 'button', 'select', 'input'] as never);
  // Inline images as data: URIs are bytes, not content.
  t.addRule('dataImages', {
    filter: (node) => node.nodeName === 'IMG' && /^data:/i.test(node.getAttribute('src') ?? ''),
    replacement: () => '',
  });
  turndown = t;
  return t;
}

/** Markdown from HTML, with runs of blank lines collapsed. */
export function htmlToMarkdown(html: string): string {
  return converter()
    .turndown(html)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface Article {
  title: string;
  byline: string | undefined;
  markdown: string;
}

const NOISE = 'script, style, noscript, template, nav, header, footer, aside, form, iframe, svg';

/**
 * The main content of a page, as Firefox's reader view finds it (Readability on a linkedom DOM),
 * or, when Readability finds no article, the body without scripts, styles and navigation.
 */
export function extractArticle(html: string, url: string): Article {
  const { document } = parseHTML(html);
  // linkedom has no baseURI; Readability reads it to make links absolute.
  const base = document.querySelector('base[href]')?.getAttribute('href');
  let baseUrl = url;
  try {
    if (base) baseUrl = new URL(base, url).href;
  } catch {
    // a bad <base> keeps the page URL
  }
  Object.defineProperty(document, 'baseURI', { value: baseUrl, configurable: true });
  Object.defineProperty(document, 'documentURI', { value: url, configurable: true });
  const pageTitle = document.querySelector('title')?.textContent?.trim() ?? '';
  let article: ReturnType<Readability['parse']> = null;
  try {
    article = new Readability(document as unknown as Document, { charThreshold: 200 }).parse();
  } catch {
    article = null;
  }
  if (article?.content && (article.textContent ?? '').trim().length > 0) {
    return { title: article.title?.trim() || pageTitle, byline: article.byline?.trim() || undefined, markdown: htmlToMarkdown(article.content) };
  }
  // Readability changes the document it parses: start again from the source.
  const fresh = parseHTML(html).document;
  for (const el of fresh.querySelectorAll(NOISE)) el.remove();
  const body = fresh.body ?? fresh.documentElement;
  return { title: pageTitle, byline: undefined, markdown: body ? htmlToMarkdown(body.innerHTML) : '' };
}
