import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';

// Runs src/cli.ts directly on Node's type stripping; a resolve hook maps the `.js` import
// specifiers of the sources to their `.ts` files.
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { registerHooks } from 'node:module';
     registerHooks({ resolve(specifier, context, next) {
       try { return next(specifier, context); }
       catch (err) { if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context); throw err; }
     } });`,
  );

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startCli(args: string[]): Promise<{ child: ChildProcess; info: { url: string; port: number }; stderr: () => string }> {
  const child = spawn(process.execPath, ['--no-warnings', '--import', HOOK, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  let stdout = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const nl = stdout.indexOf('\n');
      if (nl !== -1) resolve(stdout.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`CLI exited with ${code}: ${stderr}`)));
  });
  return { child, info: JSON.parse(line) as { url: string; port: number }, stderr: () => stderr };
}

describe('smol-mock-llm CLI', () => {
  it('prints one JSON line with url and port, answers, and exits cleanly on SIGTERM', async () => {
    const { child, info } = await startCli(['--port', '0', '--latency-ms', '20', '--tool-calls', '1']);
    expect(info.url).toBe(`http://127.0.0.1:${info.port}`);
    expect(info.port).toBeGreaterThan(0);
    const openai = new OpenAI({ baseURL: `${info.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const res = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'What time is it?' }] });
    expect(res.choices[0].message.content).toBe('Answer to "What time is it?"');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });

  it('serves the code scenario and exits on SIGINT', async () => {
    const { child, info } = await startCli(['--scenario', 'code', '--chunk-delay-ms', '1']);
    const openai = new OpenAI({ baseURL: `${info.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const stream = openai.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'compute' }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.content).toContain('const x = 6 * 7;');
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    expect(((await exited) as [number | null])[0]).toBe(0);
  });

  it('rejects bad arguments with exit code 2', async () => {
    const child = spawn(process.execPath, ['--no-warnings', '--import', HOOK, CLI, '--scenario', 'nope'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('--scenario must be');
  });
});
