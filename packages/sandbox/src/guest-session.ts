// One session inside an engine: a QuickJS context whose globals persist across executions,
// and the state machine of the execution running in it.
//
// An execution is a series of synchronous slices (the first evaluation, then one per tool
// result). Between slices the engine's thread is free for other sessions. Every slice runs
// under the interrupt handler, which ends it on final_answer, the deadline, an abort flag
// set by the host, or memory growth; QuickJS cannot catch that interrupt.
import type { CodeExecutionError, CodeLimits } from '@smol/core';
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import type { Engine } from './engine.ts';
import { GuestContext, type GuestHooks } from './guest-context.ts';
import type { ErrorInfo, WireResult } from './protocol.ts';
import { capOutput, lineInfo, memoryError, newExecution, type Execution } from './execution.ts';
import { transformSnippet } from './transform.ts';

const JOB_BATCH = 16;
const DRAIN_MS = 50;

export class GuestSession implements GuestHooks {
  private ctx?: GuestContext;
  /** An interrupt or a failed allocation happened in this runtime (see GuestContext.dispose). */
  private tainted = false;
  /** While leftover jobs of a finished execution run: when they must stop, and the memory base. */
  private drainUntil = 0;
  private drainBase = 0;
  private exec?: Execution;
  private readonly queue: { eid: number; code: string }[] = [];
  private closed = false;
  private readonly engine: Engine;
  private readonly sid: number;
  private readonly slot: number;
  private readonly toolNames: string[];
  private readonly variablesJson: string;
  private readonly limits: CodeLimits;

  constructor(engine: Engine, sid: number, slot: number, toolNames: string[], variablesJson: string, limits: CodeLimits) {
    this.engine = engine;
    this.sid = sid;
    this.slot = slot;
    this.toolNames = toolNames;
    this.variablesJson = variablesJson;
    this.limits = limits;
  }

  get hasContext(): boolean {
    return this.ctx !== undefined;
  }

  open(): void {
    this.createContext();
  }

  execute(eid: number, code: string): void {
    if (this.exec) this.queue.push({ eid, code });
    else this.start(eid, code);
  }

