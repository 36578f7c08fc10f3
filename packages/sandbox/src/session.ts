// The CodeSession handed to CodeAgent. It lives on the host; its QuickJS context lives in an
// engine. Tool calls arrive from the engine, run here with the execution's signal, and their
// JSON results go back.
import type { CodeExecutionResult, CodeLimits, CodeSession, CodeSessionOptions } from '@smol/core';
import type { EngineHost, SessionLink } from './host.ts';
import { SandboxError } from './errors.ts';
import { errorInfo, parseGuestJson, toJsonText } from './json.ts';
import type { ErrorInfo, FromEngine, WireResult } from './protocol.ts';

interface Run {
  eid: number;
  resolve(result: CodeExecutionResult): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  /** Aborted when the execution ends, so tools still running for it stop too. */
  tools?: AbortController;
}

export class QuickJsSession implements CodeSession, SessionLink {
  private host: EngineHost | undefined;
  private sid = 0;
  private slot = 0;
  private readonly runs = new Map<number, Run>();
  private lost: string | undefined;
  private attaching: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly place: () => EngineHost,
    private readonly options: CodeSessionOptions,
    private readonly toolNames: string[],
    private readonly variablesJson: string,
    private readonly limits: CodeLimits,
  ) {}

  /** Opens the session's context on an engine picked by the pool. */
  async attach(): Promise<void> {
    const host = this.place();
    const { sid, slot } = await host.open(this, this.toolNames, this.variablesJson, this.limits);
    if (this.disposed) return void host.close(sid, slot);
    this.host = host;
    this.sid = sid;
    this.slot = slot;
  }

  async execute(code: string, options: { signal?: AbortSignal } = {}): Promise<CodeExecutionResult> {
    if (this.disposed) throw new SandboxError('This sandbox session has been disposed.');
    const { signal } = options;
    signal?.throwIfAborted();
    let note = '';
    if (!this.host) {
      // The engine died: start over on a healthy one, and say so unless a result already did.
      if (this.lost) note = `[${this.lost} Variables from earlier steps are gone.]\n`;
      this.lost = undefined;
      // Concurrent calls share one reattachment.
      await (this.attaching ??= this.attach().finally(() => (this.attaching = undefined)));
      if (this.disposed) throw new SandboxError('This sandbox session has been disposed.');
      signal?.throwIfAborted();
    }
    const result = await this.run(code, signal);
    if (note) result.logs = note + result.logs;
    return result;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // A result, not a rejection: nobody may be awaiting it any more.
    for (const run of [...this.runs.values()]) {
      this.settle(run);
      run.resolve(failed('SandboxError', 'The sandbox session was disposed during the execution.'));
    }
    const host = this.host;
    this.host = undefined;
    // Not awaited: the engine may be busy with another session's slice for a while. Messages
    // are ordered, so anything sent to the engine later sees this session closed.
    if (host) void host.close(this.sid, this.slot);
  }

  private run(code: string, signal: AbortSignal | undefined): Promise<CodeExecutionResult> {
    const host = this.host!;
    return new Promise((resolve, reject) => {
      const run: Run = { eid: host.newEid(), resolve, reject, signal };
      this.runs.set(run.eid, run);
      host.begin();
      if (signal) {
        run.onAbort = () => this.abort(run, signal.reason);
        signal.addEventListener('abort', run.onAbort, { once: true });
      }
      host.post({ type: 'exec', sid: this.sid, eid: run.eid, code });
    });
  }

  // Aborting rejects at once with the signal's reason. The flag stops the guest inside its
  // current slice (the worker's event loop is blocked there); the message covers the case
  // where it is waiting for a tool.
  private abort(run: Run, reason: unknown): void {
    if (!this.runs.has(run.eid)) return;
    const host = this.host;
    if (host) {
      Atomics.store(host.flags, this.slot, run.eid);
      host.post({ type: 'abort', sid: this.sid, eid: run.eid });
    }
    this.settle(run, reason);
    run.reject(reason);
  }

  private settle(run: Run, reason?: unknown): void {
    this.runs.delete(run.eid);
    this.host?.end();
    if (run.onAbort) run.signal!.removeEventListener('abort', run.onAbort);
    run.tools?.abort(reason ?? new SandboxError('The execution that called this tool has ended.'));
  }

  onDone(eid: number, wire: WireResult): void {
    const run = this.runs.get(eid);
    if (!run) return;
    this.settle(run);
    const result: CodeExecutionResult = {
      output: wire.outputJson === undefined ? undefined : parseGuestJson(wire.outputJson),
      logs: wire.logs,
      isFinalAnswer: wire.isFinalAnswer,
    };
    if (wire.error) result.error = wire.error;
    run.resolve(result);
  }

  onTool(msg: Extract<FromEngine, { type: 'tool' }>): void {
    const host = this.host;
    const run = this.runs.get(msg.eid);
    if (!host) return;
    const reply = (json: string | undefined, error?: ErrorInfo) => {
      if (this.runs.get(msg.eid) !== run || host.dead) return;
      host.post({ type: 'toolResult', sid: this.sid, eid: msg.eid, callId: msg.callId, json, error });
    };
    if (!run) return reply(undefined, { name: 'Error', message: 'The execution has ended.' });
    const tools = (run.tools ??= new AbortController());
    const { name } = msg;
    Promise.resolve()
      .then(() => this.options.callTool(name, parseGuestJson(msg.argsJson), tools.signal))
      .then((value) => reply(toJsonText(value, `The result of ${name}()`)))
      .catch((error: unknown) => reply(undefined, errorInfo(error)));
  }

  onLost(reason: string): void {
    this.host = undefined;
    this.lost = reason;
    for (const run of [...this.runs.values()]) {
      this.settle(run);
      run.resolve(failed('SandboxCrashError', `${reason} The session's variables are gone.`));
      this.lost = undefined; // this result already told the model
    }
  }
}

function failed(name: string, message: string): CodeExecutionResult {
  return { output: undefined, logs: '', isFinalAnswer: false, error: { name, message } };
}
