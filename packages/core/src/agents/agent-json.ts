import { AgentConfigError } from '../errors.js';
import type { Model } from '../model.js';
import type { PromptTemplates } from '../prompts.js';
import type { Tool } from '../tools.js';
import type { AgentOptions, MultiStepAgent } from './multi-step-agent.js';

export const AGENT_SCHEMA_VERSION = 1;

/** An agent's configuration as JSON. Models appear by id only: no API key, ever. */
export interface AgentJSON {
  schemaVersion: number;
  class: string;
  model: { class: string; modelId: string };
  tools: string[];
  managedAgents: AgentJSON[];
  options: Omit<AgentOptions, 'model' | 'tools' | 'managedAgents' | 'stepCallbacks' | 'finalAnswerChecks' | 'observers' | 'approve'> &
    Record<string, unknown>;
}

/** What JSON cannot hold: the model (with its key), the tools' code, callbacks. */
export interface AgentDependencies {
  model: Model;
  tools?: Tool[];
  /** Extra options merged over the stored ones (callbacks, observers, an executor, …). */
  options?: Partial<AgentOptions> & Record<string, unknown>;
}

type AgentClass = new (options: AgentOptions & Record<string, unknown>) => MultiStepAgent;
const agentClasses = new Map<string, AgentClass>();

/** Agent classes register themselves so fromJSON can rebuild managed agents of any kind. */
export function registerAgentClass(name: string, cls: AgentClass): void {
  agentClasses.set(name, cls);
}

export function agentToJSON(agent: MultiStepAgent<any>, extra: Record<string, unknown>): AgentJSON {
  const managed = new Set(agent.managedAgents.keys());
  return {
    schemaVersion: AGENT_SCHEMA_VERSION,
    class: agent.constructor.name,
    model: { class: agent.model.constructor.name, modelId: agent.model.modelId },
    tools: [...agent.tools.keys()].filter((n) => n !== 'final_answer' && !managed.has(n)),
    managedAgents: [...agent.managedAgents.values()].map((m) => m.toJSON()),
    options: {
      maxSteps: agent.maxSteps,
      instructions: agent.instructions,
      maxToolConcurrency: agent.maxToolConcurrency,
      onMaxSteps: agent.onMaxSteps,
      name: agent.name,
      description: agent.description,
      planningInterval: agent.planningInterval,
      provideRunSummary: agent.provideRunSummary,
      promptTemplates: { ...agent.promptTemplates } as PromptTemplates,
      ...extra,
    },
  };
}

export function agentFromJSON(json: AgentJSON, deps: AgentDependencies): MultiStepAgent {
  if (!json || json.schemaVersion !== AGENT_SCHEMA_VERSION) {
    throw new AgentConfigError(`Unsupported agent JSON (schemaVersion ${String(json?.schemaVersion)}).`);
  }
  const Cls = agentClasses.get(json.class);
  if (!Cls) throw new AgentConfigError(`Unknown agent class "${json.class}".`);
  const byName = new Map((deps.tools ?? []).map((t) => [t.name, t]));
  const tools = json.tools.map((name) => {
    const t = byName.get(name);
    if (!t) throw new AgentConfigError(`The agent needs the tool "${name}": pass it in fromJSON's tools.`);
    return t;
  });
  const managedAgents = json.managedAgents.map((m) => agentFromJSON(m, { ...deps, options: undefined }));
  return new Cls({ ...json.options, ...deps.options, model: deps.model, tools, managedAgents });
}
