import { errorFromJSON } from './errors.js';
import type { ActionStep, MemoryStep } from './memory.js';
import { AgentMemory } from './memory.js';
import type { ChatMessage, ContentPart, ImagePart } from './messages.js';

export const MEMORY_SCHEMA_VERSION = 1;

export interface MemoryJSON {
  schemaVersion: number;
  systemPrompt: string;
  steps: Record<string, unknown>[];
}

function imageToJSON(part: ImagePart): ImagePart {
  if (typeof part.image === 'string') return part;
  const mediaType = part.mediaType ?? 'image/png';
  return { type: 'image', image: `data:${mediaType};base64,${Buffer.from(part.image).toString('base64')}`, mediaType };
}

function contentToJSON(content: ChatMessage['content']): ChatMessage['content'] {
  if (!Array.isArray(content)) return content;
  return content.map((p: ContentPart) => (p.type === 'image' ? imageToJSON(p) : p));
}

/** A step as plain JSON: errors as {name, message}, images as data URLs, no raw SDK responses. */
export function stepToJSON(step: MemoryStep): Record<string, unknown> {
  const out: Record<string, unknown> = { ...step };
  if (step.type === 'action' || step.type === 'planning') {
    if (step.modelOutputMessage) {
      const { raw: _raw, ...message } = step.modelOutputMessage;
      out.modelOutputMessage = { ...message, content: contentToJSON(message.content) };
    }
  }
  if (step.type === 'action') {
    if (step.error) out.error = { name: step.error.name, message: step.error.message };
    if (step.observationsImages) out.observationsImages = step.observationsImages.map(imageToJSON);
  }
  if (step.type === 'task' && step.images) out.images = step.images.map(imageToJSON);
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

export function stepFromJSON(json: Record<string, unknown>): MemoryStep {
  const step = { ...json } as unknown as MemoryStep;
  if (step.type === 'action' && json.error) (step as ActionStep).error = errorFromJSON(json.error as { name: string; message: string });
  return step;
}

export function memoryToJSON(memory: AgentMemory): MemoryJSON {
  return { schemaVersion: MEMORY_SCHEMA_VERSION, systemPrompt: memory.systemPrompt.systemPrompt, steps: memory.steps.map(stepToJSON) };
}

export function memoryFromJSON(json: MemoryJSON): AgentMemory {
  if (!json || json.schemaVersion !== MEMORY_SCHEMA_VERSION) {
    throw new TypeError(`Unsupported memory schema version ${String(json?.schemaVersion)}; expected ${MEMORY_SCHEMA_VERSION}.`);
  }
  const memory = new AgentMemory({ type: 'system_prompt', systemPrompt: json.systemPrompt });
  for (const step of json.steps) memory.steps.push(stepFromJSON(step));
  return memory;
}
