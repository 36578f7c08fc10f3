// pnpm --filter @smol/bench run instructions: machine instructions per model call of smol and of
// the bare SDK loop, counted by valgrind (callgrind), against an in-process server. CPU time on
// this machine drifts by tens of percent between runs minutes apart; an instruction count is the
// same from run to run within a few percent, so it tells smol's own cost from the machine's
// noise. It does not see what time sees beyond instructions (cache misses, the network, turns on a busy loop), so the
// load tables stay the measure of record. Writes instructions-report.md, which BENCHMARKS.md keeps.
//   --runners smol,openai-sdk  --n 50  --warmup 150  --batches 48  --out FILE
// A runner may carry environment variables for its processes, as in compare: openai-sdk+SMOL_BENCH_SDK_PROMPT=smol.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IN_PROCESS_OPTIONS } from './in-process-server.ts';
import { runnerSpec } from './spawn.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { ...IN_PROCESS_OPTIONS, out: { type: 'string' } },
});
const n = Number(values.n);
const warmup = Number(values.warmup);
const batches = Number(values.batches);
const runners = values.runners!.split(',');

if (spawnSync('valgrind', ['--version']).status !== 0) {
  process.stderr.write('valgrind is not installed: apt-get install -y valgrind (Debian)\n');
  process.exit(1);
}

/** What a function symbol is part of, for the breakdown (JIT-compiled JavaScript has no symbol). */
function category(symbol: string): string {
  if (/compiler::|turboshaft|maglev/i.test(symbol)) return 'JIT compiler';
  if (/Json/.test(symbol)) return 'JSON (parse, stringify)';
  if (/Scaveng|Mark|Sweep|Evacuat|heap::|Heap|RecordWrite|WriteBarrier|Remembered/.test(symbol)) return 'garbage collector (and write barriers)';
  if (/^\?\?\?:0x|^0x/.test(symbol)) return 'JavaScript (JIT-compiled code)';
  if (/Builtins_/.test(symbol)) return "V8's built-in functions";
  return 'other (Node, V8 runtime, libc)';
}

const dir = mkdtempSync(join(tmpdir(), 'smol-instructions-'));

