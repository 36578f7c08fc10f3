// The worker's side of the health measurement: a plain node:http GET /health on the worker's
// own event loop (like an app's health endpoint next to its agents), asked by a probe in a
// child process (health-probe.ts) while the measured work runs.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HealthStats } from './health-probe.ts';

export type { HealthStats } from './health-probe.ts';

const probeFile = join(dirname(fileURLToPath(import.meta.url)), 'health-probe.ts');

export interface HealthCheck {
  /** Tells the probe to start polling: call it right where the measured work starts. */
  begin(): void;
  /** Tells the probe to stop: call it right where the measured work ends. Synchronous, cheap. */
  end(): void;
  /** The probe's numbers, after end(); closes the server and the probe. */
  result(): Promise<HealthStats>;
  /** Stops everything without a result (the work failed). */
  close(): Promise<void>;
}

type ProbeMessage = { type: 'ready' } | ({ type: 'result' } & HealthStats) | { type: 'error'; error: string };

/**
 * Starts the health server and the probe, and resolves once the probe has made one warm-up
 * request (connection open, code paths compiled), so that setup stays out of the measurement.
 */
export async function startHealthCheck(timeoutMs = 10_000): Promise<HealthCheck> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    } else {
      res.writeHead(404).end();
    }
  });
  // The probe's one socket idles through the warm-up: no keep-alive timeout may close it under a request.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  // The same node as the worker; no --cpu-prof or --expose-gc inherited: the probe is not measured.
  const child: ChildProcess = fork(probeFile, [`http://127.0.0.1:${port}/health`], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-1000)));

  const waiters: ((m: ProbeMessage) => void)[] = [];
  let failure: Error | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
    for (const w of waiters.splice(0)) w({ type: 'error', error: failure.message });
  };
  child.on('message', (m: ProbeMessage) => {
    if (m.type === 'error') fail(new Error(`health probe: ${m.error}`));
    else waiters.shift()?.(m);
  });
  child.on('error', (error) => fail(error));
  child.once('exit', (code) => fail(new Error(`health probe exited (${code}) ${stderr.trim().slice(-300)}`)));
  const next = (what: string): Promise<ProbeMessage> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      const timer = setTimeout(() => reject(new Error(`health probe: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      waiters.push((m) => {
        clearTimeout(timer);
        if (m.type === 'error') reject(new Error(m.error));
        else resolve(m);
      });
    });

  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    }
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  try {
    await next('ready');
  } catch (error) {
    await close();
    throw error;
  }
  let result: Promise<ProbeMessage> | undefined;
  return {
    begin: () => child.send({ type: 'start' }),
    end: () => {
      // Listening before the stop goes out: the answer can come back quickly.
      result = next('result');
      result.catch(() => {});
      child.send({ type: 'stop' });
    },
    async result() {
      if (!result) throw new Error('health: result() before end()');
      try {
        const { type: _type, ...stats } = (await result) as { type: 'result' } & HealthStats;
        return stats;
      } finally {
        await close();
      }
    },
    close,
  };
}
