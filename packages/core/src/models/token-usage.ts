import type { TokenUsage } from '../messages.js';

/**
 * Reads a provider's usage object into TokenUsage: OpenAI (`prompt_tokens`, `completion_tokens`),
 * Anthropic/Responses (`input_tokens`, `output_tokens`) or camelCase. Undefined when there is none.
 */
export function readTokenUsage(usage: unknown): TokenUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as Record<string, unknown>;
  const input = firstNumber(u.prompt_tokens, u.input_tokens, u.inputTokens, u.promptTokens);
  const output = firstNumber(u.completion_tokens, u.output_tokens, u.outputTokens, u.completionTokens);
  if (input === undefined && output === undefined) return undefined;
  const inputTokens = input ?? 0;
  const outputTokens = output ?? 0;
  return { inputTokens, outputTokens, totalTokens: firstNumber(u.total_tokens, u.totalTokens) ?? inputTokens + outputTokens };
}

function firstNumber(a: unknown, b: unknown, c?: unknown, d?: unknown): number | undefined {
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  if (typeof c === 'number') return c;
  return typeof d === 'number' ? d : undefined;
}
