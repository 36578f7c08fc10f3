// The demo's agents, shared by `serve` (in-process) and `worker` (queue mode).
import { CodeAgent, ToolCallingAgent, type Model, type MultiStepAgent } from '@smol/core';
import { demoTools } from './tools.js';

/** True when CodeAgent can load its default sandbox. */
export async function sandboxAvailable(): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ '@smol/sandbox' as string);
    return true;
  } catch {
    return false;
  }
}

export function codeAgent(model: Model): MultiStepAgent {
  return new CodeAgent({ model, tools: demoTools(), maxSteps: 8, description: 'Writes JavaScript that calls get_weather and get_price.' });
}

export function toolAgent(model: Model): MultiStepAgent {
  return new ToolCallingAgent({ model, tools: demoTools(), maxSteps: 8, description: 'Calls get_weather and get_price as tools.' });
}
