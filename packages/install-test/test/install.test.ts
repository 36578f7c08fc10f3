// What `pnpm add @smol/core @smol/openai` users get. Packs every published package with
// `pnpm pack`, checks each tarball with publint and for imports it does not declare, installs the
// tarballs with plain npm into a fresh project outside the workspace, and runs the README's
// example there (ESM, and TypeScript through `tsc --noEmit`) against the simulated server from
// the packed @smol/testing.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cleanEnv, importedPackages, publishedPackages, retryBudgetMs, run, runWithRetries, startJsonLineProcess, type PackageJson, type WorkspacePackage } from './workspace.ts';

const packages = publishedPackages();
const NODE = process.execPath;
const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;
const rootJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

let temp: string;
let project: string;
const tarballs = new Map<string, string>(); // package name → tarball path
const unpacked = new Map<string, string>(); // package name → unpacked package dir
let install: { attempts: number; ms: number } | undefined;

// Wall-time bounds of the setup. A warm install (npm cache filled) took 61 s on a 2-core machine
// shared with other builds; a cold one on a fresh machine once ran past 150 s. An attempt that
// runs past 120 s is killed and retried (npm keeps what it downloaded in its cache, and a stalled
// registry connection usually goes through the second time), so the install takes at most
// 3 × 120 s + 2 s + 4 s = 366 s, and the whole setup (build when run directly 180 s, packing
// 60 s in parallel, install 366 s, 20 s spare) at most 626 s. The hook's timeout is set from
// these numbers, so a failing install ends with npm's own output in the error, not a bare
// hook timeout. The usual run (warm cache, built by turbo) takes about 3 minutes in all.
const BUILD_TIMEOUT_MS = 180_000;
const PACK_TIMEOUT_MS = 60_000;
const NPM_INSTALL = { attempts: 3, attemptTimeoutMs: 120_000, backoffMs: 2_000 };
const SETUP_TIMEOUT_MS = BUILD_TIMEOUT_MS + PACK_TIMEOUT_MS + retryBudgetMs(NPM_INSTALL) + 20_000;

/** The README's example: the code block between <!-- example:start --> and <!-- example:end -->. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- example:start -->\s*```(?:ts|typescript)\n([\s\S]*?)```\s*<!-- example:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no ```ts block between <!-- example:start --> and <!-- example:end -->');
  return block[1];
}

/** Every dist entry an export map or bin names must exist before packing. */
function missingBuild(pkg: WorkspacePackage): boolean {
  return !existsSync(join(pkg.dir, 'dist'));
}