/** Instructions of one worker process, in all and by category (callgrind_annotate over its output). */
function count(spec: string, measured: number): Promise<Map<string, number>> {
  const { runner, env } = runnerSpec(spec);
  const job = JSON.stringify({ runner, n, warmup, batches: measured });
  const file = join(dir, `${runners.indexOf(spec)}-${measured}.out`);
  // V8's predictable mode (one thread, and no GC or compile decision taken on the clock) and no
  // time slices (under valgrind every 10 ms slice would be spent, and when is a matter of timing):
  // the count moves by a few percent at most, however busy the machine.
  const args = ['--tool=callgrind', `--callgrind-out-file=${file}`, process.execPath, '--predictable', '--predictable-gc-schedule', join(here, 'instructions-worker.ts'), job];
  const child = spawn('valgrind', args, { env: { ...process.env, ...env, SMOL_TURN_SLICE_MS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolvePromise, reject) => {
    child.once('close', (code) => {
      const collected = /Collected : (\d+)/.exec(stderr);
      if (code !== 0 || !collected || !stdout.includes('CALLS')) return reject(new Error(`${spec} (${measured} batches): exit ${code}\n${stderr.slice(-1500)}`));
      const byCategory = new Map<string, number>([['all', Number(collected[1])]]);
      const annotated = spawnSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      for (const line of annotated.stdout.split('\n')) {
        const m = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
        if (!m || m[2].includes('PROGRAM TOTALS')) continue;
        const c = category(m[2]);
        byCategory.set(c, (byCategory.get(c) ?? 0) + Number(m[1].replaceAll(',', '')));
      }
      resolvePromise(byCategory);
    });
  });
}

const t0 = Date.now();
const perCall = new Map<string, Map<string, number>>();
try {
  for (const runner of runners) {
    // The two processes of a runner share the two cores; the counts do not depend on it.
    const [without, withBatches] = await Promise.all([count(runner, 0), count(runner, batches)]);
    const calls = batches * n * 3;
    const per = new Map<string, number>();
    for (const [c, v] of withBatches) per.set(c, (v - (without.get(c) ?? 0)) / calls);
    perCall.set(runner, per);
    process.stdout.write(`${runner.padEnd(12)} ${Math.round(per.get('all')! / 1000)}k instructions per model call\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const last = runners[runners.length - 1];
const base = perCall.get(last)!;
const k = (v: number | undefined): string => `${Math.round((v ?? 0) / 1000)}k`;
const rows = runners.map((r) => `| ${r} | ${k(perCall.get(r)!.get('all'))} | ${(perCall.get(r)!.get('all')! / base.get('all')!).toFixed(2)}x |`);
const categories = [...base.keys()].filter((c) => c !== 'all').sort((a, b) => (perCall.get(runners[0])!.get(b) ?? 0) - (perCall.get(runners[0])!.get(a) ?? 0));
// The first runner against each of the others.
const others = runners.slice(1);
const minus = (r: string, c: string): string => k((perCall.get(runners[0])!.get(c) ?? 0) - (perCall.get(r)!.get(c) ?? 0));
const breakdown = categories.map((c) => `| ${c} | ${runners.map((r) => k(perCall.get(r)!.get(c))).join(' | ')} | ${others.map((r) => minus(r, c)).join(' | ')} |`);
const withPrompt = runners.some((r) => r.includes('+SMOL_BENCH_SDK_PROMPT=smol'));
const md = [
  '## Instructions per model call (valgrind)',
  '',
  `Generated by \`pnpm --filter @smol/bench run instructions\` on ${new Date().toISOString().slice(0, 10)} (${Math.round((Date.now() - t0) / 1000)} s). ` +
    `CPU time on this machine drifts by tens of percent between runs; a count of machine instructions moves by a few percent at most (the same code counted within 4% over several runs). Each runner does the bench's work (3 model calls per agent) ` +
    `against an in-process server (the same \`fetch\` for both; like smol's transport it takes the run's signal beside the SDK's, so smol's runs go as on its default fetch) under callgrind, ${warmup} warm-up batches of ${n} agents, ` +
    `then ${batches} more; the count is that of the ${batches} batches (a run with them minus a run without), over their ${batches * n * 3} model calls. ` +
    "V8's predictable mode (`--predictable --predictable-gc-schedule`: one thread, no GC or compile decision taken on the clock) and no time slices (`SMOL_TURN_SLICE_MS=0`) keep the count steady. " +
    "Instructions are not time: cache misses, the network and a busy loop's turns are in the tables above and not here." +
    (withPrompt ? ' `+SMOL_BENCH_SDK_PROMPT=smol` is the SDK loop sending the system prompt and task line a ToolCallingAgent sends: smol minus that row is what smol does beyond sending its prompt.' : '') +
    " The warm-up is long enough for V8 to finish optimizing the request path (about 20,000 model calls): the JIT compiler's row is what is left, near zero, and can come out below zero because the two processes' compile decisions differ.",
  '',
  `| runner | instructions per model call | ÷ ${last} |`,
  '| --- | --- | --- |',
  ...rows,
  '',
  `Where they go, by the function each instruction ran in (callgrind_annotate; a symbol's category is read from its name, so the split is approximate; the rows leave out functions under 0.01%):`,
  '',
  `| part | ${runners.join(' | ')} | ${others.map((r) => `${runners[0]} − ${r}`).join(' | ')} |`,
  `| --- | ${runners.map(() => '---').join(' | ')} | ${others.map(() => '---').join(' | ')} |`,
  ...breakdown,
  '',
].join('\n');
const out = values.out ? resolve(values.out) : join(here, '..', 'instructions-report.md');
writeFileSync(out, md);
process.stdout.write(`wrote ${out}\n`);
