import { getEventListeners } from 'node:events';
import type { CodeSession, HostToolCall } from '@smol/core';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessQuickJsExecutor, QuickJsExecutor } from './index.ts';

const executor = new QuickJsExecutor({ workers: 2, limits: { timeoutMs: 2000 } });
afterAll(() => executor.close());

const echo: HostToolCall = async (name, args) => ({ name, args });

async function open(callTool: HostToolCall = echo, toolNames = ['web_search', 'add'], extra = {}): Promise<CodeSession> {
  return executor.createSession({ toolNames, callTool, ...extra });
}

describe('QuickJsExecutor: running code', () => {
  it('returns the value of the last expression, with top-level await', async () => {
    const s = await open();
    expect(await s.execute('const r = await web_search({ query: "cats" });\nr.args.query + "!"')).toEqual({
      output: 'cats!',
      logs: '',
      isFinalAnswer: false,
    });
    expect((await s.execute('[1, 2].map((x) => x * 2)')).output).toEqual([2, 4]);
    expect((await s.execute('const z = 1;')).output).toBeUndefined();
    await s.dispose();
  });

  it('passes tool arguments and results as JSON copies', async () => {
    const seen: unknown[] = [];
    const s = await open(async (_name, args) => {
      seen.push(args);
      return { sum: (args as { a: number; b: number }).a + (args as { a: number; b: number }).b, when: new Date(0) };
    });
    const r = await s.execute('const a = { a: 2, b: 3 };\nconst res = await add(a);\n[res.sum, res.when, typeof res.when]');
    expect(r.output).toEqual([5, '1970-01-01T00:00:00.000Z', 'string']);
    expect(seen).toEqual([{ a: 2, b: 3 }]);
    const all = await s.execute('(await Promise.all([add({ a: 1, b: 1 }), add({ a: 2, b: 2 })])).map((r) => r.sum)');
    expect(all.output).toEqual([2, 4]);
    await s.dispose();
  });

  it('lets the code catch a tool error, and reports it when uncaught', async () => {
    const s = await open(async () => {
      throw new RangeError('quota exceeded');
    });
    const caught = await s.execute('let m;\ntry { await web_search({ q: 1 }) } catch (e) { m = e.name + ": " + e.message }\nm');
    expect(caught.output).toBe('RangeError: quota exceeded');
    const uncaught = await s.execute('\nawait web_search({ q: 1 })');
    expect(uncaught.error).toMatchObject({ name: 'RangeError', message: 'quota exceeded', line: 2 });
    await s.dispose();
  });

  it('ends on final_answer, even from nested functions or inside try/catch/finally', async () => {
    const s = await open();
    const nested = await s.execute(
      'async function deep() { try { final_answer({ done: [1, 2] }) } catch (e) { console.log("caught") } finally { console.log("finally") } }\n' +
        'try { await deep() } catch (e) { console.log("outer caught") }\nconsole.log("after"); 42',
    );
    expect(nested).toEqual({ output: { done: [1, 2] }, logs: '', isFinalAnswer: true });
    const plain = await s.execute('console.log("before"); final_answer("yes")');
    expect(plain).toEqual({ output: 'yes', logs: 'before', isFinalAnswer: true });
    // The session goes on after a final answer.
    expect((await s.execute('1 + 1')).output).toBe(2);
    await s.dispose();
  });

  it('captures console output', async () => {
    const s = await open();
    const r = await s.execute('console.log("a", 1, { b: [true, null] }); console.error(new TypeError("bad")); console.warn(undefined, 2n)');
    expect(r.logs).toBe('a 1 {"b":[true,null]}\nTypeError: bad\nundefined 2n');
    await s.dispose();
  });

  it('keeps state across executions; declaring again is not an error', async () => {
    const s = await open();
    await s.execute('const x = 1;\nlet y = 2;\nvar v = 3;\nfunction f() { return x + y + v }\nclass K { get k() { return "k" } }');
    expect((await s.execute('f() + new K().k')).output).toBe('6k');
    await s.execute('const x = 10;\nlet y = 20;\nfunction f() { return x * y }\nclass K {}');
    expect((await s.execute('[f(), typeof K, v]')).output).toEqual([200, 'function', 3]);
    expect((await s.execute('for (var i = 0; i < 3; i++) {}\nif (true) { var inner = "kept" }\n[i, inner]')).output).toEqual([3, 'kept']);
    await s.dispose();
  });

  it('defines the variables option as globals', async () => {
    const s = await open(echo, [], { variables: { doc: { title: 'T' }, n: 3 } });
    expect((await s.execute('doc.title.repeat(n)')).output).toBe('TTT');
    await s.dispose();
    await expect(executor.createSession({ toolNames: [], callTool: echo, variables: { f: () => 1 } })).rejects.toThrow(/JSON data/);
  });

  it('reports errors with their line and source, keeping earlier logs', async () => {
    const s = await open();
    const r = await s.execute('console.log("step 1");\nconst data = null;\n\n  data.items.length');
    expect(r).toEqual({
      output: undefined,
      logs: 'step 1',
      isFinalAnswer: false,
      error: { name: 'TypeError', message: "cannot read property 'items' of null", line: 4, source: 'data.items.length' },
    });
    const syntax = await s.execute('let a = 1;\nlet b = ;');
    expect(syntax.error).toMatchObject({ name: 'SyntaxError', line: 2, source: 'let b = ;' });
    const inFunction = await s.execute('function g() {\n  throw new RangeError("nope")\n}\ng()');
    expect(inFunction.error).toMatchObject({ name: 'RangeError', message: 'nope', line: 2 });
    await s.dispose();
  });

  it('reports thrown non-Error values', async () => {
    const s = await open();
    expect((await s.execute('throw 1')).error).toMatchObject({ name: 'Error', message: 'Uncaught 1' });
    expect((await s.execute('throw null')).error).toMatchObject({ name: 'Error', message: 'Uncaught null' });
    expect((await s.execute('throw {}')).error).toMatchObject({ name: 'Error', message: 'Uncaught {}' });
    expect((await s.execute('throw "plain"')).error).toMatchObject({ name: 'Error', message: 'plain' });
    await s.dispose();
  });

  it('reports a promise that can never settle instead of hanging', async () => {
    const s = await open();
    const r = await s.execute('await new Promise(() => {})');
    expect(r.error?.name).toBe('UnsettledPromiseError');
    await s.dispose();
  });

  it('describes a last value that is not JSON data instead of failing', async () => {
    const s = await open();
    expect((await s.execute('[function named() {}, Symbol("s"), 10n]')).output).toEqual(['[Function named]', 'Symbol(s)', '10n']);
    expect((await s.execute('const c = {}; c.c = c; c')).output).toMatch(/^\[Unserializable value: /);
    await s.dispose();
  });
});

describe('QuickJsExecutor: abort', () => {
  it('rejects with the signal reason while the code loops, and the session stays usable', async () => {
    const s = await open();
    const controller = new AbortController();
    const started = Date.now();
    const pending = s.execute('while (true) {}', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user stop')), 50);
    await expect(pending).rejects.toThrow('user stop');
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await s.execute('"alive"')).output).toBe('alive');
    await s.dispose();
  });

  it('aborts while a tool runs, and the tool sees its signal abort', async () => {
    let toolSignal: AbortSignal | undefined;
    const calling = Promise.withResolvers<void>();
    const s = await open((_name, _args, signal) => {
      toolSignal = signal;
      calling.resolve();
      return new Promise(() => {});
    });
    const controller = new AbortController();
    const pending = s.execute('await web_search({})', { signal: controller.signal });
    await calling.promise; // aborted while the tool runs, however long a loaded machine takes to get there
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(toolSignal?.aborted).toBe(true);
    await expect(s.execute('1', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await s.dispose();
  });

  it('leaves no listener on the caller signal', async () => {
    const s = await open();
    const controller = new AbortController();
    for (let i = 0; i < 200; i++) await s.execute('await web_search({ i: 1 }); 1', { signal: controller.signal });
    await s.execute('throw new Error("failing steps too")', { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await s.dispose();
  });

  it('aborts tools still running when the execution ends', async () => {
    let toolSignal: AbortSignal | undefined;
    const s = await open((_name, _args, signal) => {
      toolSignal = signal;
      return new Promise(() => {});
    });
    const r = await s.execute('web_search({}); "not awaited"');
    expect(r.output).toBe('not awaited');
    expect(toolSignal?.aborted).toBe(true);
    await s.dispose();
  });
});

describe('InProcessQuickJsExecutor', () => {
  it('runs the same code on the calling thread', async () => {
    const inProcess = new InProcessQuickJsExecutor({ limits: { timeoutMs: 300 } });
    const s = await inProcess.createSession({ toolNames: ['add'], callTool: async (_n, a) => (a as { x: number }).x + 1 });
    expect((await s.execute('const v = await add({ x: 1 });\nv * 10')).output).toBe(20);
    expect((await s.execute('while (true) {}')).error?.name).toBe('TimeoutError');
    expect((await s.execute('v')).output).toBe(2);
    await s.dispose();
    expect((await inProcess.stats()).liveContexts).toBe(0);
    await inProcess.close();
  });
});
