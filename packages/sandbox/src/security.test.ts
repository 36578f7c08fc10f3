// Escape and abuse attempts. Each one must be contained: a clear result, the host alive, the
// host's built-ins untouched, and other sessions unaffected.
import type { CodeExecutionResult, HostToolCall } from '@smol/core';
import { afterAll, describe, expect, it } from 'vitest';
import { QuickJsExecutor } from './index.ts';

const snapshot = () =>
  [Object.prototype, Array.prototype, Function.prototype, Promise.prototype, JSON].map((o) =>
    Reflect.ownKeys(o)
      .map(String)
      .sort()
      .join(','),
  );
const before = snapshot();

const executor = new QuickJsExecutor({ workers: 2, limits: { timeoutMs: 300, memoryBytes: 32 * 1024 * 1024 } });
afterAll(() => executor.close());

const calls: unknown[] = [];
const defaultTool: HostToolCall = async (_name, args) => {
  calls.push(args);
  return { ok: true };
};

async function run(code: string, callTool: HostToolCall = defaultTool, toolNames = ['tool']): Promise<CodeExecutionResult> {
  const s = await executor.createSession({ toolNames, callTool });
  try {
    return await s.execute(code);
  } finally {
    await s.dispose();
  }
}

async function runSteps(steps: string[], callTool: HostToolCall = defaultTool): Promise<CodeExecutionResult[]> {
  const s = await executor.createSession({ toolNames: ['tool'], callTool });
  const out: CodeExecutionResult[] = [];
  for (const code of steps) out.push(await s.execute(code));
  await s.dispose();
  return out;
}

