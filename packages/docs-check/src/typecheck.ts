// Type-checks every snippet module in one TypeScript program against the workspace sources.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { SnippetModule } from './extract.ts';

/** A compiler error, placed at its line in the Markdown page. */
export interface SnippetDiagnostic {
  moduleId: string;
  file: string;
  line: number;
  message: string;
  /** The error names an option that a pending rename adds (see pending-rename.json). */
  pendingRename?: string;
}

export interface WrittenModule extends SnippetModule {
  /** The generated .ts file. */
  path: string;
  /** Generated line (0-based) → page line (1-based). */
  lineMap: number[];
}

export interface PendingRename {
  /** Where the rename is tracked. */
  note: string;
  /** Option names the docs already use that the code does not have yet. */
  names: string[];
}

export function readPendingRename(path: string): PendingRename | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PendingRename;
  } catch {
    return undefined;
  }
}

/** Writes each module to `dir` as its own .ts file (a fresh directory each time). */
export function writeModules(dir: string, modules: SnippetModule[]): WrittenModule[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return modules.map((m, index) => {
    const lines: string[] = [];
    const lineMap: number[] = [];
    for (const part of m.parts) {
      part.code.split('\n').forEach((text, i) => {
        lines.push(text);
        lineMap.push(part.line + i);
      });
    }
    // Every snippet is a module of its own (top-level await, no shared globals).
    lines.push('export {};');
    lineMap.push(m.parts.at(-1)!.line);
    const name = `${String(index).padStart(3, '0')}-${m.id.replace(/[^a-zA-Z0-9]+/g, '-')}.ts`;
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    return { ...m, path, lineMap };
  });
}

export function compilerOptions(root: string): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2023,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.esnext.disposable.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    // Resolve @smol/* to their sources, so the docs follow the code without a build.
    customConditions: ['@smol/source'],
    allowImportingTsExtensions: true,
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    isolatedModules: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules/@types')],
  };
}

/** A module re-exporting each package, so the same program lists every public name. */
export function writeExportsModule(dir: string, packages: string[]): string {
  const path = join(dir, 'package-exports.ts');
  writeFileSync(path, packages.map((p, i) => `export * as p${i} from '${p}';`).join('\n') + '\n');
  return path;
}

export interface TypecheckResult {
  diagnostics: SnippetDiagnostic[];
  /** Every name the packages export (what prose may mention in backticks). */
  exportedNames: Set<string>;
}

/** One program for all modules; errors of the snippet files only, mapped to page lines. */
export function typecheck(root: string, modules: WrittenModule[], pending?: PendingRename, exportsModule?: string): TypecheckResult {
  const rootNames = modules.map((m) => m.path);
  if (exportsModule) rootNames.push(exportsModule);
  const program = ts.createProgram({ rootNames, options: compilerOptions(root) });
  const exportedNames = new Set<string>();
  const exportsSource = exportsModule ? program.getSourceFile(exportsModule) : undefined;
  if (exportsSource) {
    const checker = program.getTypeChecker();
    for (const statement of exportsSource.statements) {
      if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier) continue;
      const moduleSymbol = checker.getSymbolAtLocation(statement.moduleSpecifier);
      if (moduleSymbol) for (const s of checker.getExportsOfModule(moduleSymbol)) exportedNames.add(s.name);
    }
  }
  const renamed = new Set(pending?.names ?? []);
  const out: SnippetDiagnostic[] = [];
  for (const m of modules) {
    const source = program.getSourceFile(m.path);
    if (!source) throw new Error(`TypeScript did not load ${m.path}`);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const d of diagnostics) {
      const at = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const diag: SnippetDiagnostic = { moduleId: m.id, file: m.file, line: m.lineMap[Math.min(at, m.lineMap.length - 1)], message };
      // "Object literal may only specify known properties, and 'baseURL' does not exist in type …"
      const unknown = d.code === 2353 || d.code === 2561 ? /'([^']+)' does not exist/.exec(message)?.[1] : undefined;
      if (unknown && renamed.has(unknown)) diag.pendingRename = unknown;
      out.push(diag);
    }
  }
  return { diagnostics: out, exportedNames };
}
