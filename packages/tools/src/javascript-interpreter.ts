import { tool, type CodeExecutor, type CodeLimits, type Tool } from '@smol/core';
import { z } from 'zod';

export interface JavascriptInterpreterOptions {
  /** The sandbox; default @smol/sandbox's shared worker pool (loaded on first use). */
  executor?: CodeExecutor;
  /** Limits per call, over the executor's (time, memory, output size). */
  limits?: Partial<CodeLimits>;
}

/**
 * `javascript_interpreter`: runs JavaScript in the QuickJS sandbox and returns its console output
 * and last value, for a ToolCallingAgent (smolagents' python_interpreter). Each call starts from a
 * fresh context: no network, no file system, no modules.
 */
export function javascriptInterpreter(options: JavascriptInterpreterOptions = {}): Tool<{ code: string }, string> {
  let executor: Promise<CodeExecutor> | undefined = options.executor ? Promise.resolve(options.executor) : undefined;
  const getExecutor = () => (executor ??= import('@smol/sandbox').then((m) => m.getDefaultExecutor()));
  return tool({
    name: 'javascript_interpreter',
    description:
      'Evaluates JavaScript code in a sandbox and returns what it printed with console.log and the value of its last expression. ' +
      'Top-level await works. Each call starts fresh; there is no network, file system or module import. Use it for calculations and data processing.',
    inputSchema: z.object({ code: z.string().describe('The JavaScript code to run.') }),
    outputType: 'string',
    async execute({ code }, { signal }) {
      const session = await (await getExecutor()).createSession({
        toolNames: [],
        callTool: async (name) => {
          throw new Error(`No tool named ${name} in the interpreter.`);
        },
        limits: options.limits,
      });
      try {
        const result = await session.execute(code, { signal });
        signal.throwIfAborted();
        const logs = result.logs ? `Stdout:\n${result.logs}\n` : 'Stdout: (nothing printed)\n';
        if (result.error) {
          const where = result.error.line ? ` at line ${result.error.line}${result.error.source ? ` '${result.error.source.trim()}'` : ''}` : '';
          return `${logs}Error${where}: ${result.error.name}: ${result.error.message}`;
        }
        return `${logs}Output: ${show(result.output)}`;
      } finally {
        await session.dispose();
      }
    },
  });
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
