import { renderTemplate } from '../prompts.js';
import type { Tool, ToolContext } from '../tools.js';
import type { MultiStepAgent } from './multi-step-agent.js';

interface ManagedAgentArgs {
  task: string;
  additional_args?: Record<string, unknown> | null;
}

/**
 * A named agent as a tool of its manager. Each call is a new run of the managed agent
 * (runs are isolated), so a manager may call the same member several times in parallel.
 */
export function managedAgentTool(agent: MultiStepAgent): Tool<ManagedAgentArgs, string> {
  const name = agent.name!;
  return Object.freeze({
    name,
    description: agent.description!,
    inputs: {
      task: { type: 'string' as const, description: 'Long detailed description of the task.' },
      additional_args: {
        type: 'object' as const,
        description: 'Extra inputs for the managed agent (data, context), as a JSON object.',
        nullable: true,
      },
    },
    outputType: 'string' as const,
    async forward(args: ManagedAgentArgs, context: ToolContext): Promise<string> {
      const task = renderTemplate(agent.promptTemplates.managedAgentTask, { name, task: args.task }, 'managedAgentTask');
      const run = agent.start(task, {
        signal: context.signal,
        additionalArgs: args.additional_args ?? undefined,
        parent: { runId: context.runId, callId: context.callId },
      });
      const result = await run.drain();
      let report = renderTemplate(
        agent.promptTemplates.managedAgentReport,
        { name, final_answer: typeof result.output === 'string' ? result.output : JSON.stringify(result.output) },
        'managedAgentReport',
      );
      if (agent.provideRunSummary) {
        const lines = run.memory.toMessages(true).map((m) => {
          const text = typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => (p.type === 'text' ? p.text : '[image]')).join('');
          return `\n${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}\n---`;
        });
        report += `\n\nFor more detail, find below a summary of this agent's work:\n<summary_of_work>\n${lines.join('')}\n</summary_of_work>`;
      }
      return report;
    },
  });
}
