// The built CLI in its own process, as `pnpm demo` runs it.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMockLlmServer } from '@smol/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIMULATED_LABEL } from './simulated.js';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const KEYS = /^(OPENAI_|ANTHROPIC_|HF_TOKEN|AZURE_OPENAI_|LITELLM_|SMOL_DEMO_)/;

/** The environment without any provider key, so a developer's own key never changes the test. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!KEYS.test(k)) out[k] = v;
  return { ...out, NO_COLOR: '1', ...extra };
}

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/cli.js', ...args], { cwd: DIR, env: env(extraEnv), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  // Under `pnpm test` turbo has built it; a direct vitest run rebuilds the CLI (no types, fast).
  await new Promise<void>((resolve, reject) => {
    execFile('pnpm', ['exec', 'tsup', '--silent'], { cwd: DIR, timeout: 60_000 }, (error, _out, stderr) => (error ? reject(new Error(stderr)) : resolve()));
  });
}, 60_000);

describe('dist/cli.js', () => {
  it('runs the whole demo with no keys and exits 0', async () => {
    const r = await cli(['--agents', '3', '--latency-ms', '20']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(SIMULATED_LABEL);
    expect(r.stdout).toContain('Final answer: 3 x apple and 2 x pear cost 3.00 EUR');
    expect(r.stdout).toMatch(/speedup: [\d.]+x \(sequential .+, concurrent .+\)/);
  });

  it('a rejected key: exit 1 and a single line on stderr', async () => {
    const mock = await startMockLlmServer({ faults: () => ({ status: 401 }) });
    try {
      const r = await cli(['--provider', 'openai', '--base-url', mock.baseURL], { OPENAI_API_KEY: 'sk-wrong' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: .*answered 401: the API key was rejected[^\n]*\n$/);
    } finally {
      await mock.close();
    }
  });

  it('serve listens, answers, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, ['dist/cli.js', 'serve', '--port', '0'], { cwd: DIR, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const out: string[] = [];
        child.stdout.on('data', (d: Buffer) => {
          out.push(String(d));
          const m = /server on (http:\/\/\S+)/.exec(out.join(''));
          if (m) resolve(m[1]);
        });
        child.once('exit', () => reject(new Error(`exited early: ${out.join('')}`)));
      });
      const info = await (await fetch(`${url}/api/agents`)).json();
      expect(info.agents[0]).toMatchObject({ kind: 'CodeAgent' });
      expect(info.agents[0].tools.map((t: { name: string }) => t.name)).toEqual(['get_weather', 'get_price', 'final_answer']);
      const res = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"2 bananas?"}' });
      expect((await res.json()).output).toBe('2 x banana cost 0.50 EUR');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
