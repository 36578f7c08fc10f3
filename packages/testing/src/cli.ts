#!/usr/bin/env node
// smol-mock-llm: run the simulated OpenAI-compatible server in its own process.
// Prints one JSON line {"url": "...", "port": N} on stdout once listening; exits on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { startMockLlmServer } from './mock-server.js';
import { codeScenario, toolScenario } from './scenarios.js';

const USAGE = `Usage: smol-mock-llm [--port 0] [--host 127.0.0.1] [--latency-ms 0] [--chunk-delay-ms 0]
                     [--chunk-chars 16] [--scenario tool|code] [--tool-calls 2] [--record]`;

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'latency-ms': { type: 'string' },
      'chunk-delay-ms': { type: 'string' },
      'chunk-chars': { type: 'string' },
      scenario: { type: 'string' },
      'tool-calls': { type: 'string' },
      record: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const scenario = values.scenario ?? 'tool';
  if (scenario !== 'tool' && scenario !== 'code') throw new Error(`--scenario must be "tool" or "code", got "${scenario}"`);
  const toolCalls = int(values['tool-calls'], 'tool-calls', 2);
  const server = await startMockLlmServer({
    port: int(values.port, 'port', 0),
    host: values.host ?? '127.0.0.1',
    latencyMs: int(values['latency-ms'], 'latency-ms', 0),
    chunkDelayMs: int(values['chunk-delay-ms'], 'chunk-delay-ms', 0),
    chunkChars: int(values['chunk-chars'], 'chunk-chars', 16),
    responder: scenario === 'code' ? codeScenario() : toolScenario({ toolCalls }),
    recordRequests: values.record ?? false,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`smol-mock-llm: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exit(2);
});
