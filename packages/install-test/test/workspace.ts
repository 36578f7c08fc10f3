// The workspace side of the install test: which packages are published, packing them, and
// what their packed files import.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  dir: string;
  json: PackageJson;
}

/** Every package under packages/ that is not private: what `changeset publish` would publish. */
export function publishedPackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const name of readdirSync(join(ROOT, 'packages')).sort()) {
    const file = join(ROOT, 'packages', name, 'package.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
    if (!json.private) out.push({ dir: join(ROOT, 'packages', name), json });
  }
  return out;
}

export interface RunResult {
  /** The exit code; null when the command was killed (timed out, or by a signal). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the command ran past its timeout and was killed. */
  timedOut: boolean;
}

/**
 * Runs a command, collecting its output (never printing it). Resolves whatever the command does
 * (non-zero exit, timeout: `timedOut` with the output so far); rejects only when it cannot start.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = { cwd: ROOT },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr, timedOut: false });
      // A string code: it could not start (ENOENT) or overflowed maxBuffer.
      if (typeof error.code === 'string') return reject(Object.assign(error, { stdout, stderr }));
      // `killed` with no exit code: execFile's timeout killed it; the output so far explains the hang.
      resolve({ code: typeof error.code === 'number' ? error.code : null, stdout, stderr, timedOut: error.killed === true && typeof error.code !== 'number' });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export interface RetryOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  attempts: number;
  /** Timeout of one attempt. */
  attemptTimeoutMs: number;
  /** Wait before attempt n+1: backoffMs * n. */
  backoffMs: number;
}

/** The most a command run with these options can take: every attempt timing out, plus the waits. */
export function retryBudgetMs(o: Pick<RetryOptions, 'attempts' | 'attemptTimeoutMs' | 'backoffMs'>): number {
  return o.attempts * o.attemptTimeoutMs + (o.backoffMs * (o.attempts - 1) * o.attempts) / 2;
}

/**
 * Runs a command until it exits 0, retrying after a failure or a timeout (a flaky registry
 * can do either). Throws after the last attempt with each attempt's outcome and the tail of
 * the command's own output, since that is what says why it failed.
 */
export async function runWithRetries(command: string, args: readonly string[], options: RetryOptions): Promise<{ attempts: number; ms: number }> {
  const started = Date.now();
  const outcomes: string[] = [];
  let last: RunResult | undefined;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, options.backoffMs * (attempt - 1)));
    const attemptStarted = Date.now();
    last = await run(command, args, { cwd: options.cwd, env: options.env, timeoutMs: options.attemptTimeoutMs });
    if (last.code === 0) return { attempts: attempt, ms: Date.now() - started };
    const seconds = ((Date.now() - attemptStarted) / 1000).toFixed(1);
    outcomes.push(`attempt ${attempt}: ${last.timedOut ? `timed out after ${seconds} s` : `exit code ${last.code} after ${seconds} s`}`);
  }
  throw new Error(
    [
      `${command} ${args.join(' ')} failed ${options.attempts} times (in ${options.cwd}):`,
      ...outcomes,
      `--- stdout of the last attempt (tail) ---`,
      tail(last?.stdout ?? ''),
      `--- stderr of the last attempt (tail) ---`,
      tail(last?.stderr ?? ''),
    ].join('\n'),
  );
}

/** The last `lines` lines of a command's output. */
export function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? [`… (${all.length - lines} earlier lines)`, ...all.slice(-lines)] : all).join('\n') || '(empty)';
}

/** The environment of a plain shell: no npm_* / pnpm_* settings inherited from the pnpm running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_/i.test(key) || key === 'NODE_OPTIONS' || key === 'NODE_PATH' || key.startsWith('VITEST') || key === 'TEST') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Starts a long-running command that prints one JSON line when ready (smol-mock-llm). */
export async function startJsonLineProcess(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ value: Record<string, unknown>; stop: () => Promise<void> }> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  const errors: string[] = [];
  child.stderr.on('data', (d: Buffer) => errors.push(String(d)));
  const value = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} printed nothing in 15 s: ${errors.join('')}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(String(d));
      const text = chunks.join('');
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text.slice(0, nl)) as Record<string, unknown>);
      } catch (error) {
        reject(error);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${errors.join('')}`));
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { value, stop };
}

/** The package name of a bare import specifier ("@a/b/c" → "@a/b", "x/y" → "x"); null for relative, node: and builtins. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.startsWith('data:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? null : name;
}

const IMPORT_RE = /(?:\bimport\s*(?:[\w*{}\s,$]+\s*from\s*)?|\bexport\s*[\w*{}\s,$]+\s*from\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'\s]+)["']/g;

/** Bare packages imported by the JavaScript files under dir, with the files that import them. */
export function importedPackages(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(m|c)?js$/.test(entry.name)) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(IMPORT_RE)) {
          const name = packageOf(m[1]);
          if (!name) continue;
          const files = found.get(name) ?? [];
          if (!files.includes(relative(dir, path))) files.push(relative(dir, path));
          found.set(name, files);
        }
      }
    }
  };
  walk(dir);
  return found;
}
