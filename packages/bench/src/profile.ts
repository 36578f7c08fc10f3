// pnpm --filter @smol/bench run profile: node --cpu-prof of one runner (default smol, N=1,000,
// 0 ms latency, the server in its own process), then the top self-time functions and packages.
//   --runner floor  --n 10000  --latency 100  --stream  --top 30  --no-build
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summarize, type CpuProfile } from './cpuprofile.ts';
import { runJob, startMockCli } from './spawn.ts';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    runner: { type: 'string', default: 'smol' },
    n: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '0' },
    top: { type: 'string', default: '25' },
    stream: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

if (!values['no-build']) {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
  const r = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@smol/bench...', '--output-logs=errors-only'], { cwd: resolve(packageDir, '../..'), env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const dir = join(packageDir, 'bench-results', 'profiles');
mkdirSync(dir, { recursive: true });
const server = await startMockCli(['--latency-ms', values.latency!]);
const before = new Set(readdirSync(dir));
const n = Number(values.n);
const result = await runJob(
  { kind: 'agents', runner: values.runner!, n, baseURL: server.baseURL, stream: values.stream!, sequential: false, sockets: 1024, warmup: 3 },
  300_000,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`],
);
await server.stop();
const file = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
  .map((f) => join(dir, f))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (!file) throw new Error(`no profile written: ${JSON.stringify(result)}`);
const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.top));
const out = (line: string) => process.stdout.write(`${line}\n`);
out(`${values.runner} N=${n} latency=${values.latency} ms${values.stream ? ' streamed' : ''}: ${JSON.stringify(result)}`);
out(`profile: ${file} (${s.totalMs} ms sampled, idle included)`);
out('\nself time by package:');
for (const a of s.areas) out(`  ${a.ms.toFixed(1).padStart(8)} ms ${a.percent.toFixed(1).padStart(5)}%  ${a.name}`);
out('\ntop functions by self time:');
for (const f of s.functions) out(`  ${f.ms.toFixed(1).padStart(8)} ms ${f.percent.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
