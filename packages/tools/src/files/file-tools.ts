import { constants } from 'node:fs';
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AgentConfigError, tool, type Tool } from '@smol/core';
import { z } from 'zod';
import { failureText } from '../errors.ts';
import { resolveInRoot } from './root.ts';

export interface FileToolsOptions {
  /** The directory the tools work in; no path outside it can be read, written or listed. Required. */
  root: string;
  /** Largest file read_file returns, in bytes. Default 1 MiB. */
  maxReadBytes?: number;
  /** Largest content write_file writes, in bytes. Default 1 MiB. */
  maxWriteBytes?: number;
  /** write_file may replace an existing file. Default false. */
  allowOverwrite?: boolean;
  /** Entries list_directory returns. Default 500. */
  maxEntries?: number;
}

function checkRoot(options: FileToolsOptions): string {
  if (!options || typeof options.root !== 'string' || !options.root) throw new AgentConfigError('File tools need a root directory (option root).');
  return options.root;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EEXIST: 'the file already exists and overwriting is not allowed',
  ELOOP: 'it is a symbolic link',
};

function fileFailure(error: unknown, path: string, signal: AbortSignal): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && FILE_ERRORS[code] && !signal.aborted) return `Error: "${path}": ${FILE_ERRORS[code]}.`;
  return failureText(error, signal);
}

/** `read_file`: a UTF-8 text file under the root. */
export function readFileTool(options: FileToolsOptions): Tool<{ path: string }, string> {
  const root = checkRoot(options);
  const max = options.maxReadBytes ?? 1024 * 1024;
  return tool({
    name: 'read_file',
    description: 'Reads a text file in the working directory and returns its content.',
    inputSchema: z.object({ path: z.string().min(1).describe('Path of the file, relative to the working directory.') }),
    outputType: 'string',
    async execute({ path }, { signal }) {
      try {
        const real = await resolveInRoot(root, path, 'read');
        const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          const info = await handle.stat();
          if (info.isDirectory()) return `Error: "${path}" is a directory; use list_directory.`;
          if (info.size > max) return `Error: "${path}" is ${info.size} bytes, more than the ${max} bytes read_file returns.`;
          signal.throwIfAborted();
          return await handle.readFile({ encoding: 'utf8', signal });
        } finally {
          await handle.close();
        }
      } catch (error) {
        return fileFailure(error, path, signal);
      }
    },
  });
}

/** `write_file`: writes UTF-8 text to a file under the root, creating directories; no overwrite unless allowed. */
export function writeFileTool(options: FileToolsOptions): Tool<{ path: string; content: string }, string> {
  const root = checkRoot(options);
  const max = options.maxWriteBytes ?? 1024 * 1024;
  const overwrite = options.allowOverwrite ?? false;
  return tool({
    name: 'write_file',
    description: `Writes text to a file in the working directory, creating parent directories.${overwrite ? ' Replaces an existing file.' : ' Fails if the file exists.'}`,
    inputSchema: z.object({
      path: z.string().min(1).describe('Path of the file, relative to the working directory.'),
      content: z.string().describe('The text to write.'),
    }),
    outputType: 'string',
    async execute({ path, content }, { signal }) {
      try {
        const bytes = Buffer.byteLength(content, 'utf8');
        if (bytes > max) return `Error: the content is ${bytes} bytes, more than the ${max} bytes write_file accepts.`;
        const real = await resolveInRoot(root, path, 'write');
        await mkdir(dirname(real), { recursive: true });
        // Directories made, check again: a symlink could have been created meanwhile.
        const checked = await resolveInRoot(root, path, 'write');
        // O_NOFOLLOW: the last component is never followed, so a symlink swapped in is not written through.
        const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (overwrite ? constants.O_TRUNC : constants.O_EXCL);
        const handle = await open(checked, flags, 0o644);
        try {
          await handle.writeFile(content, { encoding: 'utf8', signal });
        } finally {
          await handle.close();
        }
        return `Wrote ${bytes} bytes to ${path}.`;
      } catch (error) {
        return fileFailure(error, path, signal);
      }
    },
  });
}

/** `list_directory`: the entries of a directory under the root, directories marked with a trailing slash. */
export function listDirectoryTool(options: FileToolsOptions): Tool<{ path?: string }, string> {
  const root = checkRoot(options);
  const maxEntries = options.maxEntries ?? 500;
  return tool({
    name: 'list_directory',
    description: 'Lists the files and directories in a directory of the working directory (directories end with /).',
    inputSchema: z.object({ path: z.string().optional().describe('Directory, relative to the working directory. Default: the working directory.') }),
    outputType: 'string',
    async execute({ path }, { signal }) {
      const shown = path || '.';
      try {
        const real = await resolveInRoot(root, path || '.', 'read');
        if (!(await stat(real)).isDirectory()) return `Error: "${shown}" is not a directory.`;
        signal.throwIfAborted();
        const entries = await readdir(real, { withFileTypes: true });
        entries.sort((a, b) => a.name.localeCompare(b.name));
        const lines = entries.slice(0, maxEntries).map((e) => e.name + (e.isDirectory() ? '/' : ''));
        if (lines.length === 0) return `${shown} is empty.`;
        const more = entries.length > maxEntries ? `\n(${entries.length - maxEntries} more entries not shown)` : '';
        return `${lines.join('\n')}${more}`;
      } catch (error) {
        return fileFailure(error, shown, signal);
      }
    },
  });
}

/** read_file, write_file and list_directory, confined to `root`. */
export function fileTools(options: FileToolsOptions): Tool[] {
  return [readFileTool(options), writeFileTool(options), listDirectoryTool(options)];
}
