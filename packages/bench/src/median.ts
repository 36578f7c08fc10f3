// The median of a measurement taken in several rounds: this machine's speed drifts by tens of
// percent within minutes, so one run per runner can put one runner in a slow stretch and its
// rival in a fast one. Rounds are interleaved across runners; each number is the median of its rounds.
import type { JobResult } from './spawn.ts';

/** The median of `xs` (the mean of the middle two for an even count; NaN for none). */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Field by field: numbers (and numbers one object deep) as medians; failed runs and errors are never hidden. */
export function medianResult(rounds: JobResult[]): JobResult {
  const failed = rounds.find((r) => r.status !== 'ok');
  if (failed || rounds.length === 1) return failed ?? rounds[0];
  const ok = rounds as Extract<JobResult, { status: 'ok' }>[];
  const out: Record<string, unknown> = { ...ok[0], rounds: rounds.length };
  for (const [key, value] of Object.entries(ok[0])) {
    if (key === 'errors' || key === 'wrong') out[key] = ok.reduce((sum, r) => sum + ((r[key] as number) ?? 0), 0);
    else if (typeof value === 'number') out[key] = median(ok.map((r) => r[key] as number));
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const [k, v] of Object.entries(value)) {
        const all = ok.map((r) => (r[key] as Record<string, unknown> | undefined)?.[k]);
        if (typeof v === 'number' && all.every((x) => typeof x === 'number')) inner[k] = median(all as number[]);
      }
      out[key] = inner;
    }
  }
  return out as JobResult;
}
