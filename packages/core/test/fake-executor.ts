// A test-only executor: runs code with AsyncFunction on the host. NOT a sandbox; it exists
// so core can test CodeAgent's protocol without @smol/sandbox (which depends on core).
import type { CodeExecutionResult, CodeExecutor, CodeSession, CodeSessionOptions } from '../src/index.js';

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
const FINAL = Symbol('final');

export class FakeExecutor implements CodeExecutor {
  live = 0;
  created: CodeSessionOptions[] = [];
  async createSession(options: CodeSessionOptions): Promise<CodeSession> {
    this.created.push(options);
    this.live++;
    const scope: Record<string, unknown> = { ...options.variables };
    const executor = this;
    return {
      async execute(code: string): Promise<CodeExecutionResult> {
        const logs: string[] = [];
        const lines = code.trimEnd().split('\n');
        const last = lines.at(-1)!.trim().replace(/;$/, '');
        const isExpression = last && !/^(const|let|var|function|class|if|for|while|return|\}|\/\/)/.test(last) && !last.includes('final_answer');
        const body = isExpression ? `${lines.slice(0, -1).join('\n')}\nreturn (${last});` : code;
        const tools: Record<string, unknown> = {};
        for (const name of options.toolNames) tools[name] = (args: unknown) => options.callTool(name, args, new AbortController().signal);
        const finalAnswer = (value: unknown) => {
          throw { [FINAL]: true, value };
        };
        const consoleLike = { log: (...a: unknown[]) => void logs.push(a.map(String).join(" ")) };
        try {
          const fn = new AsyncFunction('scope', 'console', 'final_answer', ...options.toolNames, body);
          const output = await fn(scope, consoleLike, finalAnswer, ...options.toolNames.map((n) => tools[n]));
          return { output, logs: logs.join('\n'), isFinalAnswer: false };
        } catch (error) {
          if (typeof error === 'object' && error !== null && FINAL in error) {
            return { output: (error as unknown as { value: unknown }).value, logs: logs.join('\n'), isFinalAnswer: true };
          }
          const e = error as Error;
          return { output: undefined, logs: logs.join('\n'), isFinalAnswer: false, error: { name: e.name, message: e.message, line: 2, source: lines[1] } };
        }
      },
      async dispose() {
        executor.live--;
      },
    };
  }
}
