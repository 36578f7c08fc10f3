import { describe, expect, it, vi } from 'vitest';
import { TestModel, call, promptText, reply } from '../../test/helpers.js';
import { AgentConfigError, ToolCallingAgent, type AgentEvent, type AgentObserver, type PlanningStep } from '../index.js';

describe('planning', () => {
  it('plans first, then every planningInterval steps, in the smolagents message layout', async () => {
    const model = new TestModel((messages, _o, i) => {
      const text = promptText(messages);
      if (text.includes('Facts survey') && !text.includes('[system]')) return 'Plan A\n<end_plan>';
      if (text.includes('update the facts')) return 'Plan B';
      return i < 5 ? reply(call('final_answer', { answer: '' }), 'thinking out loud') : reply(call('final_answer', { answer: 'done' }));
    });
    let checks = 0;
    const agent = new ToolCallingAgent({
      model,
      planningInterval: 2,
      maxSteps: 4,
      // Reject the first two answers so the run lasts three action steps.
      finalAnswerChecks: [() => ++checks > 2],
    });
    await agent.arun('Find X');
    const types = agent.memory.steps.map((s) => s.type);
    expect(types).toEqual(['task', 'planning', 'action', 'action', 'planning', 'action', 'final_answer']);

    // The initial plan: one user message with the task and the tools.
    const initial = model.calls[0].messages;
    expect(initial).toHaveLength(1);
    expect(initial[0].role).toBe('user');
    expect(promptText(initial)).toContain('Find X');
    expect(model.calls[0].options.stopSequences).toEqual(['<end_plan>']);
    const plan = agent.memory.steps[1] as PlanningStep;
    expect(plan.plan).toContain('Plan A');
    expect(plan.plan).not.toContain('<end_plan>');

    // The action prompt shows the plan, then asks to carry it out.
    expect(promptText(model.calls[1].messages)).toContain('[assistant] Here are the facts I know and the plan of action');
    expect(promptText(model.calls[1].messages)).toContain('[user] Now proceed and carry out this plan.');

    // The update: system pre-message, the memory in summary mode (no earlier plan, no raw model output), the post-message.
    const update = model.calls[3].messages;
    expect(update[0].role).toBe('system');
    expect(promptText(update)).toContain('You have 2 steps left');
    expect(promptText(update)).not.toContain('Plan A');
    expect(promptText(update)).not.toContain('thinking out loud');
    expect(promptText(update)).toContain('Calling tools:');
    expect((agent.memory.steps[4] as PlanningStep).plan).toContain('I still need to solve the task I was given:\n```\nFind X\n```');
  });

  it('streams plans as deltas and a planning_step event, and calls planning callbacks', async () => {
    const seen: string[] = [];
    const model = new TestModel(['My plan', reply(call('final_answer', { answer: 1 }))]);
    const agent = new ToolCallingAgent({ model, planningInterval: 5, stepCallbacks: { planning: [(s) => void seen.push(s.plan)] } });
    const events: AgentEvent[] = [];
    for await (const e of agent.arun('t', { stream: true })) events.push(e);
    const firstAction = events.findIndex((e) => e.type === 'action_step');
    const planningEvents = events.slice(0, events.findIndex((e) => e.type === 'planning_step') + 1).map((e) => e.type);
    expect(planningEvents[0]).toBe('model_delta');
    expect(planningEvents.at(-1)).toBe('planning_step');
    expect(firstAction).toBeGreaterThan(planningEvents.length - 1);
    expect(seen[0]).toContain('My plan');
  });
});

