// The whole check as data: pages, snippet modules, compiler errors, broken links.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractSnippets, findPages, snippetModules } from './extract.ts';
import { checkLinks, type BrokenLink } from './links.ts';
import { readPendingRename, typecheck, writeModules, type PendingRename, type SnippetDiagnostic, type WrittenModule } from './typecheck.ts';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ROOT = join(PACKAGE_DIR, '../..');

export interface DocsReport {
  pages: string[];
  modules: WrittenModule[];
  skipped: number;
  diagnostics: SnippetDiagnostic[];
  links: BrokenLink[];
  pending?: PendingRename;
  ms: number;
}

export function checkDocs(root = ROOT): DocsReport {
  const started = performance.now();
  const pages = findPages(root);
  const snippets = pages.flatMap((page) => extractSnippets(page, readFileSync(join(root, page), 'utf8')));
  const all = snippetModules(snippets);
  const skipped = snippets.filter((s) => s.skip).length;
  const modules = writeModules(join(PACKAGE_DIR, '.snippets'), all);
  const pending = readPendingRename(join(PACKAGE_DIR, 'pending-rename.json'));
  const diagnostics = typecheck(root, modules, pending);
  const links = pages.flatMap((page) => checkLinks(root, page));
  return { pages, modules, skipped, diagnostics, links, pending, ms: Math.round(performance.now() - started) };
}

/** The report as text: one line per problem, `page:line`. */
export function formatReport(r: DocsReport): string {
  const errors = r.diagnostics.filter((d) => !d.pendingRename);
  const pending = r.diagnostics.filter((d) => d.pendingRename);
  const out = [
    `${r.pages.length} pages, ${r.modules.length} snippet modules (${r.modules.filter((m) => m.run).length} runnable, ${r.skipped} marked skip), checked in ${r.ms} ms`,
  ];
  if (errors.length) out.push(`\n${errors.length} type error(s):`, ...errors.map((d) => `  ${d.file}:${d.line}  ${d.message.replace(/\n/g, '\n    ')}`));
  if (pending.length) {
    out.push(`\n${pending.length} snippet(s) wait for a pending rename (${r.pending?.note ?? ''}):`);
    out.push(...pending.map((d) => `  ${d.file}:${d.line}  option '${d.pendingRename}'`));
  }
  if (r.links.length) out.push(`\n${r.links.length} broken link(s):`, ...r.links.map((l) => `  ${l.file}:${l.line}  ${l.target}: ${l.reason}`));
  if (!errors.length && !r.links.length) out.push('no errors');
  return out.join('\n');
}
