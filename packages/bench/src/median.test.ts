import { describe, expect, it } from 'vitest';
import { medianResult } from './median.ts';
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
