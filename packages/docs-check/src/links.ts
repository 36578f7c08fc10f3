// Checks relative links between pages: the target exists, and a #fragment names a heading there.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: string;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2… for repeats. */
export function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** Relative links of `file` (repo-relative) that do not resolve. External and absolute links are not checked. */
export function checkLinks(root: string, file: string): BrokenLink[] {
  const text = readFileSync(join(root, file), 'utf8');
  const broken: BrokenLink[] = [];
  let inFence = false;
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) inFence = !inFence;
    if (inFence) return;
    const code = line.replace(/`[^`]*`/g, '');
    for (const m of code.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/')) continue;
      const [path, fragment] = target.split('#', 2);
      const resolved = path ? join(dirname(file), decodeURIComponent(path)) : file;
      const at = { file, line: i + 1, target };
      if (!existsSync(join(root, resolved))) {
        broken.push({ ...at, reason: `${relative(root, join(root, resolved))} does not exist` });
        continue;
      }
      if (fragment && resolved.endsWith('.md') && statSync(join(root, resolved)).isFile()) {
        if (!headingSlugs(readFileSync(join(root, resolved), 'utf8')).has(fragment)) {
          broken.push({ ...at, reason: `no heading #${fragment} in ${resolved}` });
        }
      }
    }
  });
  return broken;
}
