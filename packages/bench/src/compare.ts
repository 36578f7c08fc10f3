// pnpm --filter @smol/bench run compare: CPU per step of some runners, alternated over several
// rounds in fresh processes, median and range, to tell a change from the machine's noise. The
// ratio to the last runner is the median of each round's ratio (neighbours in time share the
// machine's speed); each round starts one runner later. A runner may carry environment variables for its process: smol+NAME=value.
//   --runners smol,openai-sdk  --n 1000  --latency 0  --rounds 5
import { parseArgs } from 'node:util';
import { median } from './median.ts';
import { runJob, startMockCli } from './spawn.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    runners: { type: 'string', default: 'smol,openai-sdk' },
    n: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '5' },
  },
});
const specs = values.runners!.split(',');
const n = Number(values.n);
const server = await startMockCli(['--latency-ms', values.latency!]);
const samples = new Map<string, { cpu: number[]; wall: number[]; kb: number[]; p99: number[] }>(specs.map((r) => [r, { cpu: [], wall: [], kb: [], p99: [] }]));
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    // Each round starts one runner later: no runner always follows the same one.
    for (const spec of [...specs.slice(round % specs.length), ...specs.slice(0, round % specs.length)]) {
      const [runner, ...vars] = spec.split('+');
      const env = vars.length ? Object.fromEntries(vars.map((v) => v.split('=') as [string, string])) : undefined;
      const r = await runJob({ kind: 'agents', runner, n, baseURL: server.baseURL, stream: false, sequential: false, sockets: 1024, warmup: 3 }, 120_000, [], undefined, env);
      if (r.status !== 'ok') throw new Error(`${spec}: ${JSON.stringify(r)}`);
      const s = samples.get(spec)!;
      s.cpu.push(r.cpuPerStepMs as number);
      s.wall.push(r.wallMs as number);
      s.kb.push(r.kbPerAgent as number);
      s.p99.push((r.loopDelayMs as { p99: number }).p99);
    }
  }
} finally {
  await server.stop();
}
const last = specs[specs.length - 1];
const base = samples.get(last)!;
for (const [spec, s] of samples) {
  const range = (xs: number[]) => `${Math.min(...xs)}–${Math.max(...xs)}`;
  const ratio = median(s.cpu.map((c, i) => c / base.cpu[i]));
  const wallRatio = median(s.wall.map((w, i) => w / base.wall[i]));
  process.stdout.write(
    `${spec.padEnd(22)} CPU ms/step ${median(s.cpu).toFixed(3)} (${range(s.cpu)}) ÷ ${last} ${ratio.toFixed(2)}x` +
      `  wall ms ${median(s.wall)} (${wallRatio.toFixed(2)}x)  KB/agent ${median(s.kb)}  loop p99 ${median(s.p99)}\n`,
  );
}
