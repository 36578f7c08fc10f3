import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LinkedController, linkedController } from './abort.js';

describe('LinkedController', () => {
  it("aborts with its parent's reason, and stops following it once released", () => {
    const parent = new AbortController();
    const linked = new LinkedController(parent.signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    parent.abort(new Error('stop'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('stop');

    const other = new AbortController();
    const released = new LinkedController(other.signal);
    released.release();
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
    other.abort();
    expect(released.signal.aborted).toBe(false);
    // Aborting the linked one leaves the parent alone.
    released.abort();
    expect(other.signal.reason).not.toBe(released.signal.reason);
  });

  it('starts aborted under an aborted parent, and stands alone without one', () => {
    const parent = new AbortController();
    parent.abort('gone');
    const linked = new LinkedController(parent.signal);
    expect(linked.signal.reason).toBe('gone');
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    expect(new LinkedController().signal.aborted).toBe(false);
    const { controller, release } = linkedController(new AbortController().signal);
    release();
    expect(controller.signal.aborted).toBe(false);
  });
});
