import { AgentConfigError } from '../errors.js';

/** An API key: a string, or an async function called before each request (for keys that rotate). */
export type ApiKey = string | (() => Promise<string>);

export interface SettingSource<T = string> {
  /** The value given in the options; wins over the environment. */
  value?: T;
  /** The environment variable read when `value` is absent, e.g. "OPENAI_API_KEY". */
  envVar: string;
  /** The option's name, for the error: "apiKey", "baseURL", "endpoint", … */
  name: string;
  /** The provider or class, for the error: "OpenAIServerModel", … */
  provider: string;
  /** One more sentence for the error, e.g. what a local server needs instead. */
  hint?: string;
  /** Return undefined instead of throwing when neither is set. */
  optional?: boolean;
}

/** A non-empty environment variable, or undefined (also where there is no `process`). */
export function readEnv(name: string): string | undefined {
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

/**
 * A setting from its option, else from its environment variable. When neither is set it throws an
 * AgentConfigError naming both (or returns undefined with `optional: true`).
 */
export function loadSetting<T = string>(source: SettingSource<T> & { optional: true }): T | string | undefined;
export function loadSetting<T = string>(source: SettingSource<T>): T | string;
export function loadSetting<T = string>(source: SettingSource<T>): T | string | undefined {
  if (source.value !== undefined && source.value !== null && source.value !== '') return source.value;
  const fromEnv = readEnv(source.envVar);
  if (fromEnv !== undefined) return fromEnv;
  if (source.optional) return undefined;
  throw new AgentConfigError(
    `${source.provider}: no ${source.name}. Pass { ${source.name} } or set the ${source.envVar} environment variable.${source.hint ? ` ${source.hint}` : ''}`,
  );
}

/** `loadSetting` for an API key, which may also be an async function. */
export function loadApiKey(source: Omit<SettingSource<ApiKey>, 'name'> & { name?: string; optional: true }): ApiKey | undefined;
export function loadApiKey(source: Omit<SettingSource<ApiKey>, 'name'> & { name?: string }): ApiKey;
export function loadApiKey(source: Omit<SettingSource<ApiKey>, 'name'> & { name?: string }): ApiKey | undefined {
  return loadSetting<ApiKey>({ ...source, name: source.name ?? 'apiKey' });
}
