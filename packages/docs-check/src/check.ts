// The whole check as data: pages, snippet modules, compiler errors, broken links.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractSnippets, findPages, snippetModules } from './extract.ts';
import { checkLinks, type BrokenLink } from './links.ts';
import { checkProse, type ProseProblem } from './prose.ts';
import { readPendingRename, typecheck, writeExportsModule, writeModules, type PendingRename, type SnippetDiagnostic, type WrittenModule } from './typecheck.ts';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ROOT = join(PACKAGE_DIR, '../..');

export interface DocsReport {
  pages: string[];
  modules: WrittenModule[];
  skipped: number;
  diagnostics: SnippetDiagnostic[];
  links: BrokenLink[];
  prose: ProseProblem[];
  pending?: PendingRename;
  ms: number;
}

export function checkDocs(root = ROOT): DocsReport {
  const started = performance.now();
  const pages = findPages(root);
  const snippets = pages.flatMap((page) => extractSnippets(page, readFileSync(join(root, page), 'utf8')));
  const all = snippetModules(snippets);
  const skipped = snippets.filter((s) => s.skip).length;
  const dir = join(PACKAGE_DIR, '.snippets');
  const modules = writeModules(dir, all);
  const pending = readPendingRename(join(PACKAGE_DIR, 'pending-rename.json'));
  const exportsModule = writeExportsModule(dir, smolPackages());
  const { diagnostics, exportedNames } = typecheck(root, modules, pending, exportsModule);
  const links = pages.flatMap((page) => checkLinks(root, page));
  const prose = pages.flatMap((page) => checkProse(page, readFileSync(join(root, page), 'utf8'), exportedNames));
  return { pages, modules, skipped, diagnostics, links, prose, pending, ms: Math.round(performance.now() - started) };
}

/** The @smol packages this package depends on: the ones the docs may use. */
function smolPackages(): string[] {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  // Each package's entries: the root and its subpaths (`@smol/core/provider`, …).
  return Object.keys(pkg.devDependencies)
    .filter((name) => name.startsWith('@smol/'))
    .flatMap((name) => {
      const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
      const subpaths = Object.keys(manifest.exports ?? {}).filter((key) => key.startsWith('./') && key !== './package.json');
      return [name, ...subpaths.map((key) => `${name}${key.slice(1)}`)];
    });
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
  if (r.prose.length) out.push(`\n${r.prose.length} problem(s) in the text:`, ...r.prose.map((p) => `  ${p.file}:${p.line}  ${p.message}`));
  if (!errors.length && !r.links.length && !r.prose.length) out.push('no errors');
  return out.join('\n');
}
