// One execution's state, and how its results are shaped.
import type { CodeExecutionError } from '@smol/core';
import type { QuickJSDeferredPromise, QuickJSHandle } from 'quickjs-emscripten-core';

export type StopReason = 'final' | 'timeout' | 'abort' | 'memory' | 'toolLimit';

/** The state of one execution inside a GuestSession. */
export interface Execution {
  eid: number;
  code: string;
  deadline: number;
  promise?: QuickJSHandle;
  thrown?: QuickJSHandle;
  calls: Map<number, QuickJSDeferredPromise>;
  nextCallId: number;
  toolCalls: number;
  logs: string[];
  logChars: number;
  truncated: boolean;
  stop?: StopReason;
  finalJson?: string;
  finalFired: boolean;
  sliceBase: number;
  timer?: ReturnType<typeof setTimeout>;
  done: boolean;
}

export function newExecution(eid: number, code: string, timeoutMs: number): Execution {
  return {
    eid,
    code,
    deadline: Date.now() + timeoutMs,
    calls: new Map(),
    nextCallId: 0,
    toolCalls: 0,
    logs: [],
    logChars: 0,
    truncated: false,
    sliceBase: 0,
    done: false,
    finalFired: false,
  };
}

/** The 1-based line of the snippet and its text, for an error. */
export function lineInfo(code: string, line: number | undefined): { line?: number; source?: string } {
  if (!line) return {};
  const source = code.split('\n', line)[line - 1];
  return source === undefined ? { line } : { line, source: source.trim() };
}

/** The last value's JSON, or a JSON string of its cut text when it is longer than max. */
export function capOutput(json: string, max: number): string {
  if (json.length <= max) return json;
  return JSON.stringify(`${json.slice(0, max)}… [output truncated: ${json.length} characters in total]`);
}

export function memoryError(bytes: number): CodeExecutionError {
  return {
    name: 'MemoryLimitError',
    message: `The code used more than ${Math.round(bytes / 1048576)} MiB of memory. The sandbox was reset: variables from earlier steps are gone.`,
  };
}
