import { describe, expect, it } from 'vitest';
import { startGCProfile } from './gc-profile.ts';

/** Allocates `count` small objects, keeping every `keepEvery`-th alive until the end. */
function churn(count: number, keepEvery: number): unknown[] {
  const kept: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const o = { i, s: `item ${i}` };
    if (i % keepEvery === 0) kept.push(o);
  }
  return kept;
}

describe('startGCProfile', () => {
  it('counts the scavenges of a window and what they promoted: more when more survives', () => {
    const measure = (keepEvery: number) => {
      const stop = startGCProfile();
      const kept = churn(3_000_000, keepEvery);
      const summary = stop();
      return { summary, kept: kept.length };
    };
    const few = measure(1000);
    const many = measure(4);
    for (const { summary } of [few, many]) {
      expect(summary.scavenges).toBeGreaterThan(0);
      expect(summary.scavengeMs).toBeGreaterThan(0);
    }
    // 750,000 survivors of about 40 bytes each, against 3,000: tens of MB against almost nothing.
    expect(many.summary.promotedKB).toBeGreaterThan(10_000);
    expect(many.summary.promotedKB).toBeGreaterThan(few.summary.promotedKB * 5);
  });

  it('counts only its own window: a profile started after the work saw none of it', () => {
    const before = startGCProfile();
    const kept = churn(3_000_000, 4);
    expect(before().scavenges).toBeGreaterThan(0);
    const after = startGCProfile();
    expect(after()).toEqual({ scavenges: 0, scavengeMs: 0, promotedKB: 0, otherMs: 0 });
    expect(kept.length).toBe(750_000);
  });
});
