import type { CodeLimits, CodeSession } from '@smol/core';
import { afterAll, describe, expect, it } from 'vitest';
import { QuickJsExecutor, SandboxConfigError } from './index.ts';

// One worker, so a memory bomb shares its WASM module with the bystander session.
const executor = new QuickJsExecutor({ workers: 1, limits: { timeoutMs: 300, memoryBytes: 32 * 1024 * 1024 } });
afterAll(() => executor.close());

function open(limits: Partial<CodeLimits> = {}, callTool = async (_n: string, a: unknown) => a): Promise<CodeSession> {
  return executor.createSession({ toolNames: ['tool', 'slow'], callTool, limits });
}

describe('limits', () => {
  it('stops a synchronous infinite loop at the deadline', async () => {
    const s = await open();
    const started = Date.now();
    const r = await s.execute('let n = 0;\nwhile (true) { n++ }');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(r.error).toEqual({ name: 'TimeoutError', message: 'Execution timed out after 300 ms.' });
    expect((await s.execute('1 + 1')).output).toBe(2);
    await s.dispose();
  });

  it('stops a loop that starts after an await', async () => {
    const s = await open();
    const r = await s.execute('await tool({});\nfor (;;) {}');
    expect(r.error?.name).toBe('TimeoutError');
    await s.dispose();
  });

  it('counts time spent waiting on a tool', async () => {
    const s = await open({}, () => new Promise(() => {}));
    const r = await s.execute('console.log("waiting");\nawait slow({})');
    expect(r).toMatchObject({ logs: 'waiting', error: { name: 'TimeoutError' } });
    await s.dispose();
  });

  it('stops a memory bomb, resets that session, and leaves its neighbour intact', async () => {
    const bystander = await open();
    await bystander.execute('const kept = { value: "still here" }');
    for (const bomb of [
      'const a = [];\nwhile (true) a.push(new Array(100000).fill(1))',
      'let s = "x";\nwhile (true) s = s + s',
      'const o = [];\nwhile (true) o.push({ i: o.length, t: "t" + o.length })',
    ]) {
      const s = await open();
      await s.execute('const mine = 1');
      const r = await s.execute(bomb);
      // Free WASM memory left by an earlier bomb can be filled without growing, slowly
      // enough for the deadline to come first: also contained.
      expect(['MemoryLimitError', 'InternalError', 'RangeError', 'TimeoutError']).toContain(r.error?.name);
      if (r.error?.name === 'MemoryLimitError') {
        expect(r.error.message).toMatch(/reset/);
        expect((await s.execute('typeof mine')).output).toBe('undefined');
      }
      expect((await s.execute('"usable"')).output).toBe('usable');
      await s.dispose();
    }
    expect((await bystander.execute('kept.value')).output).toBe('still here');
    const stats = await executor.stats();
    expect(stats.wasmMemoryBytes).toBeLessThanOrEqual(2 * 1024 * 1024 * 1024);
    await bystander.dispose();
  });

  it('does not let a session keep more than its memory between executions', async () => {
    const s = await open({ memoryBytes: 8 * 1024 * 1024 });
    // Grows slowly enough to stay under the per-slice check, then is held in a global.
    const r = await s.execute('globalThis.hoard = [];\nfor (let i = 0; i < 40; i++) hoard.push(new Array(40000).fill(i))');
    expect(r.error?.name).toBe('MemoryLimitError');
    expect((await s.execute('typeof hoard')).output).toBe('undefined');
    await s.dispose();
  });

  it('turns deep recursion into a catchable error', async () => {
    const s = await open();
    const r = await s.execute('function f(n) { return f(n + 1) + 1 }\nf(0)');
    expect(r.error).toMatchObject({ name: 'InternalError', message: 'stack overflow', line: 1 });
    const caught = await s.execute('let msg;\ntry { f(0) } catch (e) { msg = e.message }\nmsg');
    expect(caught.output).toBe('stack overflow');
    await s.dispose();
  });

  it('truncates logs and output at maxOutputChars with a note', async () => {
    const s = await open({ maxOutputChars: 100 });
    const r = await s.execute('for (let i = 0; i < 1000; i++) console.log("line " + i);\n"x".repeat(500)');
    expect(r.logs.length).toBeLessThan(200);
    expect(r.logs).toMatch(/^line 0\nline 1\n/);
    expect(r.logs).toMatch(/output truncated at 100 characters/);
    expect(r.output).toMatch(/^"x+… \[output truncated: 502 characters in total\]$/);
    const huge = await s.execute('console.log("y".repeat(1e6)); 1');
    expect(huge.logs.length).toBeLessThan(200);
    // A final answer is never cut.
    expect((await s.execute('final_answer("z".repeat(1000))')).output).toHaveLength(1000);
    await s.dispose();
  });

  it('ends the execution after maxToolCalls tool calls, even if the code catches', async () => {
    const s = await open({ maxToolCalls: 3 });
    const r = await s.execute('let n = 0;\nfor (let i = 0; i < 10; i++) { try { await tool({ i }); n++ } catch (e) {} }\nn');
    expect(r.error?.name).toBe('ToolCallLimitError');
    expect((await s.execute('n')).output).toBe(3);
    const ok = await s.execute('await tool({}); await tool({}); await tool({}); "three is fine"');
    expect(ok.output).toBe('three is fine');
    await s.dispose();
  });

  it('validates limits', async () => {
    expect(() => new QuickJsExecutor({ limits: { timeoutMs: -1 } })).toThrow(SandboxConfigError);
    await expect(executor.createSession({ toolNames: ['bad name'], callTool: async () => 1 })).rejects.toThrow(SandboxConfigError);
    await expect(executor.createSession({ toolNames: ['console'], callTool: async () => 1 })).rejects.toThrow(SandboxConfigError);
  });
});