describe('no host objects in reach', () => {
  for (const name of ['process', 'require', 'module', 'exports', '__dirname', 'Buffer', 'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'WebAssembly', 'std', 'os']) {
    it(`has no ${name}`, async () => {
      expect((await run(`typeof ${name}`)).output).toBe('undefined');
    });
  }

  it('globalThis is the guest global, with only known extras', async () => {
    const r = await run('Object.getOwnPropertyNames(globalThis).filter((k) => /host|call|__/i.test(k))');
    expect(r.output).toEqual([]);
  });

  it('Function("return this")() is the guest global', async () => {
    expect((await run('const g = Function("return this")();\n[g === globalThis, typeof g.process]')).output).toEqual([true, 'undefined']);
  });

  it('constructor chains stay in the guest realm', async () => {
    const r = await run(
      '[(() => {}).constructor("return typeof process")(), globalThis.constructor.constructor("return typeof require")(), await tool.constructor("return typeof process")(), console.log.constructor.constructor("return this")() === globalThis]',
    );
    expect(r.output).toEqual(['undefined', 'undefined', 'undefined', true]);
  });

  it('objects returned by tools are guest objects', async () => {
    const r = await run('const res = await tool({});\n[res.constructor === Object, res.constructor.constructor("return typeof process")()]');
    expect(r.output).toEqual([true, 'undefined']);
  });

  it('host error stacks do not reach the guest', async () => {
    const r = await run('let s;\ntry { await tool({}) } catch (e) { s = String(e.stack) }\ns', async () => {
      throw new Error('boom');
    });
    expect(r.output).not.toMatch(/node:|\/work\/|\.ts/);
  });

  it('import() fails', async () => {
    const r = await run('await import("fs")');
    expect(r.error).toBeDefined();
    expect(r.output).toBeUndefined();
  });

  it('import() built by Function fails', async () => {
    expect((await run('await new Function("return import(\\"node:child_process\\")")()')).error).toBeDefined();
  });

  it('import.meta and static imports are syntax errors', async () => {
    expect((await run('import.meta.url')).error?.name).toBe('SyntaxError');
    expect((await run('import fs from "fs"')).error?.name).toBe('SyntaxError');
  });

  it('require and eval("process") are reference errors', async () => {
    expect((await run('require("child_process")')).error?.name).toBe('ReferenceError');
    expect((await run('eval("process.exit(1)")')).error?.name).toBe('ReferenceError');
  });

  it('the host functions behind the tools cannot be reached', async () => {
    const r = await run('[Object.getOwnPropertyNames(tool).sort().join(), Object.getPrototypeOf(tool) === Object.getPrototypeOf(async function () {})]');
    expect(r).toMatchObject({ output: ['length,name', true] });
  });
});

describe('prototype pollution', () => {
  it('__proto__ in tool arguments does not pollute the host', async () => {
    let received: unknown;
    await run('await tool(JSON.parse(\'{"__proto__": {"polluted": "yes"}, "a": 1}\'))', async (_n, args) => {
      received = args;
      // A naive merge in a tool.
      Object.assign({}, args);
      return null;
    });
    expect(received).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('constructor.prototype in tool arguments is plain data', async () => {
    let received: { constructor?: unknown } = {};
    await run('await tool({ constructor: { prototype: { polluted: "yes" } } })', async (_n, args) => {
      received = args as { constructor?: unknown };
      return null;
    });
    expect(received.constructor).toEqual({ prototype: { polluted: 'yes' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('__proto__ in tool results only lands as guest data', async () => {
    const r = await run('const v = await tool({});\n[({}).x === undefined, Object.getPrototypeOf(v) === Object.prototype, v.y]', async () =>
      JSON.parse('{"__proto__": {"x": 1}, "y": 2}'),
    );
    expect(r.output).toEqual([true, true, 2]);
  });

  it('tampering with Object.prototype in one session does not reach another', async () => {
    await run('Object.prototype.evil = 1; Array.prototype.map = null; JSON.parse = () => "hijacked"');
    expect((await run('[({}).evil, typeof [].map, JSON.parse("1")]')).output).toEqual([null, 'function', 1]);
  });

  it('tool results are copies', async () => {
    const shared = { count: 1 };
    await run('const v = await tool({}); v.count = 999', async () => shared);
    expect(shared).toEqual({ count: 1 });
  });
});

describe('tampering with the sandbox API', () => {
  it('replacing JSON.stringify and JSON.parse does not break tools', async () => {
    const r = await run('JSON.stringify = () => { throw new Error("no") }; JSON.parse = () => 0;\n(await tool({ a: 1 })).ok');
    expect(r.output).toBe(true);
  });

  it('Object.prototype.toJSON changes only what the guest sends', async () => {
    let received: unknown;
    const r = await run('Object.prototype.toJSON = () => "hacked";\nawait tool({ a: 1 }); "sent"', async (_n, a) => {
      received = a;
      return 1;
    });
    expect(r.output).toBe('sent');
    expect(received).toBe('hacked');
  });

  it('overwritten tools and final_answer are reinstalled next execution', async () => {
    const [, second] = await runSteps(['tool = () => "fake"; final_answer = (x) => x; console = null', '(await tool({})).ok']);
    expect(second!.output).toBe(true);
    const [, third] = await runSteps(['final_answer = () => 0', 'final_answer("real")']);
    expect(third!).toMatchObject({ output: 'real', isFinalAnswer: true });
  });

  it('a non-configurable tool global only breaks the guest', async () => {
    const results = await runSteps([
      'Object.defineProperty(globalThis, "tool", { value: 1, writable: false, configurable: false })',
      'typeof tool',
      'final_answer("still works")',
    ]);
    expect(results[1]!.output).toBe('number');
    expect(results[2]!).toMatchObject({ output: 'still works', isFinalAnswer: true });
  });

  it('a getter trap on a tool name is replaced', async () => {
    const [, r] = await runSteps(['Object.defineProperty(globalThis, "tool", { get() { for (;;) {} }, configurable: true })', '(await tool({})).ok']);
    expect(r!.output).toBe(true);
  });

  it('freezing the global object does not break the host', async () => {
    const [, r] = await runSteps(['Object.freeze(globalThis)', '1 + 1']);
    expect(r!.output).toBe(2);
  });

  it('replacing Promise or its then does not break tool calls', async () => {
    expect((await run('Promise = null;\n(await tool({})).ok')).output).toBe(true);
    const r = await run('Promise.prototype.then = function () { throw new Error("no then") };\n(await tool({})).ok');
    expect(r.error ?? r.output).toBeTruthy();
  });

  it('nothing runs after final_answer: finally blocks and later tool calls are skipped', async () => {
    calls.length = 0;
    const r = await run('try { final_answer(1) } finally { await tool({ after: true }) }\nawait tool({ later: true })');
    expect(r).toMatchObject({ output: 1, isFinalAnswer: true });
    expect(calls).toEqual([]);
  });

  it('final_answer with a value that is not JSON data is a catchable TypeError', async () => {
    const r = await run('const c = {}; c.c = c;\nlet m; try { final_answer(c) } catch (e) { m = e.name }\nm');
    expect(r).toMatchObject({ output: 'TypeError', isFinalAnswer: false });
  });
});

describe('values that are not JSON data', () => {
  for (const [label, value] of [
    ['a symbol', 'Symbol("s")'],
    ['a BigInt', '10n'],
    ['a nested function', '{ f: () => 1 }'],
    ['a cycle', '(() => { const c = {}; c.c = c; return c })()'],
  ]) {
    it(`passing ${label} to a tool is a clear TypeError`, async () => {
      const r = await run(`await tool({ v: ${value} })`);
      expect(r.error).toMatchObject({ name: 'TypeError', line: 1 });
      expect(r.error?.message).toMatch(/must be JSON data/);
    });
  }

  it('a tool returning a function, BigInt or cycle gives the guest a TypeError', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [() => 1, 10n, cyclic, Symbol('s')]) {
      const r = await run('await tool({})', async () => value);
      expect(r.error).toMatchObject({ name: 'TypeError' });
      expect(r.error?.message).toMatch(/The result of tool\(\) must be JSON data/);
    }
  });

  it('a tool called with a non-object is a TypeError', async () => {
    expect((await run('await tool("string")')).error?.message).toMatch(/one object argument/);
  });

  it('thrown symbols and proxies are described safely', async () => {
    expect((await run('throw Symbol("x")')).error?.message).toMatch(/Symbol\(x\)/);
    const r = await run('throw new Proxy({}, { get() { throw new Error("trap") }, has() { throw new Error("trap") } })');
    expect(r.error?.name).toBe('Error');
  });
});

describe('resource abuse', () => {
  it('an endless chain of microtasks is stopped', async () => {
    expect((await run('async function f() { for (;;) await null }\nawait f()')).error?.name).toBe('TimeoutError');
  });

  it('a floating promise loop does not outlive its execution', async () => {
    const [first, second] = await runSteps(['Promise.resolve().then(function loop() { return Promise.resolve().then(loop) }); "done"', '"next"']);
    // Stopped by the deadline or, as the chain allocates, by the memory limit; never a crash.
    expect(['TimeoutError', 'MemoryLimitError', undefined]).toContain(first!.error?.name);
    expect(second!.output).toBe('next');
  });

  it('a getter that loops while the error is described is stopped', async () => {
    expect((await run('throw { get message() { for (;;) {} } }')).error?.name).toBe('TimeoutError');
  });

  it('a toJSON that loops while logging is stopped', async () => {
    expect((await run('console.log({ toJSON() { for (;;) {} } })')).error?.name).toBe('TimeoutError');
  });

  it('a promise that never settles while a tool never answers hits the deadline', async () => {
    expect((await run('await tool({})', () => new Promise(() => {}))).error?.name).toBe('TimeoutError');
  });

  it('Atomics.wait cannot block the worker', async () => {
    const r = await run('Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000)');
    expect(r.error).toBeDefined();
  });

  it('huge typed arrays and strings are refused', async () => {
    for (const code of ['new Uint8Array(2 ** 30).length', '"x".repeat(2 ** 29).length', 'new Array(2 ** 25).fill(0).length']) {
      const r = await run(code);
      expect(['MemoryLimitError', 'InternalError', 'RangeError']).toContain(r.error?.name);
    }
  });

  it('huge tool arguments are handled', async () => {
    let size = 0;
    const r = await run('(await tool({ s: "x".repeat(5e6) })).ok', async (_n, a) => {
      size = (a as { s: string }).s.length;
      return { ok: true };
    });
    expect(r.output ?? r.error?.name).toBeTruthy();
    expect([0, 5e6]).toContain(size);
  });

  it('disposing a session mid-execution ends the execution and keeps the pool healthy', async () => {
    const s = await executor.createSession({ toolNames: [], callTool: defaultTool });
    const pending = s.execute('while (true) {}');
    await s.dispose();
    expect((await pending).error).toMatchObject({ name: 'SandboxError', message: expect.stringMatching(/disposed/) });
    expect((await run('"ok"')).output).toBe('ok');
  });
});

describe('the host afterwards', () => {
  it('has its built-ins untouched and every context disposed', async () => {
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
    const stats = await executor.stats();
    expect(stats).toMatchObject({ sessions: 0, liveContexts: 0 });
  });
});
