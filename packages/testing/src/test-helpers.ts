// Small helpers for model and provider tests; nothing here depends on a test runner.
import { tool } from '@smol/core';

/**
 * `get_weather(location)`, answering "sunny": the tool that provider wire tests offer the model.
 * Their expected request bodies spell out this name, description and schema.
 */
export const weatherTool = tool({
  name: 'get_weather',
  description: 'Current weather in a city.',
  inputSchema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  execute: () => 'sunny',
});

/** Drains an async iterable (e.g. a model's delta stream) into an array; rejects with the stream's error. */
export async function collectStream<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const d of stream) out.push(d);
  return out;
}

/**
 * Runs `fn` with these environment variables set (`undefined` unsets one), then puts back what
 * was there before, also when `fn` fails.
 */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) setEnv(k, v);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) setEnv(k, v);
  }
}

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
