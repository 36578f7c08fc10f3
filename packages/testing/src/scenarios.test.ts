// The default tool scenario as a plausible (simulated) model: short arguments taken from the
// task, and a final answer that gives up after a failed tool call instead of calling it again.
import { describe, expect, it } from 'vitest';
import type { MockChatMessage, MockReply, MockRequest, MockTool } from './mock-server-types.js';
import { argumentFromTask, argumentsFor, toolOutcomes, toolScenario } from './scenarios.js';

const weather: MockTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const finalAnswer: MockTool = {
  type: 'function',
  function: { name: 'final_answer', description: 'Answer', parameters: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } },
};

function request(messages: MockChatMessage[], index = 0): MockRequest {
  return { index, method: 'POST', path: '/v1/chat/completions', url: '/v1/chat/completions', headers: {}, body: { model: 'm', messages, tools: [weather, finalAnswer] } };
}

const reply = (messages: MockChatMessage[]) => toolScenario({ toolCalls: 2 })(request(messages)) as MockReply;

describe('argumentFromTask', () => {
  it('takes a short name or phrase from the task, not the whole task', () => {
    expect(argumentFromTask('What is the weather in Paris?', 'city')).toBe('Paris');
    expect(argumentFromTask('What is the weather in New York City today?', 'city')).toBe('New York City');
    expect(argumentFromTask('Population of the United States', 'country')).toBe('United States');
    expect(argumentFromTask('Tell me about Ada Lovelace', 'name')).toBe('Ada Lovelace');
    expect(argumentFromTask('What is the price of apples?', 'item')).toBe('apples');
    expect(argumentFromTask('Write a long essay about the history of computing, from the abacus on', 'topic')).toBe('history of computing');
  });

  it('falls back to the task without its final punctuation, cut to 60 characters at a word', () => {
    expect(argumentFromTask('What time is it?', 'city')).toBe('What time is it');
    expect(argumentFromTask('What is the weather in Paris?', 'query')).toBe('What is the weather in Paris');
    const long = argumentFromTask('please summarise the following very long request that goes on and on about many things', 'text');
    expect(long).toBe('summarise the following very long request that goes on and');
    expect(long.length).toBeLessThanOrEqual(60);
  });

  it('fills every string field of a schema', () => {
    expect(argumentsFor(weather, 'Is it raining in Oslo?')).toEqual({ city: 'Oslo' });
  });
});

describe('toolScenario after tool calls', () => {
  const task: MockChatMessage = { role: 'user', content: 'New task:\nWhat is the weather in Paris?' };

  it('calls the tool with a short argument first', () => {
    expect(reply([task]).toolCalls).toEqual([{ id: 'call_0_0', name: 'get_weather', arguments: { city: 'Paris' } }]);
  });

  it("gives up after a failed call in smol's layout (an Error: block in a user message)", () => {
    const error = { role: 'user' as const, content: "Call id: call_0_0\nError:\nError executing tool 'get_weather' with arguments {\"city\":\"Paris\"}: service down\nPlease try again or use another tool.\nNow let's retry: take care not to repeat previous errors!\n" };
    expect(toolOutcomes([task, error])).toEqual([{ text: "Error executing tool 'get_weather' with arguments {\"city\":\"Paris\"}: service down\nPlease try again or use another tool.", failed: true }]);
    expect(reply([task, { role: 'assistant', content: 'Calling tools: …' }, error]).toolCalls).toEqual([
      {
        id: 'call_0_0',
        name: 'final_answer',
        arguments: { answer: `I could not answer "What is the weather in Paris?": a tool call failed (Error executing tool 'get_weather' with arguments {"city":"Paris"}: service down).` },
      },
    ]);
  });

  it('gives up after a failed call sent as a native tool message', () => {
    const messages: MockChatMessage[] = [task, { role: 'tool', tool_call_id: 'call_0_0', content: 'Error: service down' }];
    expect(reply(messages).toolCalls?.[0]).toMatchObject({ name: 'final_answer', arguments: { answer: expect.stringContaining('a tool call failed (Error: service down)') } });
  });

  it('goes on after successful calls and quotes their results', () => {
    const ok = { role: 'user' as const, content: 'Observation:\nSunny in Paris' };
    expect(reply([task, ok]).toolCalls?.[0]).toMatchObject({ name: 'get_weather' });
    expect(reply([task, ok, ok]).toolCalls?.[0]).toMatchObject({ name: 'final_answer', arguments: { answer: 'Answer to "What is the weather in Paris?": Sunny in Paris | Sunny in Paris' } });
  });
});
