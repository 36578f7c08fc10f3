import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolContext } from '@smol/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serve, type TestServer } from './__fixtures__/serve.ts';
import { transcriber } from './transcriber.ts';

const ctx = (state: Record<string, unknown> = {}): ToolContext => ({ signal: new AbortController().signal, runId: 'r', state });
const WAV = Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'), Buffer.alloc(40, 7)]);

let s: TestServer;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smol-transcriber-'));
  await writeFile(join(dir, 'memo.wav'), WAV);
  // An HF inference endpoint for automatic-speech-recognition: raw audio in, { text } out.
  s = await serve({
    '/asr': (q, r) => {
      const ok = q.bodyBytes.equals(WAV);
      r.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { text: ' Hello from the memo. ' } : { error: 'bad audio' }));
    },
    '/memo.wav': (_q, r) => r.writeHead(200, { 'content-type': 'audio/wav' }).end(WAV),
  });
});
afterAll(async () => {
  await s.close();
  await rm(dir, { recursive: true, force: true });
});

const tr = () => transcriber({ baseURL: `${s.url}/asr`, apiKey: 'hf_test', root: dir, allowPrivateNetwork: true });

describe('transcriber (@huggingface/inference against a local endpoint)', () => {
  it('transcribes a URL', async () => {
    expect(await tr().forward({ audio: `${s.url}/memo.wav` }, ctx())).toBe('Hello from the memo.');
    const call = s.requests.find((r) => r.url === '/asr')!;
    expect(call.method).toBe('POST');
    expect(call.headers.authorization).toBe('Bearer hf_test');
  });

  it('transcribes a file under the root, and bytes held in a state variable', async () => {
    expect(await tr().forward({ audio: 'memo.wav' }, ctx())).toBe('Hello from the memo.');
    expect(await tr().forward({ audio: 'recording' }, ctx({ recording: new Uint8Array(WAV) }))).toBe('Hello from the memo.');
  });

  it('refuses files outside the root, files without a root, and private URLs by default', async () => {
    expect(await tr().forward({ audio: '../etc/passwd' }, ctx())).toMatch(/^Error: "\.\.\/etc\/passwd" is outside the working directory/);
    expect(await transcriber({ baseURL: `${s.url}/asr` }).forward({ audio: 'memo.wav' }, ctx())).toMatch(/reading files is not enabled/);
    expect(await transcriber({ baseURL: `${s.url}/asr` }).forward({ audio: `${s.url}/memo.wav` }, ctx())).toMatch(/it is a loopback address/);
  });

  it('says so when the optional @huggingface/inference is not installed', async () => {
    vi.resetModules();
    vi.doMock('@huggingface/inference', () => {
      throw new Error("Cannot find package '@huggingface/inference'");
    });
    try {
      const { transcriber: fresh } = await import('./transcriber.ts');
      expect(await fresh({ baseURL: `${s.url}/asr` }).forward({ audio: 'x' }, ctx({ x: new Uint8Array(WAV) }))).toBe(
        'Error: The transcriber is not available: the optional package @huggingface/inference is not installed (pnpm add @huggingface/inference).',
      );
    } finally {
      vi.doUnmock('@huggingface/inference');
    }
  });
});
