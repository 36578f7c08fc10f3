// What `smol` loads from elsewhere: tools by name from @smol/tools, and the agents a module exports.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentConfigError, type MultiStepAgent, type Tool } from '@smol/core';
import type { AgentSource } from '@smol/server';

const isTool = (v: unknown): v is Tool => typeof v === 'object' && v !== null && typeof (v as Tool).name === 'string' && typeof (v as Tool).forward === 'function';
const isAgent = (v: unknown): v is MultiStepAgent => typeof v === 'object' && v !== null && typeof (v as MultiStepAgent).start === 'function' && (v as MultiStepAgent).tools instanceof Map;

/** Tools by name from @smol/tools (an optional package): its exported tools, or tools in an exported array. */
export async function loadTools(names: readonly string[]): Promise<Tool[]> {
  if (names.length === 0) return [];
  // Loaded by name at run time, as core loads @smol/sandbox: an optional package, not a dependency.
  const specifier = '@smol/tools';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new AgentConfigError(`--tools needs @smol/tools: install it next to @smol/cli (npm i @smol/tools).`);
    throw error;
  }
  const found = new Map<string, Tool>();
  for (const value of Object.values(mod)) {
    for (const t of Array.isArray(value) ? value : [value]) if (isTool(t) && !found.has(t.name)) found.set(t.name, t);
  }
  return names.map((name) => {
    const t = found.get(name);
    if (!t) throw new AgentConfigError(`@smol/tools has no tool "${name}"; it has ${[...found.keys()].join(', ') || 'none'}.`);
    return t;
  });
}

/** The tools of MCP servers (command lines over stdio, or http(s) URLs), with a function that closes them. */
export async function loadMcpTools(servers: readonly string[]): Promise<{ tools: Tool[]; close(): Promise<void> }> {
  if (servers.length === 0) return { tools: [], close: async () => {} };
  let mcp: typeof import('@smol/mcp');
  try {
    mcp = await import('@smol/mcp');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new AgentConfigError('--mcp needs @smol/mcp: install it next to @smol/cli (npm i @smol/mcp).');
    throw error;
  }
  const collections: { tools: Tool[]; close(): Promise<void> }[] = [];
  const close = async () => {
    await Promise.allSettled(collections.map((c) => c.close()));
  };
  try {
    for (const server of servers) {
      const [command, ...args] = server.split(/\s+/);
      const params = /^https?:\/\//.test(server) ? { url: server } : { command, args, stderr: 'ignore' as const };
      collections.push(await mcp.ToolCollection.fromMcp(params));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { tools: collections.flatMap((c) => [...c.tools]), close };
}

/**
 * The agents a module exports: its default export (an agent, a factory, or an object of agents or
 * factories), else every named export that is an agent.
 */
export async function loadAgents(path: string, cwd: string): Promise<Record<string, AgentSource>> {
  const url = pathToFileURL(resolve(cwd, path)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(url.replace('file://', ''))) throw new AgentConfigError(`Cannot find ${path}.`);
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') throw new AgentConfigError(`This Node cannot load ${path}: TypeScript needs Node 22.18 or newer (or compile it to .js).`);
    throw new AgentConfigError(`Could not load ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const out: Record<string, AgentSource> = {};
  const def = mod.default;
  const named = (agent: MultiStepAgent, fallback: string) => agent.name ?? fallback;
  if (isAgent(def)) out[named(def, 'default')] = def;
  else if (typeof def === 'function') out[def.name && def.name !== 'default' ? def.name : 'default'] = def as AgentSource;
  else if (typeof def === 'object' && def !== null) {
    for (const [k, v] of Object.entries(def)) if (isAgent(v) || typeof v === 'function') out[k] = v as AgentSource;
  }
  if (Object.keys(out).length === 0) {
    for (const [k, v] of Object.entries(mod)) if (k !== 'default' && isAgent(v)) out[k] = v;
  }
  if (Object.keys(out).length === 0) {
    throw new AgentConfigError(`${path} exports no agent: export default an agent, a factory () => agent, or an object of them.`);
  }
  return out;
}
