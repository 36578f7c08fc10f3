import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDocs, formatReport } from './check.ts';

// One TypeScript program for every snippet, built once for the whole file.
const report = checkDocs();
const failing = new Set(report.diagnostics.map((d) => d.moduleId));

describe('documentation', () => {
  it('finds the pages and their snippets', () => {
    expect(report.pages).toContain('README.md');
    expect(report.modules.length).toBeGreaterThan(0);
  });

  it('every TypeScript snippet type-checks against the workspace packages', () => {
    const errors = report.diagnostics.filter((d) => !d.pendingRename);
    expect(errors, formatReport(report)).toEqual([]);
  });

  it('pending-rename.json lists only renames that are still pending', () => {
    // Once the code has the new names, no snippet fails on them: delete pending-rename.json.
    if (!report.pending) return;
    const used = new Set(report.diagnostics.flatMap((d) => (d.pendingRename ? [d.pendingRename] : [])));
    expect(used.size, 'no snippet waits for a rename any more: delete packages/docs-check/pending-rename.json').toBeGreaterThan(0);
  });

  it('API names in the text exist, and no stray HTML tag breaks the site', () => {
    expect(report.prose, formatReport(report)).toEqual([]);
  });

  it('relative links between pages resolve', () => {
    expect(report.links, formatReport(report)).toEqual([]);
  });
});

describe('runnable snippets run against the simulated model', () => {
  const runnable = report.modules.filter((m) => m.run);
  for (const m of runnable) {
    // A snippet that does not compile (e.g. one waiting for a rename) is reported above, not run.
    it.skipIf(failing.has(m.id))(m.id, async (ctx) => {
      (ctx.task.meta as { allowConsole?: boolean }).allowConsole = true;
      await import(pathToFileURL(m.path).href);
    }, 30_000);
  }
});
