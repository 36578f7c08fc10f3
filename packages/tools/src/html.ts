import type TurndownService from 'turndown';

// The parsers load on first use: importing the toolbox stays cheap for tools that never parse HTML.
let linkedom: Promise<typeof import('linkedom')> | undefined;
let readability: Promise<typeof import('@mozilla/readability')> | undefined;
let turndown: Promise<TurndownService> | undefined;

/** linkedom's parseHTML, loaded once. */
export async function loadParseHtml(): Promise<(typeof import('linkedom'))['parseHTML']> {
  return (await (linkedom ??= import('linkedom'))).parseHTML;
}

function converter(): Promise<TurndownService> {
  return (turndown ??= import('turndown').then((m) => createConverter(m.default)));
}

function createConverter(TurndownCtor: typeof TurndownService): TurndownService {
  const t = new TurndownCtor({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
  t.remove(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas', 'form', 'button', 'select', 'input'] as never);
  // Inline images as data: URIs are bytes, not content.
  t.addRule('dataImages', {
    filter: (node) => node.nodeName === 'IMG' && /^data:/i.test(node.getAttribute('src') ?? ''),
    replacement: () => '',
  });
  return t;
}

/** Markdown from HTML, with runs of blank lines collapsed. */
export async function htmlToMarkdown(html: string): Promise<string> {
  return (await converter())
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
export async function extractArticle(html: string, url: string): Promise<Article> {
  const parseHTML = await loadParseHtml();
  const { Readability } = await (readability ??= import('@mozilla/readability'));
  const { document } = parseHTML(html);
  // linkedom has no baseURI; Readability reads it to make links absolute.
  const base = document.querySelector('base[href]')?.getAttribute('href');
  let baseURL = url;
  try {
    if (base) baseURL = new URL(base, url).href;
  } catch {
    // a bad <base> keeps the page URL
  }
  Object.defineProperty(document, 'baseURI', { value: baseURL, configurable: true });
  Object.defineProperty(document, 'documentURI', { value: url, configurable: true });
  const pageTitle = document.querySelector('title')?.textContent?.trim() ?? '';
  let article: { title?: string | null; byline?: string | null; content?: string | null; textContent?: string | null } | null = null;
  try {
    article = new Readability(document as unknown as Document, { charThreshold: 200 }).parse();
  } catch {
    article = null;
  }
  if (article?.content && (article.textContent ?? '').trim().length > 0) {
    return { title: article.title?.trim() || pageTitle, byline: article.byline?.trim() || undefined, markdown: await htmlToMarkdown(String(article.content)) };
  }
  // Readability changes the document it parses: start again from the source.
  const fresh = parseHTML(html).document;
  for (const el of fresh.querySelectorAll(NOISE)) el.remove();
  const body = fresh.body ?? fresh.documentElement;
  return { title: pageTitle, byline: undefined, markdown: body ? await htmlToMarkdown(body.innerHTML) : '' };
}
