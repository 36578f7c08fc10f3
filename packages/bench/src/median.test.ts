import { describe, expect, it } from 'vitest';
import { medianResult, pairedRatios, roundOrder } from './median.ts';
import type { JobResult } from './spawn.ts';

const ok = (cpu: number, wall: number, p99: number, errors = 0): JobResult => ({ status: 'ok', cpuPerStepMs: cpu, wallMs: wall, errors, wrong: 0, loopDelayMs: { p50: 1, p99, max: p99 }, health: { count: 10, p99Ms: p99 } });

describe('medianResult', () => {
  it('takes each number, one object deep too, as the median of its rounds', () => {
    const r = medianResult([ok(0.9, 3000, 80), ok(0.5, 1500, 30), ok(0.6, 1700, 40)]) as Record<string, any>;
    expect(r.cpuPerStepMs).toBe(0.6);
    expect(r.wallMs).toBe(1700);
    expect(r.loopDelayMs.p99).toBe(40);
    expect(r.health.p99Ms).toBe(40);
    expect(r.rounds).toBe(3);
  });

  it('never hides a failure: errors add up, and a failed round is the result', () => {
    expect((medianResult([ok(1, 1, 1), ok(1, 1, 1, 2), ok(1, 1, 1, 1)]) as Record<string, any>).errors).toBe(3);
    const timeout: JobResult = { status: 'timeout', timeoutS: 60 };
    expect(medianResult([ok(1, 1, 1), timeout, ok(1, 1, 1)])).toBe(timeout);
  });
});

describe('roundOrder', () => {
  const runners = ['smol', 'smol-ai-sdk', 'floor', 'openai-sdk', 'ai-sdk', 'openai-agents'];

  it('runs every runner once a round, with the SDK loop next to smol, on alternate sides', () => {
    for (let round = 1; round <= 4; round++) {
      const order = roundOrder(runners, round);
      expect([...order].sort()).toEqual([...runners].sort());
      expect(order.indexOf('openai-sdk') - order.indexOf('smol')).toBe(round % 2 === 0 ? -1 : 1);
    }
  });

  it('starts each round one runner later, so the heaviest peer precedes a different runner', () => {
    const after = (round: number) => {
      const order = roundOrder(runners, round);
      return order[order.indexOf('openai-agents') + 1];
    };
    expect(new Set([1, 2, 3, 4].map(after)).size).toBeGreaterThan(1);
    expect(roundOrder(runners, 1)[0]).not.toBe(roundOrder(runners, 2)[0]);
  });
});

describe('pairedRatios', () => {
  it("takes the median of each round's ratio, so a slow stretch shared by both cancels out", () => {
    // Round 2 is slow for both: the medians' ratio would mix rounds, the paired ratio does not.
    const smol = [ok(0.55, 1100, 1), ok(1.1, 2200, 1), ok(0.6, 1200, 1)];
    const sdk = [ok(0.5, 1000, 1), ok(1.0, 2000, 1), ok(0.5, 1000, 1)];
    const paired = pairedRatios(smol, sdk)!;
    expect(paired.rounds).toBe(3);
    expect(paired.cpu).toBeCloseTo(1.1);
    expect(paired.wall).toBeCloseTo(1.1);
  });

  it('gives nothing for a single round or a failed one', () => {
    expect(pairedRatios([ok(1, 1, 1)], [ok(1, 1, 1)])).toBeUndefined();
    expect(pairedRatios([ok(1, 1, 1), { status: 'timeout', timeoutS: 60 }], [ok(1, 1, 1), ok(1, 1, 1)])).toBeUndefined();
  });
});