describe('managed agents', () => {
  function team(provideRunSummary = false) {
    const memberModel = new TestModel((messages) => {
      const task = /Task:\n(.*)\n---/s.exec(promptText(messages))?.[1] ?? '?';
      return reply(call('final_answer', { answer: `researched: ${task}` }));
    });
    const member = new ToolCallingAgent({ model: memberModel, name: 'researcher', description: 'Looks things up.', provideRunSummary });
    return { member, memberModel };
  }

  it('a named agent is called like a tool; its report is wrapped', async () => {
    const { member, memberModel } = team();
    const model = new TestModel([reply(call('researcher', { task: 'find the capital of France' })), reply(call('final_answer', { answer: 'ok' }))]);
    const manager = new ToolCallingAgent({ model, managedAgents: [member] });
    expect(manager.systemPrompt).toContain('- researcher: Looks things up.');
    expect(model.calls.length).toBe(0);
    await manager.arun('Capital?');
    expect(promptText(memberModel.calls[0].messages)).toContain("You're a helpful agent named 'researcher'");
    expect(promptText(model.calls[1].messages)).toContain("Here is the final answer from your managed agent 'researcher':\nresearched: find the capital of France");
  });

  it('the same managed agent runs in parallel without cross-talk', async () => {
    const { member } = team();
    const calls = [...call('researcher', { task: 'alpha' }, 'a')!, ...call('researcher', { task: 'beta' }, 'b')!];
    const model = new TestModel([reply(calls), reply(call('final_answer', { answer: 'ok' }))]);
    const manager = new ToolCallingAgent({ model, managedAgents: [member] });
    await manager.arun('both');
    const obs = promptText(model.calls[1].messages);
    expect(obs).toContain('researched: alpha');
    expect(obs).toContain('researched: beta');
    expect(obs.indexOf('researched: alpha')).toBeLessThan(obs.indexOf('researched: beta'));
  });

  it('provideRunSummary appends the work summary', async () => {
    const { member } = team(true);
    const model = new TestModel([reply(call('researcher', { task: 'x' })), reply(call('final_answer', { answer: 'ok' }))]);
    await new ToolCallingAgent({ model, managedAgents: [member] }).arun('t');
    expect(promptText(model.calls[1].messages)).toContain('<summary_of_work>');
  });

  it('needs a name and a description, distinct from the tools', () => {
    const nameless = new ToolCallingAgent({ model: new TestModel([]) });
    expect(() => new ToolCallingAgent({ model: new TestModel([]), managedAgents: [nameless] })).toThrow(AgentConfigError);
    const clash = new ToolCallingAgent({ model: new TestModel([]), name: 'final_answer', description: 'x' });
    expect(() => new ToolCallingAgent({ model: new TestModel([]), managedAgents: [clash] })).toThrow(/name of a tool/);
  });
});

describe('observers', () => {
  it('see the run, each step, model call and tool call, in order', async () => {
    const log: string[] = [];
    const observer: AgentObserver = {
      onRunStart: () => void log.push('run start'),
      onStepStart: (_r, n, kind) => void log.push(`${kind} ${n}`),
      onModelCallStart: () => void log.push('model start'),
      onModelCallEnd: (_r, _n, o) => void log.push(o.error ? 'model error' : 'model end'),
      onToolCallStart: (_r, _n, c) => void log.push(`tool ${c.name}`),
      onToolCallEnd: (_r, _n, _c, o) => void log.push(`tool end ${String(o.output)}`),
      onRunEnd: (_r, o) => void log.push(`run end ${String(o.result?.output)}`),
    };
    const model = new TestModel([reply(call('final_answer', { answer: 7 }))]);
    await new ToolCallingAgent({ model, observers: [observer] }).arun('t');
    expect(log).toEqual(['run start', 'action 1', 'model start', 'model end', 'tool final_answer', 'tool end 7', 'run end 7']);
  });

  it('verbosity shows the run on stderr; by default nothing is printed', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await new ToolCallingAgent({ model: new TestModel([reply(call('final_answer', { answer: 7 }))]) }).arun('quiet');
      expect(written.join('')).toBe('');
      await new ToolCallingAgent({ model: new TestModel([reply(call('final_answer', { answer: 7 }))]), verbosity: 'info' }).arun('loud task');
      expect(written.join('')).toContain('loud task');
      expect(written.join('')).toContain('7');
    } finally {
      spy.mockRestore();
    }
  });

  it('a throwing observer does not break the run', async () => {
    const model = new TestModel([reply(call('final_answer', { answer: 7 }))]);
    const bad: AgentObserver = { onEvent: () => { throw new Error('display broke'); } };
    await expect(new ToolCallingAgent({ model }).arun('t', { observers: [bad] })).resolves.toBe(7);
  });
});

describe('prompt templates', () => {
  it('a template with an unknown placeholder fails at construction', () => {
    expect(() => new ToolCallingAgent({ model: new TestModel([]), promptTemplates: { managedAgentReport: '{{name}} said {{answer}}' } })).toThrow(
      /managedAgentReport uses \{\{answer\}\}/,
    );
  });
});
