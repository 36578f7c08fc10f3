import dc from 'node:diagnostics_channel';
import { startMockCli } from './spawn.ts';
import { loadRunner } from './worker.ts';
const runnerName = process.argv[2] ?? 'smol';
let sockets = 0;
dc.subscribe('net.client.socket', () => sockets++);
const server = await startMockCli(['--latency-ms', process.argv[3] ?? '100']);
const runner = await loadRunner({ runner: runnerName, baseURL: server.baseURL, stream: false, sockets: 1024 });
for (const round of [1, 2, 3]) {
  const before = sockets;
  await Promise.all(Array.from({ length: 1000 }, (_, i) => runner.runOne(i)));
  console.log(runnerName, 'round', round, 'new sockets', sockets - before);
}
await server.stop();
process.exit(0);
