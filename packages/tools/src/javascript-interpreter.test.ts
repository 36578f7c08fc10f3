import type { ToolContext } from '@smol/core';
import { getDefaultExecutor, QuickJsExecutor } from '@smol/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { javascriptInterpreter } from './javascript-interpreter.ts';

const executor = new QuickJsExecutor({ workers: 1 });
afterAll(() => executor.close());
const ctx = (signal = new AbortController().signal): ToolContext => ({ signal, runId: 'r', state: {} });
const js = javascriptInterpreter({ executor });

describe('javascript_interpreter', () => {
  it('returns the logs and the last value', async () => {
    const out = await js.forward({ code: 'const xs = [3, 1, 2].sort();\nconsole.log("sorted", xs);\nxs.reduce((a, b) => a + b, 0) * 7' }, ctx());
    expect(out).toBe('Stdout:\nsorted [1,2,3]\nOutput: 42');
  });

  it('an error is text for the model, with the line and the logs so far', async () => {
    const out = await js.forward({ code: 'console.log("before");\nundefinedFn();' }, ctx());
    expect(out).toMatch(/^Stdout:\nbefore\nError at line 2 'undefinedFn\(\);': ReferenceError: .*undefinedFn/);
  });

  it('keeps to the sandbox limits: a runaway loop ends with a TimeoutError', async () => {
    const out = await javascriptInterpreter({ executor, limits: { timeoutMs: 200 } }).forward({ code: 'while (true) {}' }, ctx());
    expect(out).toMatch(/Error.*TimeoutError/);
  });

  it('without an executor, loads the shared @smol/sandbox pool on first use', async () => {
    try {
      expect(await javascriptInterpreter().forward({ code: '6 * 7' }, ctx())).toBe('Stdout: (nothing printed)\nOutput: 42');
    } finally {
      await getDefaultExecutor().close();
    }
  });

  it('each call starts fresh', async () => {
    await js.forward({ code: 'globalThis.leftover = 1' }, ctx());
    expect(await js.forward({ code: 'typeof leftover' }, ctx())).toBe('Stdout: (nothing printed)\nOutput: undefined');
  });

  it("the run's signal stops a busy snippet and the abort propagates", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 100);
    const started = performance.now();
    await expect(js.forward({ code: 'while (true) {}' }, ctx(controller.signal))).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
