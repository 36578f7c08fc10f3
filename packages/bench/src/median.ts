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

/** Round by round, `xs[i]` over `base[i]` (neighbours in time share the machine's speed), and the median of those ratios. */
export const medianRatio = (xs: readonly number[], base: readonly number[]): number => median(xs.map((x, i) => x / base[i]));

/** Round by round, `xs[i]` minus `base[i]`, and the median of those differences. */
export const medianDifference = (xs: readonly number[], base: readonly number[]): number => median(xs.map((x, i) => x - base[i]));

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

/** The reference: the bare `openai` SDK loop on smol's transport (smol keeps the SDK on every request). Its rounds run next to smol's. */
export const SDK_LOOP = 'openai-sdk';

/**
 * The runners' order in round `round` (from 1). Each round starts one runner later, so the
 * heavy peers' exits (a 1.6 GB process leaves the kernel reclaiming memory as the next starts)
 * fall before a different runner each round. smol and the SDK loop run next to each other, the
 * loop before smol in even rounds and after it in odd ones: the targets compare the two, and
 * neighbours in time share the machine's speed.
 */
export function roundOrder(runners: readonly string[], round: number): string[] {
  const rest = runners.filter((r) => r !== SDK_LOOP);
  const order = rest.map((_, i) => rest[(i + round - 1) % rest.length]);
  if (rest.length === runners.length) return order;
  const at = order.indexOf('smol');
  if (at < 0) return [...order, SDK_LOOP];
  order.splice(round % 2 === 0 ? at : at + 1, 0, SDK_LOOP);
  return order;
}

/** smol's value over the SDK loop's, round by round (neighbours in time), and the median of those ratios per measure. */
export function pairedRatios(smol: JobResult[] | undefined, sdk: JobResult[] | undefined): { rounds: number; cpu: number; wall: number; memory: number } | undefined {
  if (!smol || !sdk || smol.length !== sdk.length || smol.length < 2) return undefined;
  if ([...smol, ...sdk].some((r) => r.status !== 'ok')) return undefined;
  const values = (rounds: JobResult[], key: string) => rounds.map((r) => (r as Record<string, unknown>)[key] as number);
  const ratio = (key: string) => medianRatio(values(smol, key), values(sdk, key));
  return { rounds: smol.length, cpu: ratio('cpuPerStepMs'), wall: ratio('wallMs'), memory: ratio('kbPerAgent') };
}
