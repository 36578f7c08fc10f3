// `pnpm demo serve --redis` and `pnpm demo worker --redis`: a private redis-server, a worker in
// its own process (the CLI on the sources), the queue-backed server in-process, a task over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRedisServer, type RedisServer } from '@smol/testing/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, parseDemoArgs } from './args.js';
import { startQueueServer, type RunningQueueServer } from './queue-serve.js';
import { io } from '../test/helpers.js';

// Node runs the CLI's TypeScript sources; this hook maps their `.js` specifiers to the `.ts` files.
const HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { registerHooks } from 'node:module';
     registerHooks({ resolve(specifier, context, next) {
       try { return next(specifier, context); }
       catch (err) { if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context); throw err; }
     } });`,
  );
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const KEYS = /^(OPENAI_|ANTHROPIC_|HF_TOKEN|AZURE_OPENAI_|LITELLM_|SMOL_DEMO_)/;

let redis: RedisServer;
let worker: ChildProcess | undefined;
let workerOutput = '';
let server: RunningQueueServer;

function startWorkerProcess(url: string): Promise<void> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!KEYS.test(k)) env[k] = v; // always the simulated model
  const child = spawn(process.execPath, ['--no-warnings', '--experimental-transform-types', '--conditions=@smol/source', '--import', HOOK, CLI, 'worker', '--redis', url, '--latency-ms', '5'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker = child;
  child.stdout!.on('data', (c: Buffer) => (workerOutput += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (workerOutput += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo worker did not start within 20 s: ${workerOutput.slice(-2000)}`)), 20_000);
    const onData = () => {
      if (!workerOutput.includes('smol demo worker on ')) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve();
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo worker exited (${code}) before it was ready: ${workerOutput.slice(-2000)}`));
    });
  });
}

beforeAll(async () => {
  redis = await startRedisServer();
  await startWorkerProcess(redis.url);
  server = await startQueueServer(parseDemoArgs(['serve', '--redis', redis.url, '--port', '0', '--agent', 'tool']), io());
}, 30_000);

afterAll(async () => {
  await server?.close();
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGTERM'); // closes the worker: its active runs finish first
    await exited;
  }
  await redis?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

function sse(text: string): { id: string; event: string; data: any }[] {
  return text
    .split('\n\n')
    .map((block) => block.split('\n'))
    .filter((lines) => lines.some((l) => l.startsWith('event: ')))
    .map((lines) => ({
      id: lines.find((l) => l.startsWith('id: '))!.slice(4),
      event: lines.find((l) => l.startsWith('event: '))!.slice(7),
      data: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)),
    }));
}

describe('pnpm demo serve --redis + pnpm demo worker --redis', () => {
  it('the worker process says which agents it runs, on which Redis', () => {
    expect(workerOutput).toContain(`smol demo worker on ${redis.url} — agents tool`);
  });

  it('a task submitted over HTTP is run by the worker process and answered', async () => {
    const res = await post('/api/runs', { task: 'What is the weather in Paris and Tokyo?' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ state: 'success', stepCount: 2, attempt: 1 });
    expect(body.output).toMatch(/in Paris.*in Tokyo/);
    // The run is in Redis: asked again by id, the same stored result.
    expect(await (await fetch(`${server.url}/api/runs/${body.runId}`)).json()).toEqual(body);
  });

  it('follows a run as SSE from the Redis Stream; a reconnect with Last-Event-ID gets the rest exactly once', async () => {
    const { runId } = await (await post('/api/runs', { task: 'How much do 3 apples cost?', wait: false })).json();
    const all = sse(await (await fetch(`${server.url}/api/runs/${runId}/events`)).text());
    expect(all.map((e) => e.event)).toEqual(['tool_call', 'tool_output', 'action_step', 'tool_call', 'tool_output', 'action_step', 'final_answer', 'run_end']);
    expect(all.at(-1)!.data.outcome).toMatchObject({ state: 'success', output: expect.stringContaining('0.5') });
    const rest = sse(await (await fetch(`${server.url}/api/runs/${runId}/events`, { headers: { 'last-event-id': all[2].id } })).text());
    expect(rest.map((e) => e.id)).toEqual(all.slice(3).map((e) => e.id));
    expect((await fetch(`${server.url}/api/runs/${runId}/events`, { headers: { 'last-event-id': 'nope' } })).status).toBe(400);
  });

  it('worker needs --redis; --redis takes a redis:// URL and goes with serve or worker', () => {
    expect(() => parseDemoArgs(['worker'])).toThrow(UsageError);
    expect(() => parseDemoArgs(['serve', '--redis', 'localhost:6379'])).toThrow(/redis:\/\//);
    expect(() => parseDemoArgs(['--redis', 'redis://x'])).toThrow(/serve/);
    expect(parseDemoArgs(['worker', '--redis', 'redis://h:1', '--concurrency', '3'])).toMatchObject({ command: 'worker', redis: 'redis://h:1', concurrency: 3 });
    expect(parseDemoArgs(['serve']).redis).toBeUndefined(); // in-process, as before
  });

  it('an unknown run is 404; a bad body is 400', async () => {
    expect((await fetch(`${server.url}/api/runs/no-such-run`)).status).toBe(404);
    const bad = await post('/api/runs', { task: '' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/task/);
  });

  // Last: it stops the worker the other tests use.
  it('SIGTERM stops the worker: it says so and exits 0 once closed', async () => {
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
    worker!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workerOutput).toContain('stopping: finishing the active runs…');
  }, 20_000);
});
