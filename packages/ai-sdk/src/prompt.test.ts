// smol's memory layout (text tool calls and observations) as the spec's prompt.
import { stepToMessages, type ActionStep, type ChatMessage } from '@smol/core';
import { describe, expect, it } from 'vitest';
import { TurnMemory, parseCallingTools, toPrompt } from './prompt.js';

const step = (fields: Partial<ActionStep>): ActionStep => ({ type: 'action', stepNumber: 1, timing: { startTime: 0 }, isFinalAnswer: false, ...fields });
const calls = [
  { id: 'a', type: 'function' as const, function: { name: 'lookup', arguments: { q: 'x' } } },
  { id: 'b', type: 'function' as const, function: { name: 'lookup', arguments: { q: 'y' } } },
];

describe('toPrompt', () => {
  it('parallel calls: one tool message, the joined observation on the first call; observation images after it', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'task' },
      ...stepToMessages(step({ modelOutput: 'Two lookups.', toolCalls: calls, observations: 'x found\ny found', observationsImages: [{ type: 'image', image: 'data:image/png;base64,AA' }] })),
    ];
    const prompt = toPrompt(messages, new Set(['lookup', 'final_answer']), new TurnMemory());
    expect(prompt.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'user']);
    expect(prompt[1].content).toEqual([
      { type: 'text', text: 'Two lookups.' },
      { type: 'tool-call', toolCallId: 'a', toolName: 'lookup', input: { q: 'x' } },
      { type: 'tool-call', toolCallId: 'b', toolName: 'lookup', input: { q: 'y' } },
    ]);
    expect(prompt[2].content).toEqual([
      { type: 'tool-result', toolCallId: 'a', toolName: 'lookup', output: { type: 'text', value: 'x found\ny found' } },
      { type: 'tool-result', toolCallId: 'b', toolName: 'lookup', output: { type: 'text', value: '(see the result of a)' } },
    ]);
    expect(prompt[3].content[0]).toMatchObject({ type: 'file', mediaType: 'image/png' });
  });

  it('calls to tools the request does not offer (a CodeAgent step) stay assistant text, observations user text', () => {
    const code = { id: 'call_1', type: 'function' as const, function: { name: 'javascript_interpreter', arguments: 'console.log(1)' } };
    const messages = stepToMessages(step({ modelOutput: 'Thought.\n<code>console.log(1)</code>', toolCalls: [code], observations: 'Execution logs:\n1' }));
    const prompt = toPrompt(messages, new Set(), new TurnMemory());
    expect(prompt.map((m) => m.role)).toEqual(['assistant', 'user']);
    expect((prompt[0].content[0] as { text: string }).text).toContain('Calling tools:\n[{"id":"call_1"');
    expect(prompt[1].content).toEqual([{ type: 'text', text: 'Observation:\nExecution logs:\n1' }]);
  });

  it('a step error after a call is an error-text result', () => {
    const messages = stepToMessages(step({ toolCalls: [calls[0]], error: Object.assign(new Error('bad args'), { name: 'AgentToolCallError' }) as never }));
    const prompt = toPrompt(messages, new Set(['lookup']), new TurnMemory());
    expect(prompt[1].content[0]).toMatchObject({ type: 'tool-result', toolCallId: 'a', output: { type: 'error-text', value: expect.stringContaining('bad args') } });
  });

  it('parseCallingTools reads only the exact layout', () => {
    expect(parseCallingTools(`Calling tools:\n${JSON.stringify(calls)}`)).toEqual(calls);
    expect(parseCallingTools('Calling tools:\nnot json')).toBeUndefined();
    expect(parseCallingTools('hello')).toBeUndefined();
  });

  it('TurnMemory keeps only turns worth replaying and forgets the oldest past its capacity', () => {
    const turns = new TurnMemory(2);
    turns.remember([{ type: 'text', text: 'plain' }], [], 'plain');
    expect(turns.size).toBe(0);
    for (const id of ['1', '2', '3']) turns.remember([{ type: 'reasoning', text: 'r' }], [id], '');
    expect(turns.size).toBe(2);
    expect(turns.recall('1', '')).toBeUndefined();
    expect(turns.recall('3', '')).toEqual([{ type: 'reasoning', text: 'r' }]);
  });
});
