// pnpm --filter @smol/bench run heap: the live heap each agent holds while its model call is in
// flight (N agents waiting on a slow simulated server, after two full GCs), for one runner.
//   --runner smol  --n 1000  --snapshot FILE (also writes a heap snapshot and lists its largest kinds)
//   --call 3: held at the third model call instead of the first (the in-process server, slowed for
//             that call only), which counts what a run keeps of its finished steps
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { inProcessServer } from './in-process-server.ts';
import { startMockCli } from './spawn.ts';
import type { Runner } from './work.ts';
import { loadRunner } from './worker.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    runner: { type: 'string', default: 'smol' },
    n: { type: 'string', default: '1000' },
    call: { type: 'string', default: '1' },
    snapshot: { type: 'string' },
  },
});
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (the package script does)');
const n = Number(values.n);
const call = Number(values.call);
if (!Number.isInteger(call) || call < 1) throw new Error(`--call must be a whole number from 1, got ${values.call}`);
// 4 s of latency, measured after 2.5 s: every agent has started (a busy loop starts them in turns)
// and is waiting on the model call counted.
let held = false;
let stop: () => Promise<void>;
let runner: Runner;
if (call === 1) {
  const server = await startMockCli(['--latency-ms', '4000']);
  stop = server.stop;
  runner = await loadRunner({ runner: values.runner!, baseURL: server.baseURL, stream: false, sockets: 1024 });
} else {
  const server = inProcessServer((results) => (held && results >= call - 1 ? new Promise((r) => setTimeout(r, 4000)) : undefined));
  stop = async () => {};
  runner = await loadRunner({ runner: values.runner!, baseURL: 'http://127.0.0.1:9/v1', stream: false, sockets: 1, fetch: server.fetch });
}
// Warm-up (negative task numbers): the in-process runs are cheap, so they get the instruction count's 20 batches of 50.
const [batches, size] = call === 1 ? [1, 10] : [20, 50];
for (let k = 0; k < batches; k++) await Promise.all(Array.from({ length: size }, (_, i) => runner.runOne(-1 - i - k * size)));
gc();
gc();
const before = process.memoryUsage().heapUsed;
held = true;
const all = Array.from({ length: n }, (_, i) => runner.runOne(i));
await new Promise((r) => setTimeout(r, 2500));
gc();
gc();
const during = process.memoryUsage().heapUsed;
process.stdout.write(`${values.runner}: live heap per in-flight agent at model call ${call} ${((during - before) / 1024 / n).toFixed(1)} KB (N=${n})\n`);
if (values.snapshot) {
  const snap = JSON.parse(readFileSync(writeHeapSnapshot(values.snapshot), 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map<string, [number, number]>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = snap.snapshot.meta.node_types[0][snap.nodes[i + iType]];
    const key = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + iName]]}` : type;
    const e = kinds.get(key) ?? [0, 0];
    e[0] += snap.nodes[i + iSize];
    e[1]++;
    kinds.set(key, e);
  }
  for (const [key, [size, count]] of [...kinds].sort((a, b) => b[1][0] - a[1][0]).slice(0, 30)) {
    process.stdout.write(`${(size / 1024).toFixed(0).padStart(8)} KB ${String(count).padStart(8)}  ${key}\n`);
  }
}
await Promise.all(all);
await stop();
process.exit(0);
