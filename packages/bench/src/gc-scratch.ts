import { runJob, startMockCli } from './spawn.ts';
const latency = process.argv[2] ?? '100';
const server = await startMockCli(['--latency-ms', latency]);
for (const runner of ['smol', 'openai-sdk']) {
  let measuring = false; const gc: Record<string, [number, number]> = {};
  const r = await runJob({ kind: 'agents', runner, n: 1000, baseURL: server.baseURL, stream: false, sequential: false, sockets: 1024, warmup: 3 }, 120000, ['--trace-gc'], (line) => {
    const m = /(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep)[^,]*?,\s*([\d.]+)\s*\/\s*([\d.]+)\s*ms/.exec(line) ?? /(Scavenge|Mark-Compact|Minor Mark-Sweep)\S*\s.*?\s([\d.]+) \/ ([\d.]+) ms/.exec(line);
    if (m) { const k = m[1]; const e = gc[k] ?? [0, 0]; e[0]++; e[1] += Number(m[2]); gc[k] = e; }
  });
  console.log(runner, (r as any).cpuPerStepMs, JSON.stringify(gc));
}
await server.stop();
