// pnpm --filter @smol/bench run compare: CPU per step of some runners, alternated over several
// rounds in fresh processes, median and range, to tell a change from the machine's noise.
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
const runners = values.runners!.split(',');
const n = Number(values.n);
const server = await startMockCli(['--latency-ms', values.latency!]);
const samples = new Map<string, { cpu: number[]; wall: number[]; kb: number[]; p99: number[] }>(runners.map((r) => [r, { cpu: [], wall: [], kb: [], p99: [] }]));
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const runner of runners) {
      const r = await runJob({ kind: 'agents', runner, n, baseURL: server.baseURL, stream: false, sequential: false, sockets: 1024, warmup: 3 }, 120_000);
      if (r.status !== 'ok') throw new Error(`${runner}: ${JSON.stringify(r)}`);
      const s = samples.get(runner)!;
      s.cpu.push(r.cpuPerStepMs as number);
      s.wall.push(r.wallMs as number);
      s.kb.push(r.kbPerAgent as number);
      s.p99.push((r.loopDelayMs as { p99: number }).p99);
    }
  }
} finally {
  await server.stop();
}
const base = median(samples.get(runners[runners.length - 1])!.cpu);
for (const [runner, s] of samples) {
  const range = (xs: number[]) => `${Math.min(...xs)}–${Math.max(...xs)}`;
  process.stdout.write(
    `${runner.padEnd(14)} CPU ms/step ${median(s.cpu).toFixed(3)} (${range(s.cpu)}) ÷ ${runners[runners.length - 1]} ${(median(s.cpu) / base).toFixed(2)}x` +
      `  wall ms ${median(s.wall)}  KB/agent ${median(s.kb)}  loop p99 ${median(s.p99)}\n`,
  );
}
