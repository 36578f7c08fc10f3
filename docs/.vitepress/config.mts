import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where a repository Markdown file is published (the `rewrites` below, as a function). */
function published(file: string): string {
  if (file === 'docs/README.md') return 'index.md';
  if (file.startsWith('docs/')) return file.slice('docs/'.length);
  const pkg = /^packages\/([^/]+)\/README\.md$/.exec(file);
  if (pkg) return `packages/${pkg[1]}.md`;
  if (file === 'README.md') return 'project.md';
  return file;
}

type SidebarItem = { text: string; link?: string; items?: SidebarItem[]; collapsed?: boolean };

/** The API reference's sidebar, written by TypeDoc (`pnpm docs` runs it first). */
function apiSidebar(): SidebarItem[] {
  const file = join(repo, 'docs/api/typedoc-sidebar.json');
  if (!existsSync(file)) return [];
  const clean = (item: SidebarItem): SidebarItem => ({
    ...item,
    ...(item.link ? { link: item.link.replace(/\.md$/, '') } : {}),
    ...(item.items ? { items: item.items.map(clean) } : {}),
  });
  return (JSON.parse(readFileSync(file, 'utf8')) as SidebarItem[]).map(clean);
}

const guides = [
  ['Getting started', 'getting-started'],
  ['Async and concurrency', 'async-and-concurrency'],
  ['Models', 'models'],
  ['Tools', 'tools'],
  ['CodeAgent and the sandbox', 'code-agent'],
  ['Human in the loop', 'human-in-the-loop'],
  ['Observability', 'observability'],
  ['Serving and scaling', 'serving'],
  ['Migrating from smolagents', 'migrating-from-smolagents'],
  ['Troubleshooting', 'troubleshooting'],
];
const packages = ['core', 'openai', 'anthropic', 'azure', 'hf', 'litellm-proxy', 'mcp', 'sandbox', 'testing'];

// The pages are the repository's Markdown, as GitHub shows it: docs/, the package READMEs and the
// root documents. Rewrites give them short URLs; links between them are rewritten to match.
export default defineConfig({
  title: 'smol',
  description: 'Async-first agents for TypeScript, in the spirit of smolagents.',
  srcDir: '..',
  srcExclude: ['**/node_modules/**', '**/dist/**', '.changeset/**', 'apps/**', 'packages/*/src/**', 'packages/docs-check/**', 'packages/bench/**', 'packages/providers-scenario/**', 'packages/install-test/**', 'BENCHMARKS.md'],
  rewrites: {
    'docs/README.md': 'index.md',
    'docs/:path(.*)': ':path',
    'packages/:pkg/README.md': 'packages/:pkg.md',
    'README.md': 'project.md',
  },
  cleanUrls: true,
  markdown: {
    // Pages link to each other by their repository paths (so the links work on GitHub): point
    // those links at the published pages.
    config(md) {
      md.core.ruler.push('smol-repo-links', (state) => {
        const file = state.env?.realPath ?? state.env?.path;
        const source = file ? relative(repo, file) : undefined;
        if (!source) return;
        for (const token of state.tokens) {
          for (const child of token.children ?? []) {
            if (child.type !== 'link_open') continue;
            const href = child.attrGet('href');
            if (!href || /^[a-z][a-z0-9+.-]*:|^[#/]/i.test(href)) continue;
            const [path, hash] = href.split('#', 2);
            if (!path.endsWith('.md')) continue;
            const target = published(posix.normalize(posix.join(posix.dirname(source), path)));
            let link = posix.relative(posix.dirname(published(source)), target);
            if (!link.startsWith('.')) link = `./${link}`;
            child.attrSet('href', hash ? `${link}#${hash}` : link);
          }
        }
      });
    },
  },
  lastUpdated: false,
  ignoreDeadLinks: [/BENCHMARKS/],
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'API', link: '/api/' },
      { text: 'Packages', link: '/packages/core' },
    ],
    sidebar: {
      '/api/': [{ text: '@smol/core API', link: '/api/' }, ...apiSidebar()],
      '/': [
        { text: 'Guides', items: guides.map(([text, page]) => ({ text, link: `/guide/${page}` })) },
        { text: 'Packages', collapsed: true, items: packages.map((p) => ({ text: `@smol/${p}`, link: `/packages/${p}` })) },
        { text: 'Project', items: [{ text: 'README', link: '/project' }, { text: 'Architecture', link: '/ARCHITECTURE' }] },
      ],
    },
    search: { provider: 'local' },
    outline: [2, 3],
  },
});
