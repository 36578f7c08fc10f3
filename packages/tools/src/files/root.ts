import { AgentError } from '@smol/core';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A path the model gave that leads outside the root; the message is for the model. */
export class PathOutsideRootError extends AgentError {
  static override readonly kind: string = 'PathOutsideRootError';
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The real path for `path` (relative to `root`), or PathOutsideRootError. Refuses absolute paths
 * and `..` that leaves the root, then resolves symlinks: for 'read' the file itself, for 'write'
 * the deepest existing ancestor (the file may not exist yet), and checks the result is inside
 * the root's real path.
 */
export async function resolveInRoot(root: string, path: string, mode: 'read' | 'write'): Promise<string> {
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path)) {
    throw new PathOutsideRootError(`"${path}" is an absolute path; give a path relative to the working directory.`);
  }
  if (path.includes('\0')) throw new PathOutsideRootError('The path contains a NUL character.');
  const realRoot = await realpath(root);
  const target = resolve(realRoot, path);
  if (!inside(realRoot, target)) throw new PathOutsideRootError(`"${path}" is outside the working directory.`);
  let real: string;
  try {
    real = await realpath(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || mode === 'read') throw error;
    // Not there yet: check where its nearest existing ancestor really is.
    let dir = target;
    let rest = '';
    for (;;) {
      const parent = resolve(dir, '..');
      rest = rest ? `${dir.slice(parent.length + 1)}${sep}${rest}` : dir.slice(parent.length + 1);
      dir = parent;
      try {
        real = resolve(await realpath(dir), rest);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dir === realRoot) throw e;
      }
    }
  }
  if (!inside(realRoot, real)) throw new PathOutsideRootError(`"${path}" leads outside the working directory (through a symbolic link).`);
  return real;
}
