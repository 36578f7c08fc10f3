// Command-line options of `smol-demo` (and `pnpm demo`).
import { parseArgs } from 'node:util';

export const PROVIDERS = ['simulated', 'openai', 'anthropic', 'hf', 'azure', 'litellm'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface DemoArgs {
  command: 'demo' | 'serve' | 'worker' | 'help';
  agents: number;
  provider?: Provider;
  model?: string;
  baseURL?: string;
  /** Simulated model latency per call. */
  latencyMs: number;
  /** Parts of the demo to run. */
  showcase: boolean;
  perf: boolean;
  /** serve */
  port: number;
  host: string;
  maxConcurrent: number;
  agentType: 'code' | 'tool';
  /** serve / worker: a Redis URL; serve submits runs to the queue (@smol/bullmq), worker runs them. */
  redis?: string;
  /** worker: runs at once on this worker. */
  concurrency: number;
}

export const USAGE = `Usage: pnpm demo [serve|worker] [options]

  pnpm demo                 run a CodeAgent and a ToolCallingAgent, then the performance example
  pnpm demo serve           start the chat page and HTTP API (@smol/server: POST /api/runs, GET /openapi.json)
  pnpm demo serve --redis redis://127.0.0.1:6379
                            the HTTP API on a queue: runs are submitted to Redis (@smol/bullmq)…
  pnpm demo worker --redis redis://127.0.0.1:6379
                            …and run by any number of workers, on any machine

Options:
  --agents N                agents in the performance example (default 10)
  --provider NAME           ${PROVIDERS.join(' | ')} (default: from the environment's keys)
  --model ID                model id for the provider
  --base-url URL            an OpenAI-compatible server (provider openai / litellm)
  --latency-ms N            latency of the simulated model (default 100)
  --only showcase|perf      run one part of the demo
  --port N                  serve: port (default 3000; 0 picks a free one)
  --host HOST               serve: host (default 127.0.0.1)
  --max-concurrent N        serve: runs at once before answering 429 (default 8)
  --agent code|tool         serve: the shared agent's kind (default code)
  --redis URL               serve, worker: the Redis of the run queue (required by worker)
  --concurrency N           worker: runs at once (default 10)
  -h, --help                this help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function int(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        agents: { type: 'string' },
        provider: { type: 'string' },
        model: { type: 'string' },
        'base-url': { type: 'string' },
        'latency-ms': { type: 'string' },
        only: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'max-concurrent': { type: 'string' },
        agent: { type: 'string' },
        redis: { type: 'string' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  // `pnpm demo -- serve` forwards a literal "--"; parseArgs already drops it.
  const [command = 'demo', ...extra] = positionals;
  if (command !== 'demo' && command !== 'serve' && command !== 'worker') throw new UsageError(`Unknown command "${command}": use "serve", "worker" or nothing.`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  const provider = values.provider;
  if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}; got "${provider}".`);
  }
  const only = values.only;
  if (only !== undefined && only !== 'showcase' && only !== 'perf') throw new UsageError(`--only must be "showcase" or "perf", got "${only}".`);
  const agentType = values.agent ?? 'code';
  if (agentType !== 'code' && agentType !== 'tool') throw new UsageError(`--agent must be "code" or "tool", got "${agentType}".`);
  if (command === 'worker' && !values.redis && !values.help) throw new UsageError('worker needs --redis URL (the Redis that `pnpm demo serve --redis URL` submits to).');
  if (values.redis !== undefined && command === 'demo') throw new UsageError('--redis goes with "serve" or "worker".');
  if (values.redis !== undefined && !/^rediss?:\/\//.test(values.redis)) throw new UsageError('--redis must be a redis:// or rediss:// URL.');
  return {
    command: values.help ? 'help' : command,
    agents: int(values.agents, 'agents', 10, 1),
    provider: provider as Provider | undefined,
    model: values.model,
    baseURL: values['base-url'],
    latencyMs: int(values['latency-ms'], 'latency-ms', 100),
    showcase: only !== 'perf',
    perf: only !== 'showcase',
    port: int(values.port, 'port', 3000),
    host: values.host ?? '127.0.0.1',
    maxConcurrent: int(values['max-concurrent'], 'max-concurrent', 8, 1),
    agentType,
    redis: values.redis,
    concurrency: int(values.concurrency, 'concurrency', 10, 1),
  };
}
