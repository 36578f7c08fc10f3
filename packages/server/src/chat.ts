// POST /api/chat: what the AI SDK's `useChat` (DefaultChatTransport) sends, turned into a run's
// task, and the run's events handed to @smol/ai-sdk's UI message stream. @smol/ai-sdk (and `ai`)
// are optional peers, loaded only when this endpoint is called.
import { AgentError, type AgentEvent, type AgentRun, type ImagePart, type RunResult } from '@smol/core';
import { z } from 'zod';
import type { InputLimits, Issue } from './input.js';
import { imageParts, maxStepsField } from './input.js';

type AiSdk = typeof import('@smol/ai-sdk');

let loaded: Promise<AiSdk> | undefined;

/** The missing package's name when `error` (or its cause: bundlers and test runners wrap it) is a module-not-found. */
function missingModule(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return /Cannot find (?:package|module) '([^']+)'/.exec(String((e as Error).message))?.[1] ?? '@smol/ai-sdk';
  }
  return undefined;
}

/** @smol/ai-sdk, or the name of the package that is missing (it, or `ai`). Other load failures throw. */
export async function loadAiSdk(): Promise<AiSdk | { missing: string }> {
  try {
    return await (loaded ??= import('@smol/ai-sdk'));
  } catch (error) {
    loaded = undefined;
    const missing = missingModule(error);
    if (missing) return { missing };
    throw error;
  }
}

export const AI_SDK_MISSING = 'POST /api/chat needs the optional packages @smol/ai-sdk and ai: install them next to @smol/server (npm i @smol/ai-sdk ai).';

const part = z.looseObject({ type: z.string({ error: 'must be a string' }) }, { error: 'must be an object with a "type"' });
const message = z.looseObject(
  {
    id: z.string({ error: 'must be a string' }).optional(),
    role: z.enum(['system', 'user', 'assistant'], { error: 'must be "system", "user" or "assistant"' }),
    parts: z.array(part, { error: 'must be an array of message parts' }),
  },
  { error: 'must be a UIMessage object' },
);

/**
 * The body DefaultChatTransport sends: `{id, messages, trigger, messageId}` plus whatever the app's
 * `body` option adds (unknown fields are allowed for that reason). `agent` and `maxSteps` choose the
 * agent and cap the steps.
 */
export function chatSchema(limits: InputLimits) {
  return z.looseObject({
    id: z.string({ error: 'must be a string (the chat id)' }).optional(),
    messages: z.array(message, { error: "is required: the chat's UIMessages, the last one the user's" }).min(1, 'must hold at least one message'),
    trigger: z.enum(['submit-message', 'regenerate-message'], { error: 'must be "submit-message" or "regenerate-message"' }).optional(),
    messageId: z.string({ error: 'must be a string' }).optional(),
    agent: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
    maxSteps: maxStepsField(limits),
  });
}
export type ChatInput = z.infer<ReturnType<typeof chatSchema>>;

const IMAGE_DATA = /^(?:data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}|https?:\/\/[^\s]+)$/;
const TEXT_DATA = /^data:(?:text\/[a-z0-9.+-]+|application\/json)(?:;[^,]*)?;base64,([A-Za-z0-9+/]+={0,2})$/i;

export interface ChatTask {
  task: string;
  images?: ImagePart[];
  files?: { name: string; content: string }[];
}

/**
 * The task is the last message's text (it must be the user's); its image file parts go to the
 * model, its text files join `additionalArgs.files`. Earlier messages are not sent to the agent.
 */
export function chatTask(input: ChatInput, limits: InputLimits): ChatTask | Issue[] {
  const at = input.messages.length - 1;
  const last = input.messages[at];
  const field = `messages.${at}`;
  if (last.role !== 'user') return [{ field: `${field}.role`, message: `must be "user": the task is the last message, the user's` }];
  const texts: string[] = [];
  const images: string[] = [];
  const files: { name: string; content: string }[] = [];
  for (const [i, p] of last.parts.entries()) {
    if (p.type === 'text') {
      if (typeof p.text !== 'string') return [{ field: `${field}.parts.${i}.text`, message: 'must be a string' }];
      texts.push(p.text);
    } else if (p.type === 'file') {
      const url = typeof p.url === 'string' ? p.url : '';
      const text = TEXT_DATA.exec(url);
      if (IMAGE_DATA.test(url) && (typeof p.mediaType !== 'string' || p.mediaType.startsWith('image/'))) images.push(url);
      else if (text) {
        try {
          files.push({ name: typeof p.filename === 'string' && p.filename ? p.filename.slice(0, 200) : `file-${files.length + 1}.txt`, content: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text[1], 'base64')) });
        } catch {
          return [{ field: `${field}.parts.${i}.url`, message: 'must hold UTF-8 text' }];
        }
      } else {
        return [{ field: `${field}.parts.${i}`, message: 'must be an image (png, jpeg, gif, webp as a data: or https URL) or a text file (a data: URL)' }];
      }
    }
    // Other parts (reasoning, step markers, data parts) carry no task.
  }
  const task = texts.join('\n').trim();
  if (task === '') return [{ field: `${field}.parts`, message: 'must hold text: the task is the last user message\'s text' }];
  if (task.length > limits.maxTaskChars) return [{ field: `${field}.parts`, message: `must hold at most ${limits.maxTaskChars} characters of text` }];
  if (images.length > limits.maxImages) return [{ field: `${field}.parts`, message: `must hold at most ${limits.maxImages} images` }];
  if (files.length > limits.maxFiles) return [{ field: `${field}.parts`, message: `must hold at most ${limits.maxFiles} files` }];
  return { task, images: imageParts(images), files: files.length > 0 ? files : undefined };
}

/**
 * The run's events for the UI stream. The registry drives the run (it is the run's one consumer);
 * this queue hands each event on at the client's pace. A client that falls more than `limit`
 * events behind ends its stream and its run, so memory stays bounded.
 */
export class EventTap implements AsyncIterable<AgentEvent> {
  readonly id: string;
  readonly result: Promise<RunResult>;
  #queue: AgentEvent[] = [];
  #ended = false;
  #error: unknown;
  #failed = false;
  #wake: (() => void) | undefined;

  constructor(
    run: AgentRun,
    private readonly limit: number,
    private readonly stop: (reason: string) => void,
  ) {
    this.id = run.id;
    this.result = run.result;
  }

  push(event: AgentEvent): void {
    if (this.#ended) return;
    this.#queue.push(event);
    if (this.#queue.length > this.limit) {
      this.#queue = [];
      this.fail(new AgentError(`The client fell more than ${this.limit} events behind the run.`));
      this.stop('the client fell behind the run');
    }
    this.#signal();
  }

  end(): void {
    this.#ended = true;
    this.#signal();
  }

  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#failed = true;
    this.#error = error;
    this.#signal();
  }

  /** The stream was cancelled (the client went away). */
  interrupt(reason = 'the client went away'): void {
    this.stop(reason);
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<AgentEvent> {
    let closed = false;
    return {
      next: async (): Promise<IteratorResult<AgentEvent>> => {
        for (;;) {
          if (closed) return { done: true, value: undefined };
          const event = this.#queue.shift();
          if (event) return { done: false, value: event };
          if (this.#failed) {
            closed = true;
            throw this.#error;
          }
          if (this.#ended) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (this.#wake = resolve));
        }
      },
      return: async (): Promise<IteratorResult<AgentEvent>> => {
        closed = true;
        this.#queue = [];
        this.#signal();
        return { done: true, value: undefined };
      },
    };
  }
}
