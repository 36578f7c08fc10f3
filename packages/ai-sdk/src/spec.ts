// The three versions of the AI SDK language model spec this package accepts, and the few places
// where they differ (file data, usage, finish reason). Everything else is built once, as V4.
import type {
  LanguageModelV2,
  LanguageModelV2CallOptions,
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Prompt,
  SharedV4ProviderMetadata,
} from '@ai-sdk/provider';
import { AgentConfigError, type TokenUsage } from '@smol/core';

/** Any AI SDK language model object: `@ai-sdk/provider` spec V2 (ai 5), V3 (ai 6) or V4 (ai 7). */
export type AnyLanguageModel = LanguageModelV2 | LanguageModelV3 | LanguageModelV4;

export type SpecVersion = 'v2' | 'v3' | 'v4';

/** Provider metadata as the spec carries it: `{ [provider]: { [key]: JSON } }`. */
export type ProviderMetadata = SharedV4ProviderMetadata;

export function specVersion(model: unknown): SpecVersion {
  const v = (model as { specificationVersion?: unknown } | null)?.specificationVersion;
  if (v === 'v2' || v === 'v3' || v === 'v4') return v;
  throw new AgentConfigError(
    `aiSdkModel: expected an AI SDK language model object (specificationVersion v2, v3 or v4), got ${v === undefined ? typeof model : `version ${String(v)}`}. Pass a model object such as openai('gpt-4.1'), not a model id string.`,
  );
}

/**
 * V4 call options as the version the model speaks. The prompt differs only in file data: V4 tags
 * it (`{ type: 'data' | 'url', … }`), V2 and V3 take the bytes, base64 or URL directly.
 */
export function forVersion(version: SpecVersion, options: LanguageModelV4CallOptions): LanguageModelV4CallOptions | LanguageModelV3CallOptions | LanguageModelV2CallOptions {
  if (version === 'v4') return options;
  return { ...options, prompt: untagFiles(options.prompt) } as unknown as LanguageModelV3CallOptions;
}

function untagFiles(prompt: LanguageModelV4Prompt): unknown[] {
  return prompt.map((message) => {
    if (message.role !== 'user') return message;
    const content = message.content.map((part) => {
      if (part.type !== 'file') return part;
      const data = part.data.type === 'url' ? part.data.url : part.data.type === 'data' ? part.data.data : '';
      return { ...part, data, mediaType: part.mediaType.includes('/') ? part.mediaType : `${part.mediaType}/*` };
    });
    return { ...message, content };
  });
}

/** V3/V4 usage nests input and output (`inputTokens.total`); V2's is flat numbers. */
export function readUsage(usage: unknown): TokenUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as { inputTokens?: unknown; outputTokens?: unknown; totalTokens?: unknown };
  const count = (v: unknown): number | undefined => {
    if (typeof v === 'number') return v;
    if (typeof v === 'object' && v !== null && typeof (v as { total?: unknown }).total === 'number') return (v as { total: number }).total;
    return undefined;
  };
  const input = count(u.inputTokens);
  const output = count(u.outputTokens);
  if (input === undefined && output === undefined) return undefined;
  const inputTokens = input ?? 0;
  const outputTokens = output ?? 0;
  const total = typeof u.totalTokens === 'number' ? u.totalTokens : inputTokens + outputTokens;
  return { inputTokens, outputTokens, totalTokens: total };
}

/** V3/V4 finish reasons are `{ unified, raw }`; V2's is the unified string. */
export function readFinishReason(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason;
  if (typeof reason === 'object' && reason !== null && typeof (reason as { unified?: unknown }).unified === 'string') {
    return (reason as { unified: string }).unified;
  }
  return undefined;
}

/** Shallow merge per provider key: later metadata (an `-end` part's signature) adds to earlier. */
export function mergeMetadata(a: ProviderMetadata | undefined, b: ProviderMetadata | undefined): ProviderMetadata | undefined {
  if (!b) return a;
  if (!a) return b;
  const out: ProviderMetadata = { ...a };
  for (const key of Object.keys(b)) out[key] = { ...a[key], ...b[key] };
  return out;
}
