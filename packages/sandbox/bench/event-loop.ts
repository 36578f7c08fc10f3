// How much the sandbox costs the host's event loop. Run: pnpm --filter @smol/sandbox run bench
// (builds this package and @smol/core first, then runs against dist/).
// (a) one session spins `while (true) {}` until its deadline: the main thread's p99 delay;
// (b) 1,000 concurrent sessions each run a snippet calling a tool twice: wall time, p99 delay,
//     and the amortised cost of creating a session (a QuickJS context in a worker).
// Prints one JSON line.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
// The package's own name: dist/ at run time, src/ for the type checker.
import { QuickJsExecutor } from '@smol/sandbox';

const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;

async function spinUntilDeadline(executor: QuickJsExecutor) {
  const session = await executor.createSession({ toolNames: [], callTool: async () => null });
  await session.execute('1'); // warm the worker
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const result = await session.execute('while (true) {}');
  const wallMs = performance.now() - started;
  delay.disable();
  await session.dispose();
  return { error: result.error?.name, wallMs: Math.round(wallMs), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max) };
}

async function manySessions(executor: QuickJsExecutor, count: number) {
  const callTool = async (_name: string, args: unknown) => {
    await sleep(5); // a tool that does some I/O
    return { n: (args as { n: number }).n + 1 };
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const sessions = await Promise.all(
    Array.from({ length: count }, (_, i) => executor.createSession({ toolNames: ['step'], callTool, variables: { i } })),
  );
  const createdMs = performance.now() - started;
  const results = await Promise.all(
    sessions.map((s) => s.execute('const a = await step({ n: i });\nconst b = await step({ n: a.n });\nb.n')),
  );
  await Promise.all(sessions.map((s) => s.dispose()));
  const wallMs = performance.now() - started;
  delay.disable();
  const wrong = results.filter((r, i) => r.output !== i + 2).length;
  const stats = await executor.stats();
  return {
    sessions: count,
    wrong,
    wallMs: Math.round(wallMs),
    createAllMs: Math.round(createdMs),
    createPerSessionMs: Math.round((createdMs / count) * 1000) / 1000,
    p99Ms: ms(delay.percentile(99)),
    maxMs: ms(delay.max),
    liveContextsAfter: stats.liveContexts,
  };
}

const executor = new QuickJsExecutor({ limits: { timeoutMs: 2000 } });
const spin = await spinUntilDeadline(executor);
await manySessions(executor, 100); // warm-up
const many = await manySessions(executor, 1000);
await executor.close();

const targets = { spinP99Under50ms: spin.p99Ms < 50, manyP99Under50ms: many.p99Ms < 50, createUnder1ms: many.createPerSessionMs < 1 };
console.log(JSON.stringify({ bench: 'sandbox-event-loop', node: process.version, spin, many, targets }));
