// Stream plumbing shared by every provider: stop sequences cut client-side, and provider events mapped to deltas.
import { toAbortError } from '../errors.js';
import type { ChatMessageStreamDelta } from '../messages.js';

/** Index of the earliest stop sequence in `text`, or -1. */
export function firstStop(text: string, stops: readonly string[]): number {
  let best = -1;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

/**
 * Cuts a stream at the first stop sequence, even one split across chunks: it holds back the
 * last (longest stop − 1) characters until the next chunk shows they are not a stop.
 */
export class StopFilter {
  stopped = false;
  private pending = '';
  private readonly hold: number;
  constructor(private readonly stops: readonly string[]) {
    this.hold = Math.max(...stops.map((s) => s.length)) - 1;
  }

  /** The text that can be emitted now. */
  push(chunk: string): string {
    if (this.stopped) return '';
    const text = this.pending + chunk;
    const cut = firstStop(text, this.stops);
    if (cut >= 0) {
      this.stopped = true;
      this.pending = '';
      return text.slice(0, cut);
    }
    const keep = Math.min(this.hold, text.length);
    this.pending = keep > 0 ? text.slice(text.length - keep) : '';
    return keep > 0 ? text.slice(0, text.length - keep) : text;
  }

  /** What is held back when the stream ends without a stop. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}

/** Turns one provider's stream events into deltas and says whether the stream ended properly. */
export interface StreamMapper<E> {
  map(event: E): ChatMessageStreamDelta | undefined;
  /** Throws when the stream ended before the provider said it was complete (a cut connection). */
  finish(): void;
}

/**
 * A provider stream as deltas. SDKs end an aborted stream quietly, so an abort is reported
 * here; a stream cut short fails in `mapper.finish()` instead of passing for a short answer.
 */
export async function* mapStream<E>(events: AsyncIterable<E>, mapper: StreamMapper<E>, signal?: AbortSignal, onEvent?: () => void): AsyncGenerator<ChatMessageStreamDelta, void, undefined> {
  for await (const event of events) {
    onEvent?.();
    const delta = mapper.map(event);
    if (delta) yield delta;
  }
  if (signal?.aborted) throw toAbortError(signal);
  mapper.finish();
}
