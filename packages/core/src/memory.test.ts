import { describe, expect, it } from 'vitest';
import { TestModel, call, promptText, reply } from '../test/helpers.js';
import { AgentMemory, ToolCallingAgent, tool, type ActionStep, type ChatMessage } from './index.js';

const screenshot = tool({
  name: 'screenshot',
  description: 'Takes a screenshot.',
  inputSchema: { type: 'object', properties: {} },
  execute: async () => ({ type: 'image' as const, image: 'data:image/png;base64,AAAA' }),
});

const images = (messages: readonly ChatMessage[]) =>
  messages.flatMap((m) => (typeof m.content === 'string' || !m.content ? [] : m.content.filter((p) => p.type === 'image')));

describe('AgentMemory: the prompt follows edits to finished steps', () => {
  it('a step callback that drops older screenshots (the smolagents pattern) removes them from the next prompt', async () => {
    const model = new TestModel([
      reply(call('screenshot', {}, 'c1')),
      reply(call('screenshot', {}, 'c2')),
      reply(call('screenshot', {}, 'c3')),
      reply(call('final_answer', { answer: 'done' })),
    ]);
    const agent = new ToolCallingAgent({
      model,
      tools: [screenshot],
      stepCallbacks: {
        action: [
          (step, { memory }) => {
            // Keep only the latest step's screenshot.
            for (const s of memory.steps) {
              if (s.type === 'action' && s !== step && s.observationsImages) s.observationsImages = undefined;
            }
          },
        ],
      },
    });
    await expect(agent.arun('Look three times')).resolves.toBe('done');
    // Each prompt after the first carries exactly one screenshot: the earlier ones were dropped.
    expect(model.calls.map((c) => images(c.messages).length)).toEqual([0, 1, 1, 1]);
  });

  it("one run's system prompt edit stays in that run; the runs of an agent share the default prompt's messages, which nobody can change", async () => {
    const model = new TestModel([reply(call('final_answer', { answer: 'a' })), reply(call('final_answer', { answer: 'b' })), reply(call('final_answer', { answer: 'c' }))]);
    const agent = new ToolCallingAgent({ model });
    const edited = agent.start('first');
    edited.memory.systemPrompt.systemPrompt = 'Be brief.';
    await edited.drain();
    await agent.arun('second');
    await agent.arun('third');
    const [first, second, third] = model.calls.map((c) => c.messages[0]);
    expect(promptText([first])).toBe('[system] Be brief.');
    expect(promptText([second])).toContain('You are an expert assistant');
    expect(third).toBe(second);
    expect(() => {
      second.content = 'changed';
    }).toThrow(TypeError);
    expect(promptText([third])).toContain('You are an expert assistant');
  });

  it('rebuilds a step whose observation was replaced, and reuses the messages of an unchanged one', () => {
    const memory = new AgentMemory({ type: 'system_prompt', systemPrompt: 'You help.' });
    memory.steps.push({ type: 'task', task: 'Find it' });
    const step: ActionStep = { type: 'action', stepNumber: 1, timing: { startTime: 0 }, isFinalAnswer: false, observations: 'a very long page' };
    memory.steps.push(step);

    const first = memory.toMessages();
    expect(promptText(first)).toContain('a very long page');
    const second = memory.toMessages();
    // Unchanged steps give the same message objects: nothing is rendered twice.
    expect(second).toHaveLength(first.length);
    second.forEach((m, i) => expect(m).toBe(first[i]));

    step.observations = '(page dropped)';
    memory.systemPrompt.systemPrompt = 'You help, briefly.';
    const third = memory.toMessages();
    expect(promptText(third)).toContain('(page dropped)');
    expect(promptText(third)).not.toContain('a very long page');
    expect(promptText([third[0]])).toContain('You help, briefly.');
    // The task step was not touched: its message is the same object.
    expect(third[1]).toBe(first[1]);
  });

  it('follows steps removed, replaced or inserted, and a clone prompts like the original', () => {
    const memory = new AgentMemory({ type: 'system_prompt', systemPrompt: 'You help.' });
    const action = (n: number, observations: string): ActionStep => ({ type: 'action', stepNumber: n, timing: { startTime: 0 }, isFinalAnswer: false, observations });
    memory.steps.push({ type: 'task', task: 'Find it' }, action(1, 'first look'), action(2, 'second look'));
    expect(promptText(memory.toMessages())).toContain('second look');

    memory.steps.splice(1, 1);
    const afterRemoval = promptText(memory.toMessages());
    expect(afterRemoval).not.toContain('first look');
    expect(afterRemoval).toContain('second look');

    memory.steps[1] = action(2, 'replaced look');
    memory.steps.splice(1, 0, action(1, 'inserted look'));
    const edited = promptText(memory.toMessages());
    expect(edited.indexOf('inserted look')).toBeGreaterThan(-1);
    expect(edited.indexOf('inserted look')).toBeLessThan(edited.indexOf('replaced look'));
    expect(edited).not.toContain('second look');

    const copy = memory.clone();
    expect(promptText(copy.toMessages())).toBe(edited);
    copy.steps.pop();
    expect(promptText(copy.toMessages())).not.toContain('replaced look');
    expect(promptText(memory.toMessages())).toContain('replaced look');
  });

  it('text messages carry plain string content; a task with images carries parts', () => {
    const memory = new AgentMemory({ type: 'system_prompt', systemPrompt: 'You help.' });
    memory.steps.push({ type: 'task', task: 'Find it' });
    memory.steps.push({ type: 'action', stepNumber: 1, timing: { startTime: 0 }, isFinalAnswer: false, modelOutput: 'Looking.', observations: 'found' });
    const messages = memory.toMessages();
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool-response']);
    expect(messages.every((m) => typeof m.content === 'string')).toBe(true);
    expect(messages[1].content).toBe('New task:\nFind it');

    const withImage = new AgentMemory({ type: 'system_prompt', systemPrompt: 'You help.' });
    withImage.steps.push({ type: 'task', task: 'Describe', images: [{ type: 'image', image: 'data:image/png;base64,AAAA' }] });
    expect(withImage.toMessages()[1].content).toEqual([
      { type: 'text', text: 'New task:\nDescribe' },
      { type: 'image', image: 'data:image/png;base64,AAAA' },
    ]);
  });
});
