// The `smol` command line: `smol run "task"`, `smol serve ./agent.ts`, and their --help.
import { parseArgs } from 'node:util';

export const PROVIDERS = ['openai', 'anthropic', 'hf', 'azure', 'litellm'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const VERBOSITY = ['off', 'error', 'info', 'debug'] as const;
export type Verbosity = (typeof VERBOSITY)[number];

export interface ModelArgs {
  provider?: Provider;
  model?: string;
  baseUrl?: string;
  simulated: boolean;
}

export interface RunArgs extends ModelArgs {
  command: 'run';
  task: string;
  agent: 'code' | 'tool-calling';
  tools: string[];
  /** MCP servers: a command line (stdio) or an http(s) URL. */
  mcp: string[];
  maxSteps?: number;
  verbosity: Verbosity;
  json: boolean;
}

export interface ServeArgs {
  command: 'serve';
  module: string;
  port: number;
  host: string;
  tokens: string[];
  maxConcurrent?: number;
}

export type Args = RunArgs | ServeArgs | { command: 'help'; topic: 'main' | 'run' | 'serve' } | { command: 'version' };

export const USAGE = {
  main: `Usage: smol <command> [options]

Commands:
  smol run "task"           run an agent on a task, with live display (smol run --help)
  smol serve ./agent.ts     serve the agents a module exports, with the chat page (smol serve --help)

Options:
  -h, --help                help for smol or a command
  -v, --version             the version`,
  run: `Usage: smol run "task" [options]

Runs an agent on the task; the live display goes to stderr, the answer to stdout.

Options:
  --agent code|tool-calling  the agent: CodeAgent (writes JavaScript, default) or ToolCallingAgent
  --provider NAME            ${PROVIDERS.join(' | ')} (default: from the environment's keys)
  --model ID                 the model id for the provider
  --base-url URL             an OpenAI-compatible server (provider openai), or the provider's endpoint
  --tools a,b                tools from @smol/tools by name (e.g. web_search,visit_webpage)
  --mcp CMD|URL              the tools of an MCP server: a command ("npx -y server") or a URL (repeatable; needs @smol/mcp)
  --max-steps N              most steps (default 20)
  --verbosity LEVEL          ${VERBOSITY.join(' | ')} (default info)
  --json                     print the RunResult as JSON on stdout
  --simulated                run on the simulated model (no key, no network)
  -h, --help                 this help

Keys come from the environment: OPENAI_API_KEY, ANTHROPIC_API_KEY, HF_TOKEN, AZURE_OPENAI_API_KEY (with
AZURE_OPENAI_ENDPOINT), LITELLM_PROXY_URL / LITELLM_API_KEY. Ctrl-C cancels the run (exit 130); a second Ctrl-C quits at once.`,
  serve: `Usage: smol serve ./agent.ts [options]

Serves the agents a module exports (default export: an agent, a factory, or an object of agents; else
every exported agent) with the HTTP API and the chat page.

Options:
  --port N                   port (default 3000; 0 picks a free one)
  --host HOST                address (default 127.0.0.1; another one needs --token)
  --token TOKEN              a bearer token the API requires (repeat for several; also SMOL_TOKENS=a,b)
  --max-concurrent N         runs at once before answering 429 (default 16)
  -h, --help                 this help

Ctrl-C (or SIGTERM) stops taking runs and lets the running ones finish (10 s at most); a second Ctrl-C quits at once.`,
};

export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly topic: 'main' | 'run' | 'serve' = 'main',
  ) {
    super(message);
  }
}

function int(value: string | undefined, name: string, min: number, topic: 'run' | 'serve'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}".`, topic);
  return n;
}

type Parsed = { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };

function parse(topic: 'run' | 'serve', argv: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']): Parsed {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs' messages are long; keep the first sentence.
    const text = (error as Error).message.split('. ')[0].replace(/\.$/, '');
    throw new UsageError(`${text}.`, topic);
  }
}

export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Args {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') return { command: 'help', topic: 'main' };
  if (command === '-v' || command === '--version') return { command: 'version' };
  if (command === 'run') {
    const { values, positionals } = parse('run', rest, {
      agent: { type: 'string' },
      provider: { type: 'string' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      tools: { type: 'string' },
      mcp: { type: 'string', multiple: true },
      'max-steps': { type: 'string' },
      verbosity: { type: 'string' },
      json: { type: 'boolean' },
      simulated: { type: 'boolean' },
    });
    if (values.help) return { command: 'help', topic: 'run' };
    if (positionals.length === 0) throw new UsageError('smol run needs a task: smol run "What is the weather in Paris?".', 'run');
    if (positionals.length > 1) throw new UsageError(`smol run takes one task; quote it: smol run "${positionals.join(' ')}".`, 'run');
    const task = positionals[0].trim();
    if (!task) throw new UsageError('The task must not be empty.', 'run');
    const agent = (values.agent as string | undefined) ?? 'code';
    if (agent !== 'code' && agent !== 'tool-calling') throw new UsageError(`--agent must be "code" or "tool-calling", got "${agent}".`, 'run');
    const provider = values.provider as string | undefined;
    if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}, got "${provider}".`, 'run');
    const verbosity = (values.verbosity as string | undefined) ?? 'info';
    if (!(VERBOSITY as readonly string[]).includes(verbosity)) throw new UsageError(`--verbosity must be one of ${VERBOSITY.join(', ')}, got "${verbosity}".`, 'run');
    if (values.simulated && (provider || values['base-url'])) throw new UsageError('--simulated cannot be combined with --provider or --base-url.', 'run');
    const tools = ((values.tools as string | undefined) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    return {
      command: 'run',
      task,
      agent,
      provider: provider as Provider | undefined,
      model: values.model as string | undefined,
      baseUrl: values['base-url'] as string | undefined,
      tools,
      mcp: ((values.mcp as string[] | undefined) ?? []).map((m) => m.trim()).filter(Boolean),
      maxSteps: int(values['max-steps'] as string | undefined, 'max-steps', 1, 'run'),
      verbosity: verbosity as Verbosity,
      json: values.json === true,
      simulated: values.simulated === true,
    };
  }
  if (command === 'serve') {
    const { values, positionals } = parse('serve', rest, {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string', multiple: true },
      'max-concurrent': { type: 'string' },
    });
    if (values.help) return { command: 'help', topic: 'serve' };
    if (positionals.length !== 1) throw new UsageError('smol serve needs one module: smol serve ./agent.ts.', 'serve');
    const tokens = [...((values.token as string[] | undefined) ?? []), ...(env.SMOL_TOKENS ?? '').split(',')].map((t) => t.trim()).filter(Boolean);
    return {
      command: 'serve',
      module: positionals[0],
      port: int(values.port as string | undefined, 'port', 0, 'serve') ?? 3000,
      host: (values.host as string | undefined) ?? '127.0.0.1',
      tokens,
      maxConcurrent: int(values['max-concurrent'] as string | undefined, 'max-concurrent', 1, 'serve'),
    };
  }
  throw new UsageError(`Unknown command "${command}": use "smol run" or "smol serve".`);
}
