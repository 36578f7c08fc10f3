import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { FakeExecutor } from '../../test/fake-executor.js';
import { TestModel, add, broken, call, reply } from '../../test/helpers.js';
import { CodeAgent } from '../agents/code-agent.js';
import { ToolCallingAgent } from '../agents/tool-calling-agent.js';
import { AgentConfigError, ModelError } from '../errors.js';
import { tool } from '../tools.js';
import { AgentLogger, type LogLevel } from './logger.js';
import { formatReplay } from './replay.js';

/** A fake terminal: the root setup fails any test that prints to the console. */
function sink(isTTY?: boolean) {
  const chunks: string[] = [];
  return {
    chunks,
    isTTY,
    write(s: string) {
      chunks.push(s);
      return true;
    },
    get text() {
      return chunks.join('');
    },
  };
}

const ESC = '\u001b[';

function addRun(level: LogLevel, extra: { colors?: boolean; isTTY?: boolean; maxChars?: number } = {}) {
  const out = sink(extra.isTTY);
  const logger = new AgentLogger({ level, stream: out, colors: extra.colors, maxChars: extra.maxChars });
  const model = new TestModel([reply(call('add', { a: 2, b: 3 }), 'I will add.'), reply(call('final_answer', { answer: 'five' }))]);
  const agent = new ToolCallingAgent({ model, tools: [add, broken], name: 'calc', observers: [logger] });
  return { out, logger, agent, model };
}

describe('AgentLogger at info', () => {
  it('shows the task, a rule per step, output, calls, observations, tokens, the answer and a summary', async () => {
    const { out, agent } = addRun('info');
    await expect(agent.arun('What is 2+3?')).resolves.toBe('five');
    const text = out.text;
    expect(text).toContain('▶ New run calc (test-model)');
    expect(text).toContain('Task: What is 2+3?');
    expect(text).toMatch(/━━━ Step 1 ━+\n/);
    expect(text).toContain('━━━ Step 2 ');
    expect(text).toContain('I will add.');
    expect(text).toContain('→ add({"a":2,"b":3})');
    expect(text).toContain('Observation: 5');
    expect(text).toMatch(/\[Step 1: \d+ ms \| Input tokens: 10 \| Output tokens: 5\]/);
    expect(text).toContain('Final answer: five');
    expect(text).toMatch(/■ Run finished: 2 steps \| \d+ ms \| Input tokens: 20 \| Output tokens: 10/);
    // The model output is shown once per step, and nothing is coloured on a non-TTY stream.
    expect(text.split('I will add.')).toHaveLength(2);
    expect(text).not.toContain(ESC);
    // Tool outputs of final_answer are not repeated: the answer line says it.
    expect(text).not.toContain('Observation: five');
  });

  it('cuts long observations', async () => {
    const long = tool({ name: 'long', description: 'Long text.', inputSchema: z.object({}), execute: () => 'x'.repeat(5000) });
    const out = sink();
    const model = new TestModel([reply(call('long', {})), reply(call('final_answer', { answer: 1 }))]);
    await new ToolCallingAgent({ model, tools: [long], observers: [new AgentLogger({ level: 'info', stream: out, maxChars: 100 })] }).arun('t');
    expect(out.text).toContain(`Observation: ${'x'.repeat(100)}… [4900 more characters]`);
  });

  it('shows CodeAgent code, execution logs and output', async () => {
    const out = sink();
    const model = new TestModel(['Thought: log it.\n<code>\nconsole.log("hi");\n1 + 1\n</code>', '<code>final_answer(2)</code>']);
    const agent = new CodeAgent({ model, executor: new FakeExecutor(), observers: [new AgentLogger({ level: 'info', stream: out })] });
    await agent.arun('t');
    expect(out.text).toContain('Thought: log it.\nExecuting code:\n│ console.log("hi");\n│ 1 + 1\n');
    expect(out.text).not.toContain('<code>');
    expect(out.text).toContain('Execution logs:\nhi\nOut: 2');
    expect(out.text).toContain('Final answer: 2');
    expect(out.text).not.toContain('Out: undefined');
  });

  it('reports max steps and the answer written after them', async () => {
    const out = sink();
    const model = new TestModel([reply(call('add', { a: 1, b: 1 })), 'It is 2.']);
    const agent = new ToolCallingAgent({ model, tools: [add], maxSteps: 1, observers: [new AgentLogger({ level: 'info', stream: out })] });
    await agent.arun('t');
    expect(out.text).toContain('! Reached max steps (1) without a final answer.');
    expect(out.text).toContain('It is 2.');
    expect(out.text).toContain('[Step 2: ');
    expect(out.text).toContain('■ Run ended (max_steps_error): 2 steps');
  });
});

