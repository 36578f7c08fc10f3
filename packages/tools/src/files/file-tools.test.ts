import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolContext } from '@smol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDirectoryTool, readFileTool, writeFileTool } from './file-tools.ts';

const ctx = (): ToolContext => ({ signal: new AbortController().signal, runId: 'r', state: {} });
let base: string;
let root: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'smol-files-'));
  root = join(base, 'root');
  await mkdir(join(root, 'docs'), { recursive: true });
  await writeFile(join(root, 'notes.txt'), 'hello notes');
  await writeFile(join(root, 'big.txt'), 'x'.repeat(2000));
  await writeFile(join(base, 'secret.txt'), 'top secret');
  await symlink(join(base, 'secret.txt'), join(root, 'link-out.txt'));
  await symlink(base, join(root, 'dir-out'));
  await symlink(join(root, 'notes.txt'), join(root, 'link-in.txt'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('file tools confined to a root', () => {
  it('read_file reads inside the root (symlinks inside are fine)', async () => {
    const read = readFileTool({ root });
    expect(await read.forward({ path: 'notes.txt' }, ctx())).toBe('hello notes');
    expect(await read.forward({ path: 'docs/../notes.txt' }, ctx())).toBe('hello notes');
    expect(await read.forward({ path: 'link-in.txt' }, ctx())).toBe('hello notes');
  });

  it.each([
    ['../secret.txt', /is outside the working directory/],
    ['docs/../../secret.txt', /is outside the working directory/],
    ['/etc/passwd', /is an absolute path/],
    ['link-out.txt', /leads outside the working directory \(through a symbolic link\)/],
    ['dir-out/secret.txt', /leads outside the working directory \(through a symbolic link\)/],
  ])('read_file refuses %s', async (path, message) => {
    const out = await readFileTool({ root }).forward({ path }, ctx());
    expect(out).toMatch(message);
    expect(out).not.toContain('top secret');
  });

  it('read_file caps the size and reports a missing file', async () => {
    expect(await readFileTool({ root, maxReadBytes: 1000 }).forward({ path: 'big.txt' }, ctx())).toBe('Error: "big.txt" is 2000 bytes, more than the 1000 bytes read_file returns.');
    expect(await readFileTool({ root }).forward({ path: 'nope.txt' }, ctx())).toBe('Error: "nope.txt": no such file or directory.');
  });

  it('write_file creates files and directories, never overwrites unless allowed, caps the size', async () => {
    const write = writeFileTool({ root, maxWriteBytes: 100 });
    expect(await write.forward({ path: 'out/report.md', content: '# Report' }, ctx())).toBe('Wrote 8 bytes to out/report.md.');
    expect(await readFile(join(root, 'out/report.md'), 'utf8')).toBe('# Report');
    expect(await write.forward({ path: 'notes.txt', content: 'replaced' }, ctx())).toBe('Error: "notes.txt": the file already exists and overwriting is not allowed.');
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('hello notes');
    expect(await write.forward({ path: 'large.txt', content: 'y'.repeat(101) }, ctx())).toMatch(/more than the 100 bytes write_file accepts/);
    await writeFileTool({ root, allowOverwrite: true }).forward({ path: 'out/report.md', content: 'v2' }, ctx());
    expect(await readFile(join(root, 'out/report.md'), 'utf8')).toBe('v2');
  });

  it.each([
    ['../escape.txt', /outside the working directory/],
    ['/tmp/escape.txt', /absolute path/],
    ['dir-out/escape.txt', /through a symbolic link/],
    ['dir-out/new-dir/escape.txt', /through a symbolic link/],
  ])('write_file refuses %s', async (path, message) => {
    expect(await writeFileTool({ root, allowOverwrite: true }).forward({ path, content: 'x' }, ctx())).toMatch(message);
  });

  it('write_file does not write through a symlink, even with overwrite allowed', async () => {
    const out = await writeFileTool({ root, allowOverwrite: true }).forward({ path: 'link-out.txt', content: 'pwned' }, ctx());
    expect(out).toMatch(/through a symbolic link/);
    expect(await readFile(join(base, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('list_directory lists inside the root only', async () => {
    const list = listDirectoryTool({ root });
    expect((await list.forward({}, ctx())).split('\n')).toEqual(expect.arrayContaining(['docs/', 'notes.txt', 'big.txt']));
    expect(await list.forward({ path: 'docs' }, ctx())).toBe('docs is empty.');
    expect(await list.forward({ path: '..' }, ctx())).toMatch(/outside the working directory/);
    expect(await list.forward({ path: 'dir-out' }, ctx())).toMatch(/through a symbolic link/);
  });

  it('needs a root', () => {
    expect(() => readFileTool({} as never)).toThrow(/need a root directory/);
  });
});
