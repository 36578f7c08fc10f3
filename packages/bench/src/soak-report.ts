// The soak's targets, its SVG charts (hand-written polylines) and its markdown section.
import type { SoakResult, SoakSample } from './soak.ts';
import { median } from './median.ts';

export interface SoakCheck {
  name: string;
  /** Reference and end values, MB. */
  ref: number;
  end: number;
  /** end / ref. */
  ratio: number;
  limit: number;
  pass: boolean;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The two targets of issue 13:
 * - heap after GC at the end within 10% of the heap after the first 10% of the runs;
 * - RSS flat after warm-up: the median RSS over the last 10% of the runs within 10% of the
 *   median over 10–20% (the first tenth is the warm-up: JIT, socket pool, sandbox workers).
 */
export function evaluateSoak(r: SoakResult): SoakCheck[] {
  const s = r.samples;
  if (s.length < 2) return [];
  const at = (fraction: number): SoakSample => s.find((x) => x.runs >= fraction * r.runs) ?? s.at(-1)!;
  const between = (from: number, to: number): SoakSample[] => {
    const xs = s.filter((x) => x.runs >= from * r.runs && x.runs <= to * r.runs);
    return xs.length ? xs : [at(from)];
  };
  const check = (name: string, ref: number, end: number): SoakCheck => {
    const ratio = round2(end / ref);
    return { name, ref: round2(ref), end: round2(end), ratio, limit: 1.1, pass: end <= ref * 1.1 };
  };
  return [
    check('heap after GC: end vs after the first 10%', at(0.1).heapMB, s.at(-1)!.heapMB),
    check('RSS flat after warm-up: last 10% vs 10–20% (medians)', median(between(0.1, 0.2).map((x) => x.rssMB)), median(between(0.9, 1).map((x) => x.rssMB))),
  ];
}

interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" step for about `count` ticks over `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

const fmtRuns = (n: number): string => (n >= 1000 ? `${Number((n / 1000).toFixed(2))}k` : String(n));

/** Memory (MB) over runs finished, one polyline per series, with axes, grid and a legend. */
export function renderSoakSvg(title: string, r: SoakResult): string {
  const series: Series[] = [
    { label: 'RSS (process, workers included)', color: '#d62728', points: r.samples.map((s) => [s.runs, s.rssMB]) },
    { label: 'heap after GC (main thread)', color: '#1f77b4', points: r.samples.map((s) => [s.runs, s.heapMB]) },
  ];
  if (r.samples.some((s) => s.workerHeapMB !== undefined)) {
    series.push({ label: 'sandbox workers: V8 heap in use', color: '#2ca02c', points: r.samples.map((s) => [s.runs, s.workerHeapMB ?? 0]) });
    series.push({ label: 'sandbox workers: WebAssembly memory', color: '#9467bd', points: r.samples.map((s) => [s.runs, s.wasmMB ?? 0]) });
  }
  const W = 760;
  const H = 380;
  const m = { left: 60, right: 20, top: 40, bottom: 95 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const maxX = Math.max(1, r.runs);
  const maxY0 = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const yStep = tickStep(maxY0, 6);
  const maxY = Math.ceil((maxY0 * 1.05) / yStep) * yStep;
  const xStep = tickStep(maxX, 8);
  const x = (v: number): number => m.left + (v / maxX) * pw;
  const y = (v: number): number => m.top + ph - (v / maxY) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (let v = 0; v <= maxY + 1e-9; v += yStep) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toFixed(1))}</text>`);
  }
  for (let v = 0; v <= maxX + 1e-9; v += xStep) {
    out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${fmtRuns(v)}</text>`);
  }
  // The warm-up (first 10% of the runs) is shaded: the targets compare what comes after it.
  out.push(`<rect x="${m.left}" y="${m.top}" width="${(pw * 0.1).toFixed(1)}" height="${ph}" fill="#000" fill-opacity="0.04"/>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 34}" text-anchor="middle">agent runs finished</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">MB</text>`);
  for (const s of series) {
    const pts = s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
  }
  series.forEach((s, i) => {
    const lx = m.left + (i % 2) * (pw / 2);
    const ly = m.top + ph + 56 + Math.floor(i / 2) * 18;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(`<text x="${lx + 28}" y="${ly}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export interface SoakEntry {
  title: string;
  result: SoakResult;
  checks: SoakCheck[];
  /** The chart's path, relative to the repository root (where BENCHMARKS.md is). */
  svg: string;
}

/** The section for BENCHMARKS.md. */
export function renderSoakMarkdown(entries: SoakEntry[], env: { date: string; node: string; cpu: string; cores: number; loadAverage: number }): string {
  const lines: string[] = [];
  lines.push('## Soak: memory of a long-running process', '');
  lines.push(
    `Agent runs one after another through the simulated server (0 ms latency), a fixed number in flight, sampling the`,
    `main thread's heap after two full GCs and the process RSS as they go (\`pnpm bench --soak\`; ${env.date.slice(0, 10)},`,
    `Node ${env.node}, ${env.cores} × ${env.cpu}, load average ${env.loadAverage} at the start). The shaded first 10% is the warm-up.`,
    '',
  );
  lines.push('| agent | runs | in flight | wall | errors | heap after GC: after 10% → end | RSS: 10–20% → last 10% (medians) |');
  lines.push('|---|---:|---:|---:|---:|---|---|');
  for (const e of entries) {
    const r = e.result;
    const cell = (c: SoakCheck | undefined): string => (c ? `${c.ref} → ${c.end} MB (×${c.ratio}) **${c.pass ? 'PASS' : 'FAIL'}**` : 'n/a');
    lines.push(`| ${e.title} | ${r.runs.toLocaleString('en-US')} | ${r.concurrency} | ${r.wallS} s | ${r.errors + r.wrong} | ${cell(e.checks[0])} | ${cell(e.checks[1])} |`);
  }
  lines.push('', 'Targets: heap after GC at the end within 10% of the heap after the first 10% of the runs; RSS flat after warm-up (within 10%).', '');
  for (const e of entries) {
    const last = e.result.samples.at(-1);
    lines.push(`![${e.title}: memory over ${e.result.runs.toLocaleString('en-US')} runs](${e.svg})`, '');
    if (last?.workerHeapMB !== undefined) {
      lines.push(
        `${e.title}: at the end the sandbox workers held ${last.workerHeapMB} MB of V8 heap and ${last.wasmMB} MB of WebAssembly memory; ` +
          `${last.retiredWorkers} workers were recycled along the way (\`recycleAfterSessions\`, \`recycleHeapBytes\`).`,
        '',
      );
    }
  }
  return lines.join('\n');
}