async function buildIfNeeded(): Promise<void> {
  if (!packages.some(missingBuild)) return;
  // Under `pnpm test`, turbo has built them (they are this package's devDependencies); a direct run builds here.
  const r = await run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@smol/install-test^...', '--output-logs=errors-only'], { cwd: ROOT, timeoutMs: BUILD_TIMEOUT_MS });
  if (r.code !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

async function pack(pkg: WorkspacePackage): Promise<void> {
  const dest = join(temp, 'tarballs', pkg.json.name.replace('@', '').replace('/', '-'));
  mkdirSync(dest, { recursive: true });
  const r = await run('pnpm', ['pack', '--pack-destination', dest], { cwd: pkg.dir, timeoutMs: PACK_TIMEOUT_MS });
  const file = readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (r.code !== 0 || !file) throw new Error(`pnpm pack failed in ${pkg.dir}:\n${r.stdout}\n${r.stderr}`);
  tarballs.set(pkg.json.name, join(dest, file));
  const into = join(temp, 'unpacked', pkg.json.name);
  mkdirSync(into, { recursive: true });
  const x = await run('tar', ['xzf', join(dest, file), '-C', into], { cwd: temp });
  if (x.code !== 0) throw new Error(`tar failed: ${x.stderr}`);
  unpacked.set(pkg.json.name, join(into, 'package'));
}

async function npmInstall(): Promise<void> {
  const spec = (name: string) => `file:${tarballs.get(name)}`;
  const smol = Object.fromEntries(packages.map((p) => [p.json.name, spec(p.json.name)]));
  const dev = rootJson.devDependencies ?? {};
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'smol-install-check',
        private: true,
        type: 'module',
        dependencies: { ...smol, zod: own.devDependencies?.zod ?? '^4.0.0' },
        devDependencies: { typescript: dev.typescript ?? '~5.9.3', '@types/node': dev['@types/node'] ?? '^24.0.0' },
        // The tarballs depend on each other by version: make npm take them from here, not the registry.
        overrides: smol,
      },
      null,
      2,
    )}\n`,
  );
  // A request the registry leaves hanging is retried by npm after 20 s (its default waits 5 minutes), so
  // one stalled socket does not use up a whole attempt: five tries fit in the attempt's 120 s.
  install = await runWithRetries('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--fetch-retries=4', '--fetch-timeout=20000'], {
    cwd: project,
    env: cleanEnv(),
    ...NPM_INSTALL,
  });
}

beforeAll(async () => {
  await buildIfNeeded();
  temp = mkdtempSync(join(tmpdir(), 'smol-install-'));
  project = join(temp, 'project');
  mkdirSync(project);
  await Promise.all(packages.map(pack));
  await npmInstall();
}, SETUP_TIMEOUT_MS);

afterAll(() => {
  if (temp && !process.env.SMOL_KEEP_INSTALL_TEST) rmSync(temp, { recursive: true, force: true });
});

describe('packing', () => {
  it('covers every published package, each a devDependency here so turbo builds it first', () => {
    expect(packages.map((p) => p.json.name)).toContain('@smol/core');
    expect(packages.map((p) => p.json.name)).toContain('@smol/openai');
    const missing = packages.map((p) => p.json.name).filter((n) => !own.devDependencies?.[n]);
    expect(missing, `add these to packages/install-test devDependencies as "workspace:^"`).toEqual([]);
  });

  it('publint finds nothing in any tarball', async () => {
    const problems: string[] = [];
    for (const pkg of packages) {
      const buffer = readFileSync(tarballs.get(pkg.json.name)!);
      const tarball = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
      const { messages } = await publint({ pack: { tarball }, level: 'warning', strict: true });
      const packed = JSON.parse(readFileSync(join(unpacked.get(pkg.json.name)!, 'package.json'), 'utf8')) as Record<string, unknown>;
      for (const m of messages) problems.push(`${pkg.json.name}: ${m.type} ${m.code}: ${formatMessage(m, packed, { color: false })}`);
    }
    expect(problems).toEqual([]);
  });

  it('every package imported by a packed file is a declared dependency (not just one at the workspace root)', () => {
    // The scan sees real imports: @smol/openai's files import the SDK and core.
    expect([...importedPackages(unpacked.get('@smol/openai')!).keys()]).toEqual(expect.arrayContaining(['openai', '@smol/core']));
    const problems: string[] = [];
    for (const pkg of packages) {
      const dir = unpacked.get(pkg.json.name)!;
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      const declared = new Set([json.name, ...Object.keys({ ...json.dependencies, ...json.peerDependencies, ...json.optionalDependencies })]);
      for (const [name, files] of importedPackages(dir)) {
        if (!declared.has(name)) problems.push(`${json.name} imports "${name}" (${files.slice(0, 3).join(', ')}) without declaring it`);
      }
      const ranges = Object.values({ ...json.dependencies, ...json.peerDependencies });
      for (const range of ranges) if (range.startsWith('workspace:')) problems.push(`${json.name} still has a "${range}" range after packing`);
    }
    expect(problems).toEqual([]);
  });
});

describe('installed with npm outside the workspace', () => {
  it('installs from the tarballs, not from workspace links', async () => {
    expect(install).toBeDefined();
    expect(project.startsWith(ROOT)).toBe(false);
    const r = await run(NODE, ['--input-type=module', '-e', "for (const n of process.argv.slice(1)) console.log(import.meta.resolve(n))", ...packages.map((p) => p.json.name)], {
      cwd: project,
      env: cleanEnv(),
    });
    expect(r.stderr).toBe('');
    for (const line of r.stdout.trim().split('\n')) expect(line.startsWith(`file://${project}/node_modules/`)).toBe(true);
  });

  it("runs the README's example as ESM and as TypeScript (Node's type stripping)", async () => {
    const example = readmeExample();
    writeFileSync(join(project, 'example.mjs'), example);
    writeFileSync(join(project, 'example.ts'), example);
    const mock = await startJsonLineProcess(join(project, 'node_modules/.bin/smol-mock-llm'), ['--port', '0'], project, cleanEnv());
    try {
      const env = cleanEnv({ OPENAI_BASE_URL: `${mock.value.url as string}/v1`, OPENAI_API_KEY: 'sk-install-test' });
      for (const file of ['example.mjs', 'example.ts']) {
        const r = await run(NODE, [file], { cwd: project, env });
        expect(r.stderr, file).toBe('');
        expect(r.code, file).toBe(0);
        // The simulated model called the example's tool and quoted its output in the answer.
        expect(r.stdout, file).toContain('Sunny and 21°C in');
      }
    } finally {
      await mock.stop();
    }
  });

  it('type-checks the example and an import of every entry point against the published .d.ts files (skipLibCheck off)', async () => {
    const entries: string[] = [];
    for (const pkg of packages) {
      for (const sub of Object.keys(pkg.json.exports ?? { '.': '' })) {
        if (!sub.endsWith('package.json')) entries.push(sub === '.' ? pkg.json.name : `${pkg.json.name}${sub.slice(1)}`);
      }
    }
    writeFileSync(join(project, 'entries.ts'), `${entries.map((e, i) => `import * as m${i} from '${e}';`).join('\n')}\nexport const all = [${entries.map((_, i) => `m${i}`).join(', ')}];\n`);
    writeFileSync(join(project, 'example.ts'), readmeExample());
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
        files: ['example.ts', 'entries.ts'],
      }),
    );
    const r = await run(NODE, [join(project, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: project, env: cleanEnv() });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.code).toBe(0);
    // And each entry loads in Node.
    const load = await run(NODE, ['--input-type=module', '-e', 'for (const e of process.argv.slice(1)) await import(e);', ...entries], { cwd: project, env: cleanEnv() });
    expect(load.stderr).toBe('');
    expect(load.code).toBe(0);
  });

  it('runs a CodeAgent on the published sandbox (worker and WASM files included)', async () => {
    writeFileSync(
      join(project, 'code.mjs'),
      [
        "import { CodeAgent } from '@smol/core';",
        "import { OpenAIServerModel } from '@smol/openai';",
        "const model = new OpenAIServerModel({ modelId: 'm', baseURL: process.env.OPENAI_BASE_URL, apiKey: 'sk-test' });",
        'console.log(await new CodeAgent({ model, tools: [] }).arun("compute"));',
      ].join('\n'),
    );
    const mock = await startJsonLineProcess(join(project, 'node_modules/.bin/smol-mock-llm'), ['--port', '0', '--scenario', 'code'], project, cleanEnv());
    try {
      const r = await run(NODE, ['code.mjs'], { cwd: project, env: cleanEnv({ OPENAI_BASE_URL: `${mock.value.url as string}/v1` }) });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('The answer is 42');
    } finally {
      await mock.stop();
    }
  });

  it("serves useChat from the published @smol/server, loading its optional peer @smol/ai-sdk", async () => {
    writeFileSync(
      join(project, 'chat.mjs'),
      [
        "import { ToolCallingAgent, tool } from '@smol/core';",
        "import { OpenAIServerModel } from '@smol/openai';",
        "import { createHandler } from '@smol/server';",
        "import { DefaultChatTransport, readUIMessageStream } from 'ai';",
        "import { z } from 'zod';",
        "const getWeather = tool({ name: 'get_weather', description: 'Weather.', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny and 21°C in ${city}` });",
        "const model = new OpenAIServerModel({ modelId: 'm', baseURL: process.env.OPENAI_BASE_URL, apiKey: 'sk-test' });",
        'const handler = createHandler({ agents: new ToolCallingAgent({ model, tools: [getWeather] }) });',
        "const transport = new DefaultChatTransport({ api: 'http://smol.test/api/chat', fetch: (url, init) => handler.fetch(new Request(url, init)) });",
        "const stream = await transport.sendMessages({ chatId: 'c', trigger: 'submit-message', messageId: undefined, abortSignal: undefined, messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'What is the weather in Paris?' }] }] });",
        'let last;',
        'for await (const message of readUIMessageStream({ stream })) last = message;',
        "const call = last.parts.find((p) => p.type === 'tool-get_weather');",
        "console.log(JSON.stringify({ state: call?.state, output: call?.output, run: last.parts.find((p) => p.type === 'data-run')?.data.state }));",
      ].join('\n'),
    );
    const mock = await startJsonLineProcess(join(project, 'node_modules/.bin/smol-mock-llm'), ['--port', '0'], project, cleanEnv());
    try {
      const r = await run(NODE, ['chat.mjs'], { cwd: project, env: cleanEnv({ OPENAI_BASE_URL: `${mock.value.url as string}/v1` }) });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ state: 'output-available', output: expect.stringContaining('Sunny and 21°C in'), run: 'success' });
    } finally {
      await mock.stop();
    }
  });
});

describe('the smol bin from the tarballs', () => {
  it('npx smol run --simulated answers; smol serve --help works', async () => {
    const r = await run('npx', ['--no-install', 'smol', 'run', '--simulated', '--verbosity', 'off', 'What is 6 times 7?'], { cwd: project, env: cleanEnv() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('The answer is 42 (task: What is 6 times 7?)\n');
    const help = await run('npx', ['--no-install', 'smol', 'serve', '--help'], { cwd: project, env: cleanEnv() });
    expect(help.stdout).toMatch(/^Usage: smol serve/);
  });
});
