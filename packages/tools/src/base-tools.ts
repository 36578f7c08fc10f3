import type { Tool } from '@smol/core';
import { javascriptInterpreter, type JavascriptInterpreterOptions } from './javascript-interpreter.ts';
import { WebClient, type NetworkOptions } from './net/web-client.ts';
import { visitWebpage, type VisitWebpageOptions } from './visit-webpage.ts';
import { webSearch, type WebSearchOptions } from './web-search.ts';

export interface BaseToolsOptions extends NetworkOptions {
  /**
   * 'tool-calling' (default) adds javascript_interpreter, as smolagents adds python_interpreter to
   * a ToolCallingAgent; a 'code' agent runs code itself and gets only the web tools.
   */
  agentType?: 'tool-calling' | 'code';
  webSearch?: Omit<WebSearchOptions, keyof NetworkOptions | 'client'>;
  visitWebpage?: Omit<VisitWebpageOptions, keyof NetworkOptions | 'client'>;
  javascriptInterpreter?: JavascriptInterpreterOptions;
}

/** The tools smolagents adds with `add_base_tools`: web_search, visit_webpage, and javascript_interpreter for tool-calling agents. */
export function baseTools(options: BaseToolsOptions = {}): Tool[] {
  const { agentType = 'tool-calling', webSearch: search, visitWebpage: visit, javascriptInterpreter: js, ...network } = options;
  // One connection pool and one address policy for the web tools.
  const client = new WebClient(network);
  const tools: Tool[] = [webSearch({ ...network, ...search, client }), visitWebpage({ ...network, ...visit, client })];
  if (agentType === 'tool-calling') tools.push(javascriptInterpreter(js));
  return tools;
}
