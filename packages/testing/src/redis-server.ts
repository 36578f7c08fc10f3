// `@smol/testing/redis`: a private Debian redis-server on 127.0.0.1, a free port and its own data
// directory, stopped (and its directory removed) by stop(). Never assumes a Redis is running.
// Shared by @smol/bullmq's tests, the demo's queue test and the bench's queue mode.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly dir: string;
  /** SIGTERM (Redis saves and exits), then starts again on the same port and directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

// The monorepo's installer (from src/ or dist/ alike); absent in a published copy.
const ENSURE = fileURLToPath(new URL('../../../scripts/ensure-redis.sh', import.meta.url));

/** The redis-server binary, installed with scripts/ensure-redis.sh (apt) when missing; throws when it cannot be. */
export function redisBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (!existsSync(ENSURE)) throw new Error('redis-server is not installed: install Debian\'s redis-server (apt-get install redis-server).');
  const ensured = spawnSync('bash', [ENSURE], { encoding: 'utf8' });
  const again = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!again) throw new Error(`redis-server is not installed and scripts/ensure-redis.sh could not install it: ${ensured.stderr.trim()}`);
  return again;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function launch(bin: string, port: number, dir: string): Promise<ChildProcess> {
  // appendonly: a restart keeps every acknowledged write (the durability the package documents).
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--protected-mode', 'no', '--daemonize', 'no', '--loglevel', 'notice', '--logfile', ''];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s: ${output.slice(-500)}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/i.test(output)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => fail(new Error(`redis-server exited with code ${code}: ${output.slice(-500)}`)));
    child.once('error', fail);
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts a private redis-server (appendonly, noeviction) on a free port of 127.0.0.1. */
export async function startRedisServer(): Promise<RedisServer> {
  const bin = redisBinary();
  const dir = await mkdtemp(join(tmpdir(), 'smol-redis-'));
  const port = await freePort();
  let child = await launch(bin, port, dir);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async restart() {
      await terminate(child);
      child = await launch(bin, port, dir);
    },
    async stop() {
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
