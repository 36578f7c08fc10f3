// The npm runner the install test relies on: a hung npm is killed and retried, and the final
// failure carries npm's own output.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { retryBudgetMs, run, runWithRetries } from './workspace.ts';

const NODE = process.execPath;
let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

// Hangs on its first run (after printing a line), exits 0 on the next: counts runs in a file.
const HANGS_ONCE = `
const fs = require('node:fs');
const file = process.argv[1];
const n = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) + 1 : 1;
fs.writeFileSync(file, String(n));
if (n === 1) { console.log('fetching…'); setInterval(() => {}, 1000); } else console.log('ok');
`;

describe('run', () => {
  it('resolves with timedOut and the output so far when the command outlives its timeout', async () => {
    const r = await run(NODE, ['-e', "console.log('started'); console.error('stalled on a socket'); setInterval(() => {}, 1000)"], { cwd: tmpdir(), timeoutMs: 1_000 });
    expect(r).toMatchObject({ code: null, timedOut: true, stdout: 'started\n', stderr: 'stalled on a socket\n' });
  });

  it('resolves with the exit code of a failing command', async () => {
    const r = await run(NODE, ['-e', 'process.exit(3)'], { cwd: tmpdir() });
    expect(r).toMatchObject({ code: 3, timedOut: false });
  });
});

describe('runWithRetries', () => {
  it('retries after an attempt times out', async () => {
    dir = mkdtempSync(join(tmpdir(), 'smol-retry-'));
    const result = await runWithRetries(NODE, ['-e', HANGS_ONCE, join(dir, 'count')], { cwd: dir, attempts: 3, attemptTimeoutMs: 1_000, backoffMs: 10 });
    expect(result.attempts).toBe(2);
  });

  it("throws after the last attempt with each outcome and the tail of the command's output", async () => {
    const script = "console.log('line ' + 1); for (let i = 2; i <= 100; i++) console.log('line ' + i); console.error('npm error code E404'); process.exit(1)";
    const error = await runWithRetries(NODE, ['-e', script], { cwd: tmpdir(), attempts: 2, attemptTimeoutMs: 10_000, backoffMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('failed 2 times');
    expect(message).toMatch(/attempt 1: exit code 1 after [\d.]+ s\nattempt 2: exit code 1/);
    expect(message).toContain('npm error code E404');
    expect(message).toContain('line 100');
    expect(message).not.toContain('line 1\n');
    expect(message).toContain('(60 earlier lines)');
  });

  it('names a timeout as such in the final error', async () => {
    const error = await runWithRetries(NODE, ['-e', "console.error('GET https://registry.npmjs.org/openai'); setInterval(() => {}, 1000)"], { cwd: tmpdir(), attempts: 2, attemptTimeoutMs: 500, backoffMs: 10 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/attempt 2: timed out after/);
    expect((error as Error).message).toContain('GET https://registry.npmjs.org/openai');
  });

  it('bounds the worst case: every attempt timing out plus the waits between them', () => {
    expect(retryBudgetMs({ attempts: 3, attemptTimeoutMs: 120_000, backoffMs: 2_000 })).toBe(366_000);
  });
});
