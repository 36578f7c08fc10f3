import { afterEach, beforeEach, vi } from 'vitest';

// A library must never print: a stray console call fails the test that caused it.
// Tests that expect output spy on the console themselves (vi.spyOn replaces this spy).
const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
let calls: string[] = [];

beforeEach(() => {
  calls = [];
  for (const m of methods) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      calls.push(`console.${m}: ${args.map(String).join(' ').slice(0, 200)}`);
    });
  }
});

afterEach((ctx) => {
  vi.restoreAllMocks();
  const allowed = (ctx.task as { meta?: { allowConsole?: boolean } }).meta?.allowConsole;
  if (calls.length > 0 && !allowed) {
    throw new Error(`Unexpected console output in a test:\n${calls.join('\n')}`);
  }
});
