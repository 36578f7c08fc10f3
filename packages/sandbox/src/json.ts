// Host-side checks for values crossing the sandbox boundary: only JSON data goes in or out.
import { DEFAULT_CODE_LIMITS, type CodeLimits } from '@smol/core';
import { SandboxConfigError } from './errors.ts';
import type { ErrorInfo } from './protocol.ts';

/** JSON text of `value`; throws a TypeError naming `what` for functions, symbols, BigInts and cycles. */
export function toJsonText(value: unknown, what: string): string | undefined {
  try {
    return JSON.stringify(value, (key, v: unknown) => {
      const t = typeof v;
      if (t === 'function' || t === 'symbol' || t === 'bigint') {
        throw new TypeError(`${what} must be JSON data, but ${key === '' ? 'it' : `key "${key}"`} is a ${t}`);
      }
      return v;
    });
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith(what)) throw error;
    throw new TypeError(`${what} must be JSON data: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Parses JSON from the guest. `__proto__` keys are dropped: JSON.parse makes them plain own
 * properties, but a tool that merges its arguments naively would turn them into a prototype.
 */
export function parseGuestJson(text: string): unknown {
  return JSON.parse(text, text.includes('"__proto__"') ? dropProto : undefined);
}

function dropProto(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

/** What the guest sees of a host error: its name and message, never its stack. */
export function errorInfo(error: unknown): ErrorInfo {
  try {
    if (error instanceof Error) return { name: String(error.name || 'Error'), message: String(error.message) };
    return { name: 'Error', message: String(error) };
  } catch {
    return { name: 'Error', message: 'The tool failed with a value that could not be described.' };
  }
}

const MIN_STACK = 32 * 1024;
// Larger QuickJS stacks let guest recursion (deep JSON.stringify at 512 KiB, in a worker)
// overflow the host's own stack inside WASM, which aborts the module (measured on
// quickjs-emscripten 0.32.0: 256 KiB held, 512 KiB and more threw on the host).
export const MAX_STACK = 256 * 1024;

export function resolveLimits(...layers: (Partial<CodeLimits> | undefined)[]): CodeLimits {
  const limits: CodeLimits = { ...DEFAULT_CODE_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(limits) as (keyof CodeLimits)[]) {
      const v = layer[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new SandboxConfigError(`limits.${key} must be a finite number >= 0`);
      limits[key] = v;
    }
  }
  limits.timeoutMs = Math.max(1, limits.timeoutMs);
  limits.memoryBytes = Math.max(1024 * 1024, limits.memoryBytes);
  limits.stackBytes = Math.min(MAX_STACK, Math.max(MIN_STACK, limits.stackBytes));
  limits.maxOutputChars = Math.max(1, Math.floor(limits.maxOutputChars));
  limits.maxToolCalls = Math.floor(limits.maxToolCalls);
  return limits;
}

const RESERVED = new Set(
  ('await break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if implements import in instanceof interface let new null package private protected public return static ' +
    'super switch this throw true try typeof var void while with yield arguments eval undefined NaN Infinity globalThis console')
    .split(' '),
);

/** Tool names become guest globals: they must be plain identifiers. final_answer is always there. */
export function checkToolNames(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    if (name === 'final_answer') continue;
    if (typeof name !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(name) || RESERVED.has(name)) {
      throw new SandboxConfigError(`Tool name ${JSON.stringify(name)} cannot be a JavaScript global in the sandbox`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
