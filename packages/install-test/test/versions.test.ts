// The workspace as it will be published: one version line, ranges between our packages that
// what we publish satisfies (patch releases included), and no cycle in what pnpm links.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ROOT, type PackageJson } from './workspace.ts';

interface Manifest extends PackageJson {
  dir: string;
}

function workspaceManifests(): Manifest[] {
  const out: Manifest[] = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, group)).sort()) {
      const file = join(ROOT, group, name, 'package.json');
      if (existsSync(file)) out.push({ ...(JSON.parse(readFileSync(file, 'utf8')) as PackageJson), dir: `${group}/${name}` });
    }
  }
  return out;
}

const manifests = workspaceManifests();
const byName = new Map(manifests.map((m) => [m.name, m]));

/** The range a published package.json will carry: pnpm rewrites `workspace:^` to `^<version>`. */
function publishedRange(range: string, version: string): string {
  if (!range.startsWith('workspace:')) return range;
  const rest = range.slice('workspace:'.length);
  return rest === '*' ? version : rest === '^' || rest === '~' ? `${rest}${version}` : rest;
}

describe('versions and ranges for the first release', () => {
  it('every workspace package is on one version line', () => {
    const versions = new Set(manifests.map((m) => m.version));
    expect([...versions], manifests.map((m) => `${m.name}@${m.version}`).join(', ')).toEqual(['0.1.0']);
  });

  it('every range on one of our packages, as published, accepts its version and its next patch release', () => {
    const problems: string[] = [];
    for (const m of manifests.filter((p) => !p.private)) {
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
        for (const [dep, range] of Object.entries(m[field] ?? {})) {
          const target = byName.get(dep);
          if (!target) continue;
          const published = publishedRange(range, target.version);
          const next = semver.inc(target.version, 'patch')!;
          if (!semver.satisfies(target.version, published) || !semver.satisfies(next, published)) {
            problems.push(`${m.name} ${field} "${dep}": "${range}" (published "${published}") does not accept ${target.version} and ${next}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the workspace graph pnpm links', () => {
  it('has no cycle (pnpm warns "There are cyclic workspace dependencies")', () => {
    // pnpm 12's lockfile holds two YAML documents (pnpm's own, then the workspace's): take the
    // one whose importers are the workspace packages.
    type Lock = { importers?: Record<string, Record<string, Record<string, { version: string }> | undefined>> };
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'pnpm-lock.yaml'), 'utf8')) as { toJS(): unknown }[];
    const lock = docs.map((d) => d.toJS() as Lock).find((d) => d?.importers?.['packages/core']) as Required<Lock>;
    // importer dir → the importer dirs it links (dependencies of every kind).
    const edges = new Map<string, string[]>();
    for (const [dir, importer] of Object.entries(lock.importers)) {
      const links: string[] = [];
      for (const kind of ['dependencies', 'devDependencies', 'optionalDependencies']) {
        for (const { version } of Object.values(importer[kind] ?? {})) {
          if (version.startsWith('link:')) links.push(resolve('/', dir, version.slice('link:'.length)).slice(1));
        }
      }
      edges.set(dir, links);
    }
    // The lockfile does record links: the demo links core.
    expect(edges.get('apps/demo')).toContain('packages/core');
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (dir: string, path: string[]) => {
      if (state.get(dir) === 'done') return;
      if (state.get(dir) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(dir)), dir].join(' → '));
        return;
      }
      state.set(dir, 'visiting');
      for (const next of edges.get(dir) ?? []) visit(next, [...path, dir]);
      state.set(dir, 'done');
    };
    for (const dir of edges.keys()) visit(dir, []);
    expect(cycles).toEqual([]);
  });
});
