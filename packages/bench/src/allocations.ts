// pnpm --filter @smol/bench run allocations: bytes allocated per model call, by the function that
// allocated them, for smol and the bare SDK loop on the in-process server. V8's sampling heap
// profiler with collected objects included: what the garbage collector has to deal with, not
// what survives. The rows are the functions where smol allocates most beyond the last runner.
//   --runners smol,openai-sdk  --n 50  --warmup 150  --batches 48  --top 25
import { spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IN_PROCESS_OPTIONS, inProcessRunner } from './in-process-server.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { ...IN_PROCESS_OPTIONS, top: { type: 'string', default: '25' }, one: { type: 'string' } },
});
const [n, warmup, batches] = [Number(values.n), Number(values.warmup), Number(values.batches)];
const runners = values.runners!.split(',');

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: ProfileNode[];
}

/** Bytes allocated per model call by function, for one runner, in this process. */
async function profileOne(name: string): Promise<Record<string, number>> {
  const session = new Session();
  session.connect();
  const runner = await inProcessRunner(name, n);
  await runner.batches(warmup);
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  const calls = await runner.batches(batches);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  session.disconnect();
  const bytes: Record<string, number> = {};
  const walk = (node: ProfileNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, '').replace(/^.*packages\//, '');
    const key = `${functionName || '(anonymous)'}  ${where}${where ? `:${lineNumber + 1}` : ''}`;
    bytes[key] = (bytes[key] ?? 0) + node.selfSize / calls;
    bytes.all = (bytes.all ?? 0) + node.selfSize / calls;
    for (const child of node.children ?? []) walk(child);
  };
  walk(profile.head);
  return bytes;
}

if (values.one) {
  process.stdout.write(`RESULT ${JSON.stringify(await profileOne(values.one))}\n`);
  process.exit(0);
}

// Each runner in a fresh process: what one compiled or allocated must not colour the other.
const perCall = new Map<string, Map<string, number>>();
for (const name of runners) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', name, '--n', String(n), '--warmup', String(warmup), '--batches', String(batches)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) throw new Error(`${name}: exit ${child.status}\n${child.stderr.slice(-1500)}`);
  const bytes = new Map(Object.entries(JSON.parse(line.slice(7)) as Record<string, number>));
  perCall.set(name, bytes);
  process.stdout.write(`${name.padEnd(12)} ${Math.round(bytes.get('all')!)} bytes allocated per model call\n`);
}

const [first] = runners;
const last = perCall.get(runners[runners.length - 1])!;
const rows = [...perCall.get(first)!]
  .filter(([k]) => k !== 'all')
  .map(([k, v]) => [k, v, v - (last.get(k) ?? 0)] as const)
  .sort((a, b) => b[2] - a[2])
  .slice(0, Number(values.top));
process.stdout.write(`\nbytes per call: ${first} − ${runners[runners.length - 1]}, ${first}, function\n`);
for (const [k, v, d] of rows) process.stdout.write(`${Math.round(d).toString().padStart(7)} ${Math.round(v).toString().padStart(7)}  ${k}\n`);
