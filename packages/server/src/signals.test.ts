// serve()'s own signal handling, in a child process: SIGTERM stops accepting, lets the run finish, and the process exits.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const DIR = fileURLToPath(new URL('..', import.meta.url));

beforeAll(async () => {
  // Under `pnpm test` turbo has built dist; a direct vitest run rebuilds the JS here (no types, fast).
  await new Promise<void>((resolve, reject) => {
    execFile('pnpm', ['exec', 'tsup', 'src/index.ts', '--format', 'esm', '--target', 'node22', '--no-config', '--silent'], { cwd: DIR, timeout: 60_000 }, (error, _o, stderr) => (error ? reject(new Error(stderr)) : resolve()));
  });
}, 60_000);

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['test/fixtures/signal-server.mjs'], { cwd: DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

const runTask = (url: string) => fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"go"}' });

/** Waits until the server counts a run as active: a fixed sleep could signal before a loaded machine got there. */
const runStarted = (url: string) =>
  vi.waitUntil(async () => ((await (await fetch(`${url}/api/health`)).json()) as { activeRuns: number }).activeRuns > 0, { timeout: 10_000, interval: 10 });

describe('serve() on SIGTERM', () => {
  it('lets the running run finish, refuses new connections, then the process exits 0', async () => {
    const p = start({ DELAY_MS: '800' });
    const url = await p.url;
    const pending = runTask(url);
    await runStarted(url);
    p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    await expect(runTask(url)).rejects.toThrow();
    const res = await pending;
    expect(res.status).toBe(200);
    expect((await res.json()).output).toBe('finished');
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toBe('');
  });

  it('aborts runs that outlast the shutdown deadline (503), then exits', async () => {
    const p = start({ DELAY_MS: '30000', SHUTDOWN_MS: '300' });
    const url = await p.url;
    const pending = runTask(url);
    await runStarted(url);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ cause: 'shutdown' });
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
