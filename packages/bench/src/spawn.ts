// Child processes: the simulated servers and the measurement workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from './worker.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export interface Server {
  url: string;
  baseURL: string;
  stop(): Promise<void>;
}

/** smol-mock-llm, the @smol/testing CLI (built), in its own process. */
export function startMockCli(args: string[]): Promise<Server> {
  const cli = join(dirname(require.resolve('@smol/testing/package.json')), 'dist', 'cli.js');
  return startServerProcess([cli, '--port', '0', ...args]);
}

/** The long-stream server (long-server.ts) in its own process. */
export function startLongServer(): Promise<Server> {
  return startServerProcess([join(here, 'long-server.ts')]);
}

function startServerProcess(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout!.off('data', onData);
      const { url } = JSON.parse(out.slice(0, nl)) as { url: string };
      resolve({ url, baseURL: `${url}/v1`, stop: () => stopChild(child) });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr.slice(-500)}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A runner with environment variables for its process, as `compare` and `instructions` take it: `openai-sdk+SMOL_BENCH_SDK_PROMPT=smol`. */
export function runnerSpec(spec: string): { runner: string; env: Record<string, string> } {
  const [runner, ...vars] = spec.split('+');
  return { runner, env: Object.fromEntries(vars.map((v) => v.split('=') as [string, string])) };
}

export type JobResult = { status: 'ok'; [key: string]: unknown } | { status: 'timeout'; timeoutS: number } | { status: 'error'; error: string };

/**
 * Runs one job in a fresh worker process; kills it after `timeoutMs` and reports "timeout".
 * `onLine` sees each stdout line as it comes (progress of long jobs).
 */
export function runJob(job: Job, timeoutMs: number, nodeArgs: string[] = [], onLine?: (line: string) => void, env?: Record<string, string>): Promise<JobResult> {
  const child = spawn(process.execPath, ['--expose-gc', ...nodeArgs, join(here, 'worker.ts'), JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env && { env: { ...process.env, ...env } }),
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const text = d.toString();
    stdout += text;
    if (!onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ status: 'timeout', timeoutS: Math.round(timeoutMs / 1000) });
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) return resolve({ status: 'ok', ...(JSON.parse(line.slice(7)) as Record<string, unknown>) });
      resolve({ status: 'error', error: `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}` });
    });
  });
}

/** Runs a script that prints one JSON line (the sandbox's own event-loop bench) and parses it. */
export function runJsonScript(file: string, cwd: string, timeoutMs: number): Promise<JobResult> {
  const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') return resolve({ status: 'timeout', timeoutS: Math.round(timeoutMs / 1000) });
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
      if (code === 0 && line) return resolve({ status: 'ok', ...(JSON.parse(line) as Record<string, unknown>) });
      resolve({ status: 'error', error: `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}` });
    });
  });
}
