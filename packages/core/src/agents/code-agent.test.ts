import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FakeExecutor } from '../../test/fake-executor.js';
import { TestModel, promptText } from '../../test/helpers.js';
import { AgentConfigError, CodeAgent, parseCode, tool, type ActionStep } from '../index.js';

const weather = tool({
  name: 'get_weather',
  description: 'Current weather in a city.',
  inputSchema: z.object({ city: z.string().describe('City name'), unit: z.enum(['C', 'F']).optional() }),
  execute: ({ city }) => `Sunny in ${city}, 21°C`,
});

function agentWith(replies: string[], extra: Partial<ConstructorParameters<typeof CodeAgent>[0]> = {}) {
  const model = new TestModel(replies);
  const executor = new FakeExecutor();
  const agent = new CodeAgent({ model, tools: [weather], executor, ...extra });
  return { model, executor, agent };
}

describe('CodeAgent protocol', () => {
  it('runs the code between <code> tags, calls tools with one object, ends at final_answer', async () => {
    const { agent, model, executor } = agentWith([
      'Thought: check the weather.\n<code>\nconst w = await get_weather({ city: "Paris" });\nconsole.log(w);\n</code>',
      'Thought: done.\n<code>\nfinal_answer("It is sunny")\n</code>',
    ]);
    await expect(agent.arun('Weather in Paris?')).resolves.toBe('It is sunny');
    expect(model.calls[0].options.stopSequences).toContain('</code>');
    const second = promptText(model.calls[1].messages);
    expect(second).toContain('Observation:\nExecution logs:\nSunny in Paris, 21°C\nLast output from code snippet:\nundefined');
    expect(executor.live).toBe(0);
    expect(executor.created[0].toolNames).toEqual(['get_weather']);
  });

  it('streams a tool_call with the code and a code_output per step; drained by arun, the same run records the same steps', async () => {
    const replies = ['<code>\nconsole.log(await get_weather({ city: "Oslo" }));\n</code>', '<code>\nfinal_answer("sunny")\n</code>'];
    const heard = agentWith(replies).agent;
    const events: string[] = [];
    for await (const event of heard.start('Weather in Oslo?')) {
      if (event.type === 'tool_call') events.push(`tool_call ${event.stepNumber} ${event.name}: ${String(event.arguments)}`);
      if (event.type === 'code_output') events.push(`code_output ${event.stepNumber} ${event.logs} final=${event.isFinalAnswer}`);
    }
    expect(events).toEqual([
      'tool_call 1 javascript_interpreter: console.log(await get_weather({ city: "Oslo" }));',
      'code_output 1 Sunny in Oslo, 21°C final=false',
      'tool_call 2 javascript_interpreter: final_answer("sunny")',
      'code_output 2  final=true',
    ]);
    const unheard = agentWith(replies).agent;
    await expect(unheard.arun('Weather in Oslo?')).resolves.toBe('sunny');
    const observations = (agent: CodeAgent) => agent.memory.steps.filter((s): s is ActionStep => s.type === 'action').map((s) => [s.codeAction, s.observations, s.isFinalAnswer]);
    expect(observations(unheard)).toEqual(observations(heard));
    expect(observations(unheard)[0][1]).toBe('Execution logs:\nSunny in Oslo, 21°C\nLast output from code snippet:\nundefined');
  });

  it('appends a missing closing tag to the stored output (the stop sequence cut it)', async () => {
    const { agent } = agentWith(['Thought: go.\n<code>\nfinal_answer(42)\n']);
    await agent.arun('t');
    const step = agent.memory.steps[1] as ActionStep;
    expect(step.modelOutput?.endsWith('</code>')).toBe(true);
    expect(step.codeAction).toBe('final_answer(42)');
  });

  it('joins several blocks and accepts a ```js fence as a fallback', () => {
    expect(parseCode('<code>a = 1</code> text <code>b = 2</code>')).toBe('a = 1\n\nb = 2');
    expect(parseCode('Thought: x\n```js\nconst y = 1;\n```')).toBe('const y = 1;');
    expect(parseCode('```javascript\nz()\n```')).toBe('z()');
  });

  it('codeBlockTags: "markdown" uses fences in the prompt and the stop sequences', async () => {
    const { agent, model } = agentWith(['Thought: x\n```js\nfinal_answer("md")\n'], { codeBlockTags: 'markdown' });
    await expect(agent.arun('t')).resolves.toBe('md');
    expect(agent.systemPrompt).toContain('between ```js and ```');
    expect(model.calls[0].options.stopSequences).toContain('```');
  });

  it('a reply without code gets a parsing-error observation that shows the format', async () => {
    const { agent, model } = agentWith(['I just know it is 4.', '<code>final_answer(4)</code>']);
    await expect(agent.arun('t')).resolves.toBe(4);
    const prompt = promptText(model.calls[1].messages);
    expect(prompt).toContain('Your reply has no code block');
    expect(prompt).toContain('Thought: your reasoning\n<code>');
    expect((agent.memory.steps[1] as ActionStep).error?.name).toBe('AgentParsingError');
  });

  it('errors show the failing line and message, keeping earlier logs', async () => {
    const { agent, model } = agentWith(['<code>\nconsole.log("before");\nundefinedFn();\n</code>', '<code>final_answer(1)</code>']);
    await agent.arun('t');
    const prompt = promptText(model.calls[1].messages);
    expect(prompt).toContain('Execution logs:\nbefore');
    expect(prompt).toMatch(/Code execution failed at line 2 'undefinedFn\(\);' due to: ReferenceError: undefinedFn is not defined/);
  });

  it('tool-argument errors are thrown into the code and reach the model', async () => {
    const { agent, model } = agentWith(['<code>\nawait get_weather({ town: "x" })\n</code>', '<code>final_answer(1)</code>']);
    await agent.arun('t');
    expect(promptText(model.calls[1].messages)).toMatch(/Invalid call to tool 'get_weather': Invalid arguments/);
  });

  it('additionalArgs are variables in the code', async () => {
    const { agent, executor } = agentWith(['<code>final_answer(1)</code>']);
    await agent.arun('t', { additionalArgs: { budget: 100 } });
    expect(executor.created[0].variables).toEqual({ budget: 100 });
  });

  it('the system prompt lists tools as JS signatures, the rules and the instructions', () => {
    const { agent } = agentWith([], { instructions: 'Answer in French.' });
    expect(agent.systemPrompt).toContain('async function get_weather(args: { city: string; unit?: "C" | "F" }): Promise<any>');
    expect(agent.systemPrompt).toContain('@param {string} args.city - City name');
    expect(agent.systemPrompt).toContain('Answer in French.');
    expect(agent.systemPrompt).toContain('function final_answer(answer: any): never');
  });

  it('prompt templates can be overridden; an unknown placeholder fails at construction', () => {
    const { agent } = agentWith([], { promptTemplates: { systemPrompt: 'Tools:\n{{tools}}\nUse {{code_open}}' } });
    expect(agent.systemPrompt).toContain('Use <code>');
    expect(() => agentWith([], { promptTemplates: { systemPrompt: 'Hi {{nope}}' } })).toThrow(AgentConfigError);
  });

  it('exports the run as one script and returns full results', async () => {
    const { agent } = agentWith(['<code>\nconst a = 1;\n</code>', '<code>\nfinal_answer(2)\n</code>']);
    const r = (await agent.arun('t', { returnFullResult: true }));
    expect(r.state).toBe('success');
    expect(agent.memory.returnFullCode()).toBe('const a = 1;\n\nfinal_answer(2)');
  });

  it('useStructuredOutputs asks for {thought, code} JSON through responseFormat', async () => {
    const { agent, model } = agentWith(['not json', JSON.stringify({ thought: 'easy', code: 'final_answer(3)' })], { useStructuredOutputs: true });
    await expect(agent.arun('t')).resolves.toBe(3);
    expect(model.calls[0].options.responseFormat).toMatchObject({ type: 'json_schema', jsonSchema: { name: 'ThoughtAndCode' } });
    expect(model.calls[0].options.stopSequences).toBeUndefined();
    expect(agent.systemPrompt).toContain('"thought"');
    expect(promptText(model.calls[1].messages)).toContain('Your reply is not valid JSON');
  });
});
