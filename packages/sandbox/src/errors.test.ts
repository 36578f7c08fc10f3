// Every error the sandbox throws is an AgentError (isInstance works across package copies),
// named and worded as before.
import { AgentConfigError, AgentError } from '@smol/core';
import { describe, expect, it } from 'vitest';
import { InProcessQuickJsExecutor, QuickJsExecutor, SandboxConfigError, SandboxError } from './index.ts';

const callTool = async () => 1;

async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('sandbox errors', () => {
  it('bad options are SandboxConfigError, an AgentConfigError', async () => {
    const executor = new InProcessQuickJsExecutor();
    const errors = [
      await caught(() => new QuickJsExecutor({ limits: { timeoutMs: -1 } })),
      await caught(() => new QuickJsExecutor({ recycleHeapBytes: -5 })),
      await caught(() => executor.createSession({ toolNames: ['bad name'], callTool })),
      await caught(() => executor.createSession({ toolNames: [], callTool, variables: { f: () => 1 } as never })),
      await caught(() => executor.createSession({ toolNames: [], callTool, variables: [] as never })),
    ];
    for (const e of errors) {
      expect(SandboxConfigError.isInstance(e)).toBe(true);
      expect(AgentConfigError.isInstance(e)).toBe(true);
      expect(AgentError.isInstance(e)).toBe(true);
      expect((e as Error).name).toBe('SandboxConfigError');
    }
    expect((errors[3] as Error).message).toMatch(/variables must be JSON data, but key "f" is a function/);
    await executor.close();
  });

  it('a closed executor, a full pool and a disposed session throw SandboxError', async () => {
    const executor = new InProcessQuickJsExecutor({ sessionsPerWorker: 1 });
    const s = await executor.createSession({ toolNames: [], callTool });
    const full = await caught(() => executor.createSession({ toolNames: [], callTool }));
    expect(SandboxError.isInstance(full)).toBe(true);
    expect((full as Error).message).toMatch(/pool is full/);
    await s.dispose();
    const disposed = await caught(() => s.execute('1'));
    expect(SandboxError.isInstance(disposed)).toBe(true);
    expect(disposed).toMatchObject({ name: 'SandboxError', message: 'This sandbox session has been disposed.' });
    await executor.close();
    const closed = await caught(() => executor.createSession({ toolNames: [], callTool }));
    expect(AgentError.isInstance(closed)).toBe(true);
    expect(closed).toMatchObject({ name: 'SandboxError', message: 'This executor is closed.' });
  });

  it('a snippet that does not parse is a SyntaxError result with its line, not a throw', async () => {
    const executor = new QuickJsExecutor({ workers: 1 });
    const s = await executor.createSession({ toolNames: [], callTool });
    const r = await s.execute('let a = 1;\nlet = = 2');
    expect(r.error).toMatchObject({ name: 'SyntaxError', line: 2, source: 'let = = 2' });
    expect((await s.execute('a')).output).toBeUndefined();
    await s.dispose();
    await executor.close();
  });
});
