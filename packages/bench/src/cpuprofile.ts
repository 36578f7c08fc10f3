// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function and per package.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  percent: number;
}

/** Where a script belongs: a workspace package, a dependency, or node itself. */
export function area(url: string): string {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return 'node internals';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pnpm) return pnpm[1];
  const ws = /packages\/([^/]+)\//.exec(url);
  if (ws) return `@smol/${ws[1]}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  const i = url.lastIndexOf('node_modules/');
  if (i >= 0) return url.slice(i + 'node_modules/'.length);
  const p = url.indexOf('packages/');
  return p >= 0 ? url.slice(p) : url.replace(/^file:\/\//, '');
}

/** `skipUrl`: scripts whose samples are left out of every sum (the profiler's own session). */
export function summarize(profile: CpuProfile, top = 25, skipUrl?: string): { totalMs: number; functions: SelfTime[]; areas: SelfTime[] } {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fns = new Map<string, SelfTime>();
  const areas = new Map<string, SelfTime>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (skipUrl !== undefined && url === skipUrl) continue;
    total += us;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const f = fns.get(key) ?? { name: functionName || '(anonymous)', where, ms: 0, percent: 0 };
    f.ms += us / 1000;
    fns.set(key, f);
    // The collector gets a row of its own: (native/vm) would hide it among the builtins.
    const a = functionName === '(garbage collector)' ? '(garbage collector)' : area(url);
    const s = areas.get(a) ?? { name: a, where: '', ms: 0, percent: 0 };
    s.ms += us / 1000;
    areas.set(a, s);
  }
  const totalMs = total / 1000;
  const finish = (list: SelfTime[]) =>
    list
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((x) => ({ ...x, ms: Number(x.ms.toFixed(1)), percent: Number(((100 * x.ms) / totalMs).toFixed(1)) }));
  return { totalMs: Number(totalMs.toFixed(1)), functions: finish([...fns.values()]), areas: finish([...areas.values()]) };
}
