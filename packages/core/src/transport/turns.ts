// Time slices for what runs after a model's answer arrives. When a thousand answers land in one
// poll phase, running every run's next step back to back holds the event loop for the whole
// burst (400 ms and more at 1,000 agents), and other I/O on it (a health check, an SSE
// heartbeat) waits that long. So a continuation runs at once only while the current stretch of
// uninterrupted work is under SLICE_MS; after that it waits in a FIFO queue, which is drained
// SLICE_MS at a time, one event-loop turn apart, so that pending I/O is served in between.

/**
 * How long the loop may work before waiting continuations give way to I/O: 10 ms, or
 * SMOL_TURN_SLICE_MS. 0 switches slicing off, which gains no throughput (at 10,000 agents runs
 * took longer without it); the bench counts instructions with it off, since under valgrind every
 * slice would be spent.
 */
const SLICE_MS = sliceFromEnv(typeof process !== 'undefined' ? process.env?.SMOL_TURN_SLICE_MS : undefined);

function sliceFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 10;
  const ms = Number(value);
  if (Number.isFinite(ms) && ms >= 0) return ms === 0 ? Infinity : ms;
  process.emitWarning(`SMOL_TURN_SLICE_MS must be a number of ms (0 switches slicing off), got ${JSON.stringify(value)}: using 10.`);
  return 10;
}

/** When the current stretch of work began; -1 once the loop has come round since. */
let sliceStart = -1;
const queue: (() => void)[] = [];
let head = 0;
let scheduled = false;
let draining = false;

/** Starts counting a stretch of work; it ends when the loop reaches its check phase, past the poll for I/O. */
function startSlice(now: number): void {
  sliceStart = now;
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(onCheck);
}

/** The check phase: the loop has polled for I/O since the slice began. A new slice starts. */
function onCheck(): void {
  scheduled = false;
  if (head === queue.length) {
    sliceStart = -1;
    return;
  }
  sliceStart = performance.now();
  draining = true;
  runNext();
}

function runNext(): void {
  if (head === queue.length) {
    queue.length = 0;
    head = 0;
    draining = false;
    sliceStart = -1;
    return;
  }
  if (performance.now() - sliceStart >= SLICE_MS) {
    // The rest waits for the next turn of the loop, after its poll for I/O.
    draining = false;
    schedule();
    return;
  }
  const resume = queue[head];
  queue[head++] = undefined as never;
  resume();
  // A nextTick queued from a microtask runs once the microtask queue is empty: after the
  // continuation has run up to its next real wait (I/O, a timer), however many awaits deep.
  queueMicrotask(afterContinuation);
}

function afterContinuation(): void {
  process.nextTick(runNext);
}

function enqueue(resume: () => void): void {
  queue.push(resume);
  if (!draining) schedule();
}

/**
 * Calls `resume` (a promise's resolve: it must not throw) now when the loop is not busy, or
 * after the continuations already waiting, in a later slice, when it has been busy for a slice.
 */
export function inTurn(resume: () => void): void {
  const now = performance.now();
  if (sliceStart < 0) startSlice(now);
  if (head === queue.length && now - sliceStart < SLICE_MS) resume();
  else enqueue(resume);
}

/** Whether the loop has worked a whole slice without serving I/O: time to `nextTurn()`. The first call in a stretch starts it. */
export function sliceSpent(): boolean {
  const now = performance.now();
  if (sliceStart >= 0) return now - sliceStart >= SLICE_MS;
  startSlice(now);
  return false;
}

/** Waits behind the continuations already waiting, for a later slice; an abort of `signal` ends the wait at once. */
export function nextTurn(signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    if (sliceStart < 0) startSlice(performance.now());
    if (!signal) return enqueue(resolve);
    // The queue keeps the entry; when its turn comes after an abort it is a no-op.
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    enqueue(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
