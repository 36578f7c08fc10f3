import { LinkedController } from '../runner/abort.js';

/** One attempt's signal: follows the caller's; aborts at the time limit, or when ended early. */
export class AttemptScope {
  readonly signal: AbortSignal;
  timedOut = false;
  private readonly controller: LinkedController;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(parent: AbortSignal | undefined, timeoutMs: number | undefined) {
    const controller = new LinkedController(parent);
    this.controller = controller;
    this.signal = controller.signal;
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        controller.abort(new DOMException(`No complete answer within ${timeoutMs} ms.`, 'TimeoutError'));
      }, timeoutMs);
    }
  }

  /** Clears the timer and the parent's listener; `abort` ends a request still running (a stream left early). */
  end(abort: boolean): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.controller.release();
    if (abort && !this.signal.aborted) this.controller.abort(new DOMException('The stream was closed by its reader.', 'AbortError'));
  }
}
