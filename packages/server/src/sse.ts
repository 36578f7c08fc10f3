// A run's events as a Server-Sent Events stream, pulled from the run's buffer: the stream reads
// at the client's pace (a slow client lags, it does not hold memory or other clients back).
import type { BufferedEvent, RunRecord } from './runs.js';

const encoder = new TextEncoder();

export function formatEvent(e: BufferedEvent): string {
  return `id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`;
}

export interface SseOptions {
  /** Send events after this id (Last-Event-ID). */
  after: number;
  /** A comment line this often while nothing happens, so proxies keep the connection. */
  heartbeatMs: number;
  /** Called when the client goes away before the run ended. */
  onCancel?: () => void;
}

export function runEventStream(record: RunRecord, options: SseOptions): ReadableStream<Uint8Array> {
  let cursor = options.after;
  const stop = new AbortController();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // How long a browser's EventSource waits before reconnecting.
        controller.enqueue(encoder.encode('retry: 1000\n\n'));
      },
      async pull(controller) {
        for (;;) {
          const { events, missed } = record.since(cursor);
          let text = '';
          if (missed > 0) text += `event: gap\ndata: ${JSON.stringify({ missed, after: cursor })}\n\n`;
          for (const e of events) text += formatEvent(e);
          if (events.length > 0) cursor = events[events.length - 1].id;
          if (text) {
            controller.enqueue(encoder.encode(text));
            return;
          }
          if (!record.running) {
            controller.close();
            return;
          }
          const before = record.lastEventId;
          const wasRunning = record.running;
          await record.changed(options.heartbeatMs, stop.signal);
          if (stop.signal.aborted) return;
          if (record.lastEventId === before && record.running === wasRunning) {
            controller.enqueue(encoder.encode(': keep-alive\n\n'));
            return;
          }
        }
      },
      cancel() {
        stop.abort();
        options.onCancel?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** The Last-Event-ID of a request (header, or `lastEventId` in the query for plain links); 0 for none. */
export function lastEventId(request: Request, url: URL): number | undefined {
  const raw = request.headers.get('last-event-id') ?? url.searchParams.get('lastEventId');
  if (raw === null || raw === '') return 0;
  return /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
}
