// Finds the Markdown pages and the TypeScript snippets in them.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One ```ts fence. `line` is the 1-based line of the fence's first code line in `file`. */
export interface Snippet {
  file: string;
  line: number;
  code: string;
  /** From an HTML comment on the line before the fence: `<!-- check: run -->`, `skip`, `continue`. */
  run: boolean;
  skip: boolean;
  /** Appended to the previous snippet of the page (one module), for guides that build up an example. */
  continues: boolean;
}

/** A module to check: one snippet, or a snippet and those that continue it. */
export interface SnippetModule {
  id: string;
  file: string;
  run: boolean;
  parts: Snippet[];
}

const TS_LANGS = new Set(['ts', 'typescript', 'mts']);
const SKIP_DIRS = new Set(['node_modules', '.vitepress', 'api', 'dist', '.snippets']);

/** The pages the checker reads: docs/**.md, the root README and each package's README (repo-relative). */
export function findPages(root: string): string[] {
  const pages: string[] = [];
  if (existsSync(join(root, 'README.md'))) pages.push('README.md');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(path);
      } else if (entry.name.endsWith('.md')) pages.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  for (const group of ['packages', 'apps']) {
    if (!existsSync(join(root, group))) continue;
    for (const pkg of readdirSync(join(root, group)).sort()) {
      const readme = join(group, pkg, 'README.md');
      if (existsSync(join(root, readme))) pages.push(readme);
    }
  }
  return pages.map((p) => relative(root, join(root, p))).sort();
}

/** The TypeScript fences of one page, with the markers of the comment before each. */
export function extractSnippets(file: string, text: string): Snippet[] {
  const lines = text.split(/\r?\n/);
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (end < lines.length && !close.test(lines[end])) end++;
    if (TS_LANGS.has(lang.toLowerCase())) {
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      const markers = markersBefore(lines, i);
      snippets.push({
        file,
        line: i + 2,
        code: body.join('\n'),
        run: markers.has('run'),
        skip: markers.has('skip'),
        continues: markers.has('continue'),
      });
    }
    i = end;
  }
  return snippets;
}

function markersBefore(lines: string[], fenceIndex: number): Set<string> {
  // Blank lines and other HTML comments (e.g. <!-- example:start -->) may stand in between.
  for (let j = fenceIndex - 1; j >= 0; j--) {
    const line = lines[j].trim();
    const m = /^<!--\s*check:\s*([\w\s,-]+?)\s*-->$/.exec(line);
    if (m) return new Set(m[1].split(/[\s,]+/));
    if (line !== '' && !/^<!--.*-->$/.test(line)) break;
  }
  return new Set();
}

/** Groups each page's snippets into modules (`continue` joins a snippet to the one before). */
export function snippetModules(snippets: Snippet[]): SnippetModule[] {
  const modules: SnippetModule[] = [];
  for (const s of snippets) {
    const last = modules.at(-1);
    if (s.continues && last && last.file === s.file) {
      last.parts.push(s);
      last.run ||= s.run;
      continue;
    }
    modules.push({ id: `${s.file}:${s.line}`, file: s.file, run: s.run, parts: [s] });
  }
  return modules.filter((m) => !m.parts[0].skip);
}
