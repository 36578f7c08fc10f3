// A QuickJS runtime and context with the prelude installed: what one session's globals live in.
import type { CodeLimits } from '@smol/core';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule, VmCallResult } from 'quickjs-emscripten-core';
import { PRELUDE_FILE, PRELUDE_SOURCE } from './prelude.ts';
import { SNIPPET_FILE } from './transform.ts';

type HostFunctionResult = QuickJSHandle | VmCallResult<QuickJSHandle> | undefined;

/** The session's side of the host functions the prelude receives, and its interrupt handler. */
export interface GuestHooks {
  shouldInterrupt(): boolean;
  onCall(vm: QuickJSContext, name: QuickJSHandle, json: QuickJSHandle): HostFunctionResult;
  onFinal(vm: QuickJSContext, json: QuickJSHandle): HostFunctionResult;
  onLog(vm: QuickJSContext, text: QuickJSHandle): HostFunctionResult;
}

interface GuestApi {
  install: QuickJSHandle;
  outputJson: QuickJSHandle;
  describeError: QuickJSHandle;
  setVariables: QuickJSHandle;
}

export class GuestContext {
  readonly rt: QuickJSRuntime;
  readonly vm: QuickJSContext;
  private readonly api: GuestApi;

  private constructor(rt: QuickJSRuntime, vm: QuickJSContext, api: GuestApi) {
    this.rt = rt;
    this.vm = vm;
    this.api = api;
  }

  static create(module: QuickJSWASMModule, hooks: GuestHooks, toolNames: string[], variablesJson: string, limits: CodeLimits): GuestContext {
    // A runtime of our own, so the context can be freed without freeing the runtime.
    const rt = module.newRuntime();
    const vm = rt.newContext();
    rt.context = vm; // computeMemoryUsage would otherwise create a second, hidden context
    const temp: QuickJSHandle[] = [];
    let api: GuestApi | undefined;
    try {
      rt.setMaxStackSize(limits.stackBytes);
      // No rt.setMemoryLimit: in this build it only catches single huge allocations, with an
      // "out of memory" the guest can catch unseen. The engine's memory.grow hook bounds
      // allocation instead, and ends the execution when it refuses.
      rt.setInterruptHandler(() => hooks.shouldInterrupt());
      const args = [
        vm.newFunction('call', (name, json) => hooks.onCall(vm, name, json)),
        vm.newFunction('final', (json) => hooks.onFinal(vm, json)),
        vm.newFunction('log', (text) => hooks.onLog(vm, text)),
        vm.newString(JSON.stringify(toolNames)),
        vm.newNumber(limits.maxOutputChars),
      ];
      temp.push(...args);
      const factory = vm.unwrapResult(vm.evalCode(PRELUDE_SOURCE, PRELUDE_FILE));
      temp.push(factory);
      const exports = vm.unwrapResult(vm.callFunction(factory, vm.undefined, ...args));
      temp.push(exports);
      api = {
        install: vm.getProp(exports, 'install'),
        outputJson: vm.getProp(exports, 'outputJson'),
        describeError: vm.getProp(exports, 'describeError'),
        setVariables: vm.getProp(exports, 'setVariables'),
      };
      if (variablesJson !== '{}') {
        const text = vm.newString(variablesJson);
        temp.push(text);
        vm.unwrapResult(vm.callFunction(api.setVariables, vm.undefined, text)).dispose();
      }
    } catch (error) {
      for (const h of temp) if (h.alive) h.dispose();
      if (api) for (const h of Object.values(api)) h.dispose();
      vm.dispose();
      rt.dispose();
      throw error;
    }
    for (const h of temp) if (h.alive) h.dispose();
    return new GuestContext(rt, vm, api);
  }

  // QuickJS can leak objects when an interrupt or a failed allocation lands inside its promise
  // machinery, and JS_FreeRuntime then fails an assertion that aborts the whole WASM module
  // (every session of the engine). Freeing the context alone is safe; the caller quarantines a
  // runtime that saw such an event instead of freeing it.
  dispose(freeRuntime: boolean): void {
    for (const h of Object.values(this.api)) if (h.alive) h.dispose();
    this.vm.dispose();
    if (freeRuntime) this.rt.dispose();
  }

  /** Installs tools and console again, then evaluates the wrapped snippet. */
  run(wrapped: string): { promise?: QuickJSHandle; thrown?: QuickJSHandle } {
    const vm = this.vm;
    const installed = vm.callFunction(this.api.install, vm.undefined);
    (installed.error ?? installed.value).dispose();
    const result = vm.evalCode(wrapped, SNIPPET_FILE);
    return result.error ? { thrown: result.error } : { promise: result.value };
  }

  /** Calls a prelude helper on a guest value; returns its string result, if any. */
  helper(name: 'outputJson' | 'describeError', arg: QuickJSHandle): string | undefined {
    const vm = this.vm;
    const r = vm.callFunction(this.api[name], vm.undefined, arg);
    if (r.error) {
      r.error.dispose();
      return undefined;
    }
    const text = vm.typeof(r.value) === 'string' ? vm.getString(r.value) : undefined;
    r.value.dispose();
    return text;
  }

  /** Whether a value QuickJS threw is its "out of memory" error (read without running guest code). */
  isOutOfMemory(error: QuickJSHandle): boolean {
    const vm = this.vm;
    try {
      if (vm.typeof(error) !== 'object') return false;
      const message = vm.getProp(error, 'message');
      const text = vm.typeof(message) === 'string' ? vm.getString(message) : '';
      message.dispose();
      return text === 'out of memory';
    } catch {
      return false;
    }
  }

  /** Bytes the runtime's objects use, counted by walking them (about 15 µs for a small heap). */
  memoryUsed(): number {
    const vm = this.vm;
    try {
      const usage = this.rt.computeMemoryUsage();
      const used = vm.getProp(usage, 'memory_used_size');
      const n = vm.getNumber(used);
      used.dispose();
      usage.dispose();
      return n;
    } catch {
      return Infinity; // could not even measure: treat it as over any limit
    }
  }
}
