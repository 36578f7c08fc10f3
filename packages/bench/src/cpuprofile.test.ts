import { describe, expect, it } from 'vitest';
import { summarize, type CpuProfile } from './cpuprofile.ts';

const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 0, columnNumber: 0 } });

// Samples every 100 µs: 3 in smol's loop, 2 in the collector, 4 in the profiler's own session, 1 idle.
const profile: CpuProfile = {
  nodes: [frame(1, 'runLoop', 'file:///work/main/packages/core/dist/index.js'), frame(2, '(garbage collector)', ''), frame(3, 'post', 'node:inspector'), frame(4, '(idle)', '')],
  startTime: 0,
  endTime: 1000,
  samples: [1, 1, 1, 2, 2, 3, 3, 3, 3, 4],
  timeDeltas: Array(10).fill(100),
};

describe('summarize', () => {
  it('gives the garbage collector a row of its own, apart from the other native frames', () => {
    const { areas } = summarize(profile, Infinity);
    expect(areas.find((a) => a.name === '(garbage collector)')?.ms).toBe(0.2);
    expect(areas.find((a) => a.name === '@smol/core')?.ms).toBe(0.3);
    expect(areas.some((a) => a.name === '(native/vm)')).toBe(false);
  });

  it('leaves the samples of a skipped script out of every sum (the profiler turning its samples into a profile)', () => {
    const all = summarize(profile, Infinity);
    const skipped = summarize(profile, Infinity, 'node:inspector');
    expect(all.totalMs).toBe(1);
    expect(skipped.totalMs).toBe(0.6);
    expect(skipped.functions.map((f) => f.name)).toEqual(['runLoop', '(garbage collector)']);
  });
});
