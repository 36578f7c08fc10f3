import { readFile, stat } from 'node:fs/promises';
import { tool, type Tool } from '@smol/core';
import { z } from 'zod';
import { failureText } from './errors.ts';
import { resolveInRoot } from './files/root.ts';
import { WebClient, type NetworkOptions } from './net/web-client.ts';

export interface TranscriberOptions extends NetworkOptions {
  /** The speech recognition model. Default 'openai/whisper-large-v3'. */
  model?: string;
  /** Hugging Face token; default HF_TOKEN from the environment. */
  apiKey?: string;
  /** An inference provider, as @huggingface/inference names it (default 'auto'). Not used with baseURL. */
  provider?: string;
  /** Call this endpoint directly (a dedicated Inference Endpoint, or a local server). */
  baseURL?: string;
  /** Audio files may be read from this directory (and below); without it, file paths are refused. */
  root?: string;
  /** Largest audio accepted, in bytes. Default 25 MiB. */
  maxAudioBytes?: number;
  client?: WebClient;
}

type InferenceModule = typeof import('@huggingface/inference');

/**
 * `transcriber`: speech to text with @huggingface/inference's automatic speech recognition.
 * The audio is a URL, a file under `root`, or the name of a run state variable holding bytes.
 * @huggingface/inference is an optional peer dependency, imported on the first call.
 */
export function transcriber(options: TranscriberOptions = {}): Tool<{ audio: string }, string> {
  const maxAudioBytes = options.maxAudioBytes ?? 25 * 1024 * 1024;
  const client = options.client ?? new WebClient({ ...options, maxBytes: maxAudioBytes });
  let loaded: Promise<InferenceModule> | undefined;
  return tool({
    name: 'transcriber',
    description: 'Transcribes speech in an audio file to text. The audio is a URL, a file path, or the name of a variable holding the audio.',
    inputSchema: z.object({ audio: z.string().min(1).describe('The audio to transcribe: an http(s) URL, a file path, or a variable name.') }),
    outputType: 'string',
    async execute({ audio }, { signal, state }) {
      try {
        loaded ??= import('@huggingface/inference').catch((error: unknown) => {
          loaded = undefined;
          throw new Error('The transcriber is not available: the optional package @huggingface/inference is not installed (pnpm add @huggingface/inference).', { cause: error });
        });
        const hf = await loaded;
        const data = await loadAudio(audio, state, signal);
        if (data.size > maxAudioBytes) return `Error: the audio is larger than ${maxAudioBytes} bytes.`;
        const inference = new hf.InferenceClient(options.apiKey ?? process.env.HF_TOKEN);
        const args = options.baseURL
          ? { data, model: options.model ?? 'openai/whisper-large-v3', endpointUrl: options.baseURL }
          : { data, model: options.model ?? 'openai/whisper-large-v3', provider: (options.provider ?? 'auto') as never };
        const out = await inference.automaticSpeechRecognition(args, { signal });
        return out.text.trim() || '(no speech recognised)';
      } catch (error) {
        return failureText(error, signal);
      }
    },
  });

  async function loadAudio(audio: string, state: Record<string, unknown>, signal: AbortSignal): Promise<Blob> {
    const held = Object.hasOwn(state, audio) ? state[audio] : undefined;
    if (held instanceof Blob) return held;
    if (held instanceof Uint8Array || held instanceof ArrayBuffer) return new Blob([held as BlobPart]);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(audio) || audio.startsWith('data:')) {
      const res = await client.fetch(audio, { signal, headers: { accept: 'audio/*,*/*;q=0.5' } });
      if (res.status >= 400) throw new Error(`${res.url} answered HTTP ${res.status}.`);
      if (res.truncated) throw new Error(`the audio at ${res.url} is larger than ${maxAudioBytes} bytes.`);
      return new Blob([res.body as BlobPart], { type: res.mediaType || 'application/octet-stream' });
    }
    if (!options.root) throw new Error(`"${audio}" is not a URL or a variable, and reading files is not enabled for the transcriber (option root).`);
    const path = await resolveInRoot(options.root, audio, 'read');
    const size = (await stat(path)).size;
    if (size > maxAudioBytes) throw new Error(`"${audio}" is ${size} bytes, more than the ${maxAudioBytes} bytes the transcriber accepts.`);
    return new Blob([(await readFile(path, { signal })) as BlobPart]);
  }
}
