// The built `smol` bin in a child process, as a user runs it.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startMockLlmServer } from '@smol/testing';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = 'test/fixtures/agents.ts';
const KEYS = /^(OPENAI_|ANTHROPIC_|HF_TOKEN|AZURE_OPENAI_|LITELLM_|SMOL_)/;

/** The environment without any provider key, so a developer's own key never changes the test. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!KEYS.test(k)) out[k] = v;
  return { ...out, NO_COLOR: '1', ...extra };
}

type Result = { code: number; stdout: string; stderr: string };

function smol(args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/cli.js', ...args], { cwd: DIR, env: env(extraEnv), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

function start(args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], { cwd: DIR, env: env(extraEnv), stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += String(d)));
  child.stderr.on('data', (d: Buffer) => (out.stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = async (stream: 'stdout' | 'stderr', re: RegExp): Promise<RegExpExecArray> => {
    const end = Date.now() + 20_000;
    for (;;) {
      const m = re.exec(out[stream]);
      if (m) return m;
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no ${re} in ${stream}: ${out[stream]} / ${out.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, out, exited, waitFor };
}

beforeAll(async () => {
  // Under `pnpm test` turbo has built it; a direct vitest run rebuilds the JS (no types, fast).
  await new Promise<void>((resolve, reject) => {
    execFile('pnpm', ['exec', 'tsup', 'src/index.ts', 'src/cli.ts', '--format', 'esm', '--target', 'node22', '--no-config', '--silent'], { cwd: DIR, timeout: 60_000 }, (error, _out, stderr) =>
      error ? reject(new Error(stderr)) : resolve(),
    );
  });
}, 60_000);

describe('smol --help and wrong flags', () => {
  it.each([
    [[], /^Usage: smol <command>/],
    [['--help'], /^Usage: smol <command>/],
    [['run', '--help'], /^Usage: smol run "task" \[options\][\s\S]*--agent code\|tool-calling[\s\S]*--simulated/],
    [['serve', '-h'], /^Usage: smol serve \.\/agent\.ts[\s\S]*--token TOKEN/],
  ])('smol %j prints help and exits 0', async (args, usage) => {
    const r = await smol(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(usage);
    expect(r.stderr).toBe('');
  });

  it.each([
    [['frobnicate'], 'error: Unknown command "frobnicate": use "smol run" or "smol serve". See smol --help.'],
    [['run', '--bogus', 'task'], "error: Unknown option '--bogus'. See smol run --help."],
    [['run'], 'error: smol run needs a task: smol run "What is the weather in Paris?". See smol run --help.'],
    [['run', '--agent', 'nope', 'task'], 'error: --agent must be "code" or "tool-calling", got "nope". See smol run --help.'],
    [['run', '--max-steps', '0', 'task'], 'error: --max-steps must be an integer >= 1, got "0". See smol run --help.'],
    [['run', '--verbosity', 'loud', 'task'], 'error: --verbosity must be one of off, error, info, debug, got "loud". See smol run --help.'],
    [['run', '--provider', 'acme', 'task'], 'error: --provider must be one of openai, anthropic, hf, azure, litellm, got "acme". See smol run --help.'],
    [['serve'], 'error: smol serve needs one module: smol serve ./agent.ts. See smol serve --help.'],
    [['serve', FIXTURE, '--port', 'eighty'], 'error: --port must be an integer >= 0, got "eighty". See smol serve --help.'],
  ])('smol %j: one clear line, exit 2', async (args, line) => {
    const r = await smol(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
  });
});

describe('smol run', () => {
  it('--simulated runs a CodeAgent: live display on stderr, the answer alone on stdout', async () => {
    const r = await smol(['run', '--simulated', 'What is 6 times 7?']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('The answer is 42 (task: What is 6 times 7?)\n');
    expect(r.stderr).toContain('CodeAgent on the simulated model');
    expect(r.stderr).toContain('const x = 6 * 7;');
    expect(r.stderr).toContain('Final answer: The answer is 42');
  });

  it('--json prints the RunResult; --verbosity off keeps stderr quiet', async () => {
    const r = await smol(['run', '--simulated', '--agent', 'tool-calling', '--json', '--verbosity', 'off', 'Say hi']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ state: 'success', output: 'Answer to "Say hi"', stepCount: 1 });
    expect(result.tokenUsage.totalTokens).toBeGreaterThan(0);
  });

  it('--mcp gives the agent the tools of an MCP server (stdio), and stops it after the run', async () => {
    const server = fileURLToPath(new URL('../../mcp/test/fixtures/echo-server.ts', import.meta.url));
    const r = await smol(['run', '--simulated', '--agent', 'tool-calling', '--json', '--verbosity', 'off', '--mcp', `${process.execPath} ${server}`, 'Add numbers']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    const call = result.steps.find((s: { type: string }) => s.type === 'action').toolCalls[0];
    expect(call.name).toBe('add');
    expect(result.output).toContain('sum');
  });

  it('a max-steps run says so', async () => {
    const r = await smol(['run', '--simulated', '--max-steps', '1', '--verbosity', 'off', 'What is 6 times 7?']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('note: the run reached its step limit; this is the best answer from its memory.\n');
  });

  it('with no key, says which variable to set', async () => {
    const r = await smol(['run', 'hello']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: No model is configured: set OPENAI_API_KEY .* or try --simulated\.\n$/);
    const anthropic = await smol(['run', '--provider', 'anthropic', 'hello']);
    expect(anthropic.stderr).toBe('error: --provider anthropic needs ANTHROPIC_API_KEY in the environment.\n');
  });

  it('talks to an OpenAI-compatible server with --base-url and --model', async () => {
    const mock = await startMockLlmServer();
    try {
      const r = await smol(['run', '--agent', 'tool-calling', '--base-url', mock.baseURL, '--model', 'm1', '--verbosity', 'off', 'Say hi'], { OPENAI_API_KEY: 'sk-test' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('Answer to "Say hi"\n');
      expect(mock.requests[0].body.model).toBe('m1');
    } finally {
      await mock.close();
    }
  });

  it('a rejected key: one line, exit 1, never the key', async () => {
    const mock = await startMockLlmServer({ faults: () => ({ status: 401 }) });
    try {
      const r = await smol(['run', '--provider', 'openai', '--base-url', mock.baseURL, 'hi'], { OPENAI_API_KEY: 'sk-secret-key-987' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/\nerror: .*401[^\n]*\n$/);
      expect(r.stderr + r.stdout).not.toContain('sk-secret-key-987');
    } finally {
      await mock.close();
    }
  });

  it('Ctrl-C cancels the run cleanly: exit 130', async () => {
    const mock = await startMockLlmServer({ latencyMs: 20_000 });
    try {
      const p = start(['run', '--agent', 'tool-calling', '--base-url', mock.baseURL, 'Say hi'], { OPENAI_API_KEY: 'sk-test' });
      await p.waitFor('stderr', /New run/);
      const t0 = Date.now();
      p.child.kill('SIGINT');
      expect(await p.exited).toBe(130);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(p.out.stderr).toContain('cancelling… (Ctrl-C again to quit at once)');
      expect(p.out.stderr).toMatch(/cancelled\n$/);
      expect(p.out.stdout).toBe('');
    } finally {
      await mock.close();
    }
  });

  it('shows the live display in colour on a real terminal', async () => {
    const cmd = `${process.execPath} dist/cli.js run --simulated --agent tool-calling "Say hi"`;
    const r = await new Promise<Result>((resolve) => {
      const e = env();
      delete e.NO_COLOR;
      execFile('script', ['-qec', cmd, '/dev/null'], { cwd: DIR, env: e, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\u001b[');
    expect(r.stdout).toContain('Answer to "Say hi"');
  });
});

describe('smol serve', () => {
  it('serves the agents a TypeScript module exports, and stops on SIGTERM', async () => {
    const p = start(['serve', FIXTURE, '--port', '0']);
    try {
      const [, url] = await p.waitFor('stdout', /smol server on (http:\/\/\S+) — agents: plain, weather\n/);
      const list = await (await fetch(`${url}/api/agents`)).json();
      expect(list.agents.map((a: { name: string }) => a.name)).toEqual(['plain', 'weather']);
      const res = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"Weather?","agent":"weather"}' });
      expect((await res.json()).output).toBe('sunny in Paris');
      expect((await fetch(`${url}/`)).headers.get('content-type')).toContain('text/html');
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });

  it('the first Ctrl-C waits for runs; a second one exits at once', async () => {
    const p = start(['serve', FIXTURE, '--port', '0'], { FIXTURE_DELAY_MS: '30000' });
    const [, url] = await p.waitFor('stdout', /smol server on (http:\/\/\S+)/);
    void fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":"Weather?","keep":true}' }).catch(() => {});
    // Ctrl-C once the server counts the run (a fixed sleep could come first on a loaded machine).
    await vi.waitUntil(async () => ((await (await fetch(`${url}/api/health`)).json()) as { activeRuns: number }).activeRuns > 0, { timeout: 10_000, interval: 10 });
    p.child.kill('SIGINT');
    await p.waitFor('stdout', /stopping: waiting for 1 run\(s\) to finish/);
    const t0 = Date.now();
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(130);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a missing module or a busy port: one line, exit 1', async () => {
    const missing = await smol(['serve', './nope.js']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: Cannot find ./nope.js.\n');
    const p = start(['serve', FIXTURE, '--port', '0']);
    try {
      const [, port] = await p.waitFor('stdout', /on http:\/\/127\.0\.0\.1:(\d+)/);
      const busy = await smol(['serve', FIXTURE, '--port', port]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toBe(`error: Port ${port} on 127.0.0.1 is already in use.\n`);
    } finally {
      p.child.kill('SIGTERM');
    }
    await p.exited;
  });
});
