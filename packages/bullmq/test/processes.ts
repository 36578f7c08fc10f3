// Spawns test/worker-process.ts as real child processes, on the package sources (Node's type
// stripping; a resolve hook maps the sources' `.js` specifiers to their `.ts` files).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { registerHooks } from 'node:module';
     registerHooks({ resolve(specifier, context, next) {
       try { return next(specifier, context); }
       catch (err) { if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context); throw err; }
     } });`,
  );

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const started = new Set<WorkerProcess>();

/** Runs a script of this directory on the sources, in its own process. */
export function spawnScript(name: string, env: Record<string, string | undefined>): ChildProcess {
  const script = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return spawn(process.execPath, ['--no-warnings', '--experimental-transform-types', '--conditions=@smol/source', '--import', HOOK, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function startWorker(env: Record<string, string | undefined>): Promise<WorkerProcess> {
  const child = spawnScript('worker-process.ts', env);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const proc: WorkerProcess = {
    child,
    output: () => out,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
  started.add(proc);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 30 s: ${out.slice(-2000)}`)), 30_000);
    const onData = () => {
      if (out.includes('ready\n')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it was ready: ${out.slice(-2000)}`));
    });
  });
  return proc;
}

/** SIGKILLs every worker still running. */
export async function killWorkers(): Promise<void> {
  await Promise.all([...started].map((w) => w.kill('SIGKILL')));
  started.clear();
}
