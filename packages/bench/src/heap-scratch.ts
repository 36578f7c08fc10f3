import { writeHeapSnapshot } from 'node:v8';
import { readFileSync } from 'node:fs';
import { startMockCli } from './spawn.ts';
import { loadRunner } from './worker.ts';
const runnerName = process.argv[2] ?? 'smol';
const n = 1000;
const server = await startMockCli(['--latency-ms', '1500']);
const runner = await loadRunner({ runner: runnerName, baseURL: server.baseURL, stream: false, sockets: 1024 });
const gc = (globalThis as any).gc as () => void;
// warm-up
await Promise.all(Array.from({ length: 10 }, (_, i) => runner.runOne(-i - 1)));
gc(); gc();
const before = process.memoryUsage().heapUsed;
const all = Array.from({ length: n }, (_, i) => runner.runOne(i));
await new Promise((r) => setTimeout(r, 700));
gc(); gc();
const during = process.memoryUsage().heapUsed;
console.log(runnerName, 'live heap per in-flight agent KB', ((during - before) / 1024 / n).toFixed(1));
if (process.argv[3]) {
  const file = writeHeapSnapshot(process.argv[3]);
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const f = snap.snapshot.meta.node_fields; const types = snap.snapshot.meta.node_types[0];
  const nf = f.length; const nodes = snap.nodes; const strings = snap.strings;
  const byName = new Map<string, [number, number]>();
  for (let i = 0; i < nodes.length; i += nf) {
    const type = types[nodes[i + f.indexOf('type')]]; const name = strings[nodes[i + f.indexOf('name')]]; const size = nodes[i + f.indexOf('self_size')];
    const key = type === 'object' || type === 'closure' ? `${type}:${name}` : type;
    const e = byName.get(key) ?? [0, 0]; e[0] += size; e[1]++; byName.set(key, e);
  }
  for (const [k, [size, count]] of [...byName].sort((a, b) => b[1][0] - a[1][0]).slice(0, 45)) console.log((size / 1024).toFixed(0).padStart(8), 'KB', String(count).padStart(8), k);
}
await Promise.all(all);
await server.stop();
process.exit(0);
