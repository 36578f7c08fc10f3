// End to end: agents using the toolbox, driven by a scripted model, against local servers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentAbortError, CodeAgent, ToolCallingAgent, type ActionStep, type ChatMessage } from '@smol/core';
import { QuickJsExecutor } from '@smol/sandbox';
import { ScriptedModel } from '@smol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, serve, type TestServer } from './__fixtures__/serve.ts';
import { baseTools } from './base-tools.ts';
import { webSearch } from './web-search.ts';

const text = (m: ChatMessage | undefined) =>
  typeof m?.content === 'string' ? m.content : (m?.content ?? []).map((p) => ('text' in p ? p.text : '')).join('');
const lastText = (messages: readonly ChatMessage[]) => text(messages[messages.length - 1]);

let s: TestServer;
const executor = new QuickJsExecutor({ workers: 1 });
beforeAll(async () => {
  s = await serve({
    '/article': (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end(readFileSync(join(fixtures, 'readability', 'bbc-1', 'source.html'))),
    '/slow/': () => {},
  });
  // The saved results page, its first result pointing at the local article.
  const page = readFileSync(join(fixtures, 'search', 'duckduckgo-results.html'), 'utf8').replace(
    encodeURIComponent('https://huggingface.co/docs/smolagents/index'),
    encodeURIComponent(`${s.url}/article`),
  );
  s.route('/html/', (_q, r) => r.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
});
afterAll(async () => {
  await s.close();
  await executor.close();
});

const tools = () => baseTools({ allowPrivateNetwork: true, webSearch: { engine: 'duckduckgo', baseURL: `${s.url}/html/`, env: {} }, javascriptInterpreter: { executor } });

describe('agents with the toolbox', () => {
  it('a ToolCallingAgent searches, visits the first result and answers from the page', async () => {
    const model = new ScriptedModel((messages, _options, call) => {
      if (call === 0) return { toolCalls: [{ name: 'web_search', arguments: { query: 'Obama gun laws BBC' } }] };
      if (call === 1) {
        const link = lastText(messages).match(/\]\((http[^)]+)\)/)![1];
        return { toolCalls: [{ name: 'visit_webpage', arguments: { url: link } }] };
      }
      const title = lastText(messages).match(/^# (.+)$/m)![1];
      return { toolCalls: [{ name: 'final_answer', arguments: { answer: `The BBC headline: ${title}` } }] };
    });
    const agent = new ToolCallingAgent({ model, tools: tools() });
    const result = (await agent.arun('What did Obama call his biggest frustration, according to the BBC?', { returnFullResult: true }));
    expect(result.output).toBe("The BBC headline: Obama admits US gun laws are his 'biggest frustration'");
    const steps = result.steps.filter((st): st is ActionStep => st.type === 'action');
    expect(steps[0].observations).toContain(`1. [smolagents - Hugging Face](${s.url}/article)`);
    expect(steps[1].observations).toContain('common sense gun safety laws');
  });

  it('the smolagents quick start: a CodeAgent with web_search', async () => {
    const model = new ScriptedModel([
      'Thought: search first.\n<code>\nconst results = await web_search({ query: "smolagents" });\nconsole.log(results.split("\\n")[2]);\n</code>',
      'Thought: I have it.\n<code>\nfinal_answer(results.includes("huggingface/smolagents") ? "found it" : "not found")\n</code>',
    ]);
    const agent = new CodeAgent({ tools: [webSearch({ engine: 'duckduckgo', baseURL: `${s.url}/html/`, allowPrivateNetwork: true, env: {} })], model, executor });
    const result = (await agent.arun('Find the smolagents repository', { returnFullResult: true }));
    expect(result.output).toBe('found it');
    expect((result.steps[1] as ActionStep).observations).toContain(`Execution logs:\n1. [smolagents - Hugging Face](${s.url}/article)`);
  });

  it('cancelling the run stops a slow search within 1 s', async () => {
    const model = new ScriptedModel([{ toolCalls: [{ name: 'web_search', arguments: { query: 'slow' } }] }]);
    const search = webSearch({ engine: 'duckduckgo', baseURL: `${s.url}/slow/`, allowPrivateNetwork: true, env: {} });
    const controller = new AbortController();
    const pending = new ToolCallingAgent({ model, tools: [search] }).arun('t', { signal: controller.signal });
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('user cancelled')), 150);
    const error = await pending.catch((e: unknown) => e);
    expect(AgentAbortError.isInstance(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