  abort(eid: number): void {
    const queued = this.queue.findIndex((q) => q.eid === eid);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.post(eid, { logs: '', isFinalAnswer: false, error: { name: 'AbortError', message: 'Execution aborted.' } });
      return;
    }
    const ex = this.exec;
    if (ex && ex.eid === eid && !ex.done) {
      ex.stop ??= 'abort';
      this.finishStopped(ex);
    }
  }

  toolResult(eid: number, callId: number, json: string | undefined, error: ErrorInfo | undefined): void {
    const ex = this.exec;
    const deferred = ex && ex.eid === eid && !ex.done ? ex.calls.get(callId) : undefined;
    if (!ex || !deferred || !this.ctx) return;
    ex.calls.delete(callId);
    const { vm } = this.ctx;
    this.slice(ex, () => {
      if (error) {
        const e = vm.newError({ name: error.name, message: error.message });
        deferred.reject(e);
        e.dispose();
      } else if (json === undefined) {
        deferred.resolve();
      } else {
        const s = vm.newString(json);
        deferred.resolve(s);
        s.dispose();
      }
      deferred.dispose();
    });
    this.settle(ex);
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    const ex = this.exec;
    if (ex) {
      ex.done = true;
      this.release(ex);
    }
    this.disposeContext();
  }

  // ---- context ----

  private createContext(): void {
    this.ctx = GuestContext.create(this.engine.module, this, this.toolNames, this.variablesJson, this.limits);
    this.tainted = false;
  }

  private disposeContext(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    this.ctx = undefined;
    ctx.dispose(!this.tainted);
    if (this.tainted) this.engine.quarantine(ctx.rt);
  }

  shouldInterrupt(): boolean {
    const ex = this.exec;
    if (ex?.stop === 'final' && !ex.finalFired) {
      // The host just recorded final_answer and its loop is spinning: a plain bytecode loop,
      // a known-safe place to interrupt, so this one does not taint the runtime.
      ex.finalFired = true;
      return true;
    }
    let stop = false;
    if (!ex) stop = this.drainUntil > 0 && Date.now() > this.drainUntil;
    else if (ex.stop && ex.stop !== 'final') stop = true;
    else {
      const reason = Atomics.load(this.engine.flags, this.slot) === ex.eid ? 'abort' : Date.now() > ex.deadline ? 'timeout' : undefined;
      if (reason) {
        ex.stop ??= reason; // a recorded final answer stays the result
        stop = true;
      }
    }
    if (stop) this.tainted = true;
    return stop;
  }

  /** Called by the engine before the WASM memory grows during this session's slice. */
  allowGrowth(bytes: number): boolean {
    const ex = this.exec;
    // Growth during a slice can only come from this slice: one slice runs at a time.
    const base = ex ? ex.sliceBase : this.drainBase;
    if (this.engine.memory.buffer.byteLength + bytes - base <= this.limits.memoryBytes) return true;
    this.outOfMemory();
    return false;
  }

  /** An allocation failed: QuickJS may leak on that path, so the runtime is tainted too. */
  outOfMemory(): void {
    this.tainted = true;
    if (this.exec && !this.exec.stop) this.exec.stop = 'memory';
  }

  // ---- host functions called by the prelude ----

  onCall(vm: QuickJSContext, nameHandle: QuickJSHandle, jsonHandle: QuickJSHandle) {
    const ex = this.exec;
    if (!ex || ex.stop) return { error: vm.newError({ name: 'Error', message: 'This execution has ended.' }) };
    if (vm.typeof(nameHandle) !== 'string' || vm.typeof(jsonHandle) !== 'string') {
      return { error: vm.newError({ name: 'TypeError', message: 'Invalid tool call.' }) };
    }
    const name = vm.getString(nameHandle);
    if (!this.toolNames.includes(name)) {
      return { error: vm.newError({ name: 'TypeError', message: `Unknown tool: ${name}` }) };
    }
    if (++ex.toolCalls > this.limits.maxToolCalls) {
      ex.stop = 'toolLimit';
      return { error: vm.newError({ name: 'ToolCallLimitError', message: 'Too many tool calls.' }) };
    }
    const callId = ++ex.nextCallId;
    const deferred = vm.newPromise();
    ex.calls.set(callId, deferred);
    this.engine.post({ type: 'tool', sid: this.sid, eid: ex.eid, callId, name, argsJson: vm.getString(jsonHandle) });
    return deferred.handle;
  }

  onFinal(vm: QuickJSContext, jsonHandle: QuickJSHandle) {
    const ex = this.exec;
    if (!ex || ex.stop || vm.typeof(jsonHandle) !== 'string') return undefined;
    ex.finalJson = vm.getString(jsonHandle);
    ex.stop = 'final';
    return undefined;
  }

  onLog(vm: QuickJSContext, textHandle: QuickJSHandle) {
    const ex = this.exec;
    if (!ex || ex.stop || vm.typeof(textHandle) !== 'string') return vm.false;
    const text = vm.getString(textHandle);
    const room = this.limits.maxOutputChars - ex.logChars;
    if (text.length + 1 > room) {
      if (room > 0) ex.logs.push(text.slice(0, room));
      ex.logChars = this.limits.maxOutputChars;
      ex.truncated = true;
      return vm.false;
    }
    ex.logs.push(text);
    ex.logChars += text.length + 1;
    return vm.true;
  }

  // ---- execution ----

  private start(eid: number, code: string): void {
    if (!this.ctx) {
      try {
        this.createContext();
      } catch (error) {
        const message = `Could not create a sandbox context: ${String(error)}`;
        this.post(eid, { logs: '', isFinalAnswer: false, error: { name: 'SandboxError', message } });
        return this.next();
      }
    }
    const ex = newExecution(eid, code, this.limits.timeoutMs);
    this.exec = ex;
    // Covers the time spent waiting for tools; loops are stopped by the interrupt handler.
    ex.timer = setTimeout(() => this.onDeadline(ex), this.limits.timeoutMs + 5);
    const { code: wrapped, syntaxError } = transformSnippet(code);
    if (syntaxError) return this.finish(ex, { name: 'SyntaxError', message: syntaxError.message, ...lineInfo(code, syntaxError.line) });
    const ctx = this.ctx!;
    this.slice(ex, () => Object.assign(ex, ctx.run(wrapped!)));
    this.settle(ex);
  }

  private slice(ex: Execution, fn: () => void): void {
    this.engine.markBusy(ex.deadline);
    this.engine.current = this;
    ex.sliceBase = this.engine.memory.buffer.byteLength;
    try {
      fn();
      const { rt } = this.ctx!;
      // Run the guest's promise jobs until it waits on a tool (or ends). Small batches, so a
      // final answer stops the run soon after the job that gave it.
      while (!ex.stop && rt.hasPendingJob()) {
        const jobs = rt.executePendingJobs(JOB_BATCH);
        if (jobs.error) {
          // Promise jobs turn guest exceptions into rejections; a job itself fails only when
          // QuickJS could not allocate or was interrupted.
          if (this.ctx!.isOutOfMemory(jobs.error)) this.outOfMemory();
          jobs.error.dispose();
        } else jobs.dispose();
      }
    } finally {
      this.engine.current = undefined;
      this.engine.markBusy(0);
    }
  }

  private onDeadline(ex: Execution): void {
    if (ex.done) return;
    ex.stop ??= 'timeout';
    this.finishStopped(ex);
  }

  private settle(ex: Execution): void {
    if (ex.done) return;
    if (ex.stop) return this.finishStopped(ex);
    if (ex.thrown) return this.finishWithGuestError(ex, ex.thrown);
    const state = this.ctx!.vm.getPromiseState(ex.promise!);
    if (state.type === 'pending') {
      // Only a tool result can settle it: nothing else outside the guest exists.
      if (ex.calls.size === 0) {
        this.finish(ex, {
          name: 'UnsettledPromiseError',
          message: 'The code awaits a promise that can never settle (no tool call is pending).',
        });
      }
      return;
    }
    if (state.type === 'rejected') return this.finishWithGuestError(ex, state.error);
    const text = this.callGuest(ex, 'outputJson', state.value);
    if (!state.notAPromise) state.value.dispose();
    if (ex.stop) return this.finishStopped(ex);
    this.finish(ex, undefined, text === undefined ? undefined : capOutput(text, this.limits.maxOutputChars));
  }

  private finishWithGuestError(ex: Execution, error: QuickJSHandle): void {
    const text = this.callGuest(ex, 'describeError', error);
    if (error !== ex.thrown) error.dispose();
    if (ex.stop) return this.finishStopped(ex);
    const info = text ? (JSON.parse(text) as { name: string; message: string; stack: string }) : undefined;
    if (!info) return this.finish(ex, { name: 'Error', message: 'The code threw a value that could not be described.' });
    if (info.message === 'out of memory') {
      this.outOfMemory();
      return this.finishStopped(ex);
    }
    if (info.message === 'stack overflow') this.tainted = true; // another error path that may leak
    const line = /snippet\.js:(\d+)/.exec(info.stack)?.[1];
    this.finish(ex, { name: info.name, message: info.message, ...lineInfo(ex.code, line ? Number(line) : undefined) });
  }

  private finishStopped(ex: Execution): void {
    const limits = this.limits;
    switch (ex.stop) {
      case 'final':
        return this.finish(ex, undefined, ex.finalJson, true);
      case 'timeout':
        // No line: QuickJS does not record the position at loop back-edges, so the line of an
        // interrupted loop is often the function's first line.
        return this.finish(ex, { name: 'TimeoutError', message: `Execution timed out after ${limits.timeoutMs} ms.` });
      case 'abort':
        return this.finish(ex, { name: 'AbortError', message: 'Execution aborted.' });
      case 'toolLimit':
        return this.finish(ex, {
          name: 'ToolCallLimitError',
          message: `The code made more than ${limits.maxToolCalls} tool calls in one execution.`,
        });
      default:
        return this.finish(ex, memoryError(limits.memoryBytes));
    }
  }

  private finish(ex: Execution, error?: CodeExecutionError, outputJson?: string, isFinalAnswer = false): void {
    if (ex.done) return;
    ex.done = true;
    this.release(ex);
    if (this.ctx && this.drainLeftoverJobs()) {
      ex.logs.push('[The sandbox was reset: code kept running after the execution ended.]');
    }
    // A session may not keep more than its memory between executions.
    if (this.ctx && (ex.stop === 'memory' || this.ctx.memoryUsed() > this.limits.memoryBytes)) {
      this.disposeContext();
      error = memoryError(this.limits.memoryBytes);
      outputJson = undefined;
      isFinalAnswer = false;
    }
    let logs = ex.logs.join('\n');
    if (ex.truncated) logs += `\n… [output truncated at ${this.limits.maxOutputChars} characters]`;
    const result: WireResult = { logs, isFinalAnswer };
    if (outputJson !== undefined) result.outputJson = outputJson;
    if (error) result.error = error;
    this.post(ex.eid, result);
    this.next();
  }

  private next(): void {
    const next = this.queue.shift();
    if (next && !this.closed) this.start(next.eid, next.code);
  }

  private release(ex: Execution): void {
    clearTimeout(ex.timer);
    if (this.exec === ex) this.exec = undefined;
    // Tool calls still in flight: their guest promises stay pending and are collected.
    for (const d of ex.calls.values()) if (d.alive) d.dispose();
    ex.calls.clear();
    if (ex.promise?.alive) ex.promise.dispose();
    if (ex.thrown?.alive) ex.thrown.dispose();
  }

  // After an interrupt or a final answer, continuations of the stopped code may still be
  // queued. They run now, muted (no tools, no logs), for a short while; what is still queued
  // then is discarded with the context. Returns true when the context was discarded.
  private drainLeftoverJobs(): boolean {
    const { rt } = this.ctx!;
    if (!rt.hasPendingJob()) return false;
    this.drainUntil = Date.now() + DRAIN_MS;
    this.drainBase = this.engine.memory.buffer.byteLength;
    this.engine.current = this;
    this.engine.markBusy(this.drainUntil);
    try {
      for (let i = 0; i < 10_000 && rt.hasPendingJob(); i++) {
        const jobs = rt.executePendingJobs(64);
        if (jobs.error) jobs.error.dispose();
        else jobs.dispose();
      }
    } finally {
      this.drainUntil = 0;
      this.engine.current = undefined;
      this.engine.markBusy(0);
    }
    if (!rt.hasPendingJob()) return false;
    this.tainted = true;
    this.disposeContext();
    return true;
  }

  /** Calls a prelude helper on a guest value, under the interrupt handler. */
  private callGuest(ex: Execution, name: 'outputJson' | 'describeError', arg: QuickJSHandle): string | undefined {
    let text: string | undefined;
    this.slice(ex, () => {
      text = this.ctx!.helper(name, arg);
    });
    return text;
  }

  private post(eid: number, result: WireResult): void {
    this.engine.post({ type: 'done', sid: this.sid, eid, result });
  }
}