describe('AgentLogger levels', () => {
  it('error: only errors, once each, and in red when colours are on', async () => {
    const out = sink(true);
    const model = new TestModel([reply(call('broken', {})), new ModelError('upstream exploded', { status: 500 })]);
    const agent = new ToolCallingAgent({ model, tools: [broken], observers: [new AgentLogger({ level: 'error', stream: out })] });
    await expect(agent.arun('t')).rejects.toThrow(/upstream exploded/);
    const text = out.text;
    expect(text).not.toContain('Step 1');
    expect(text).not.toContain('New run');
    expect(text).toContain(`${ESC}31m✗ broken: Error executing tool 'broken'`);
    expect(text.match(/disk on fire/g)).toHaveLength(1);
    // The generation error is the step's error and the run's: shown with the step, referred to at the end.
    expect(text.match(/upstream exploded/g)).toHaveLength(1);
    expect(text).toMatch(/✗ Run failed after 2 steps, \d+ ms: \(the error is above\)/);
  });

  it('colours follow the TTY and NO_COLOR', () => {
    expect(new AgentLogger({ level: 'info', stream: sink(true) }).colors).toBe(true);
    expect(new AgentLogger({ level: 'info', stream: sink(false) }).colors).toBe(false);
    expect(new AgentLogger({ level: 'info', stream: sink(true), colors: false }).colors).toBe(false);
    vi.stubEnv('NO_COLOR', '1');
    try {
      expect(new AgentLogger({ level: 'info', stream: sink(true) }).colors).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('debug: streams the text deltas as they come, once, then the tool call', async () => {
    const out = sink();
    const model = new TestModel([reply(call('final_answer', { answer: 1 }), 'Let me answer now.')]);
    const agent = new ToolCallingAgent({ model, observers: [new AgentLogger({ level: 'debug', stream: out })] });
    const run = agent.arun('t', { stream: true });
    for await (const _ of run) {
      // drain
    }
    // TestModel streams three characters per delta: they reach the stream one write each.
    expect(out.chunks).toContain('Let');
    expect(out.chunks).toContain(' me');
    expect(out.text).toContain('Calling test-model with 2 messages…\nLet me answer now.\n→ final_answer(');
    expect(out.text.split('Let me answer now.')).toHaveLength(2);
  });

  it('off: writes nothing and keeps nothing', async () => {
    const { out, logger, agent } = addRun('off');
    let active = -1;
    const probe = { onToolCallStart: () => void (active = logger.activeRuns) };
    await agent.arun('t', { observers: [probe] });
    expect(out.chunks).toEqual([]);
    expect(active).toBe(0);
  });

  it('a disabled level formats nothing: no more serialisation than without a logger', async () => {
    // Arguments whose toJSON counts how often anything serialises them.
    let serialised = 0;
    const counted = Object.defineProperty({ a: 1, b: 2 }, 'toJSON', { value: () => (serialised++, { a: 1, b: 2 }) });
    const script = () => new TestModel([reply([{ id: 'c1', type: 'function', function: { name: 'add', arguments: counted as never } }]), reply(call('final_answer', { answer: 3 }))]);
    const runWith = async (observers: AgentLogger[]) => {
      serialised = 0;
      await new ToolCallingAgent({ model: script(), tools: [add], observers }).arun('t');
      return serialised;
    };
    const baseline = await runWith([]);
    const quiet = sink();
    expect(await runWith([new AgentLogger({ level: 'off', stream: quiet })])).toBe(baseline);
    expect(await runWith([new AgentLogger({ level: 'error', stream: quiet })])).toBe(baseline);
    expect(quiet.chunks).toEqual([]);
    expect(await runWith([new AgentLogger({ level: 'info', stream: sink() })])).toBeGreaterThan(baseline);
  });

  it('rejects an unknown level; the level can change later', () => {
    expect(() => new AgentLogger({ level: 'verbose' as LogLevel, stream: sink() })).toThrow(AgentConfigError);
    const logger = new AgentLogger({ level: 'off', stream: sink() });
    logger.level = 'debug';
    expect(logger.level).toBe('debug');
  });
});

describe('AgentLogger with concurrent runs', () => {
  it('tags lines with a short run id while runs overlap, and forgets runs at their end', async () => {
    const out = sink();
    const logger = new AgentLogger({ level: 'info', stream: out });
    const model = new TestModel(() => reply(call('final_answer', { answer: 'ok' })), 20);
    const agent = new ToolCallingAgent({ model, observers: [logger] });
    const runs = [agent.start('first'), agent.start('second')];
    await Promise.all(runs.map((r) => r.drain()));
    const lines = out.text.trimEnd().split('\n');
    const tags = new Set(runs.map((r) => `[${r.id.slice(0, 6)}] `));
    // Every line while both were active carries one of the two tags.
    const tagged = lines.filter((l) => [...tags].some((t) => l.startsWith(t)));
    expect(tagged.length).toBeGreaterThan(lines.length / 2);
    for (const r of runs) expect(lines.some((l) => l.startsWith(`[${r.id.slice(0, 6)}] `) && l.includes('Final answer: ok'))).toBe(true);
    expect(logger.activeRuns).toBe(0);

    // Alone again: no tags.
    out.chunks.length = 0;
    await agent.arun('third');
    expect(out.text).not.toMatch(/^\[[0-9a-f]{6}\] /m);
    expect(out.text).toContain('Final answer: ok');
  });

  it('streams of overlapping runs are written as whole tagged lines', async () => {
    const out = sink();
    const logger = new AgentLogger({ level: 'debug', stream: out });
    const model = new TestModel(() => reply(call('final_answer', { answer: 'ok' }), 'line one\nline two'), 5);
    const agent = new ToolCallingAgent({ model, observers: [logger] });
    const runs = [agent.arun('a', { stream: true }), agent.arun('b', { stream: true })];
    await Promise.all(runs.map(async (r) => {
      for await (const _ of r) {
        // drain
      }
    }));
    for (const r of runs) {
      const tag = `[${r.id.slice(0, 6)}] `;
      expect(out.text).toContain(`${tag}line one\n`);
      expect(out.text).toContain(`${tag}line two\n`);
    }
  });
});

describe('formatReplay', () => {
  it('renders a finished run like the live display', async () => {
    const { agent } = addRun('off');
    await agent.arun('What is 2+3?');
    const text = formatReplay(agent.memory);
    expect(text).toContain('━━━ New run ');
    expect(text).toContain('Task: What is 2+3?');
    expect(text).toContain('━━━ Step 1 ');
    expect(text).toContain('I will add.\n→ add({"a":2,"b":3})\nObservation: 5\n[Step 1: ');
    expect(text).toContain('Final answer: five\n');
    expect(text).not.toContain('Observation: five');
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('System prompt');
    expect(formatReplay(agent.memory, { colors: true })).toContain(`${ESC}1m━━━ Step 1`);
    expect(formatReplay(agent.memory, { systemPrompt: true })).toContain(agent.systemPrompt.trim().slice(0, 40));
  });

  it('shows CodeAgent code once, errors, and planning', async () => {
    const model = new TestModel(['The plan.', 'Thought: try.\n<code>\nundefinedFn();\n</code>', 'Thought: done.\n<code>\nfinal_answer(4)\n</code>']);
    const agent = new CodeAgent({ model, executor: new FakeExecutor(), planningInterval: 5 });
    await agent.arun('t');
    const text = formatReplay(agent.memory);
    expect(text).toContain('━━━ Planning ');
    expect(text).toContain('The plan.');
    expect(text).toContain('Thought: try.\nExecuting code:\n│ undefinedFn();\n');
    expect(text.match(/undefinedFn\(\);/g)?.length).toBe(1);
    expect(text).toMatch(/✗ AgentExecutionError: Code execution failed/);
    expect(text).not.toContain('<code>');
    expect(text).toContain('Final answer: 4');
  });
});
