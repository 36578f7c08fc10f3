// UserInputTool's default prompt reads the real stdin, so these run a small program in a child
// process (on this source, through Node's TypeScript transform) with stdin closed, piped or at EOF.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const source = new URL('./user-input-tool.ts', import.meta.url).href;

// The program: asks twice, as a model might after the first error; keeps the event loop alive
// the way a real app does (a server, a timer), so a question that never settles hangs.
const program = `
import { registerHooks } from 'node:module';
// Source files import each other as .js: resolve those to the .ts next to them.
registerHooks({
  resolve(specifier, context, next) {
    try { return next(specifier, context); } catch (error) {
      if (specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
      throw error;
    }
  },
});
const { UserInputTool } = await import(${JSON.stringify(source)});
const keepAlive = setInterval(() => {}, 1000);
const tool = new UserInputTool();
const context = { signal: new AbortController().signal, runId: 'r', state: {} };
for (const question of ['What is your name?', 'Your city?']) {
  try {
    process.stderr.write('answer: ' + JSON.stringify(await tool.forward({ question }, context)) + '\\n');
  } catch (error) {
    process.stderr.write(error.name + ': ' + error.message + '\\n');
  }
}
clearInterval(keepAlive);
`;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the program with the given stdin; kills it after 15 s (a hang) so the test reports instead of waiting. */
function runProgram(stdin: 'ignore' | { input: string }): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--input-type=module', '-e', program], { stdio: [stdin === 'ignore' ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== 'ignore') child.stdin!.end(stdin.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr!.on('data', (d: Buffer) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe('UserInputTool on the terminal', () => {
  it('fails with a clear error when stdin is closed (no terminal), and the program exits', async () => {
    const r = await runProgram('ignore');
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^AgentExecutionError: Could not ask the user "What is your name\?": stdin is closed \(end of file\)/);
    expect(lines[0]).toContain('give UserInputTool an ask function');
    // The second question fails at once, without printing a prompt that nobody can answer.
    expect(lines[1]).toMatch(/^AgentExecutionError: Could not ask the user "Your city\?"/);
    expect(r.stdout).toBe('What is your name? => ');
  });

  it('fails the same way when stdin is an ended pipe', async () => {
    const r = await runProgram({ input: '' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^AgentExecutionError: Could not ask the user "What is your name\?": stdin is closed/);
  });

  it('still takes an answer from piped stdin (with or without a final newline), then reports the end', async () => {
    for (const input of ['Ada\n', 'Ada']) {
      const r = await runProgram({ input });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^answer: "Ada"\nAgentExecutionError: Could not ask the user "Your city\?": stdin is closed/);
    }
  });
});
