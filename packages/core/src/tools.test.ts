import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FinalAnswerTool, ToolArgumentsError, checkToolArguments, parseToolArguments, tool } from './index.js';

describe('checking tool arguments', () => {
  it('final_answer takes any answer, and nothing else', async () => {
    const final = new FinalAnswerTool();
    for (const answer of ['text', 42, null, { nested: [1, 2] }]) expect(checkToolArguments(final, { answer })).toEqual({ answer });
    expect(() => checkToolArguments(final, {})).toThrow(ToolArgumentsError);
    expect(() => checkToolArguments(final, {})).toThrow(/^Invalid arguments: .*answer/);
    expect(() => checkToolArguments(final, { answer: 1, confidence: 0.9 })).toThrow(/^Invalid arguments: /);
    await expect(parseToolArguments(final, { answer: 'ok' })).resolves.toEqual({ answer: 'ok' });
    await expect(parseToolArguments(final, {})).rejects.toThrow(/answer/);
  });

  it('a JSON Schema with types is still checked in full', () => {
    const typed = tool({
      name: 'typed',
      description: 'Typed.',
      inputSchema: { type: 'object', properties: { n: { type: 'number', description: 'a number' } }, required: ['n'] },
      execute: () => 'ok',
    });
    expect(checkToolArguments(typed, { n: 1 })).toEqual({ n: 1 });
    expect(() => checkToolArguments(typed, { n: 'one' })).toThrow(/^Invalid arguments: n: /);
  });

  it('a zod schema is checked synchronously, and its errors name the argument', () => {
    const zodTool = tool({ name: 'z', description: 'Zod.', inputSchema: z.object({ word: z.string() }), execute: ({ word }) => word });
    expect(checkToolArguments(zodTool, { word: 'hi' })).toEqual({ word: 'hi' });
    expect(() => checkToolArguments(zodTool, { word: 3 })).toThrow(/^Invalid arguments: word: /);
  });
});
