import type { AgentEvent } from '../events.js';
import type { PlanningStep } from '../memory.js';
import type { ChatMessage } from '../messages.js';
import { contentText } from '../messages.js';
import { renderTemplate } from '../prompts.js';
import { streamModel } from './model-call.js';
import { notify } from './observers.js';
import type { RunContext } from './run-context.js';
import { endStep } from './run-context.js';
import type { LoopAgent } from './run-loop.js';

const userText = (text: string): ChatMessage => ({ role: 'user', content: text });

/** A planning step: the first plan, or an update from the memory in summary mode. */
export async function* planningStep(agent: LoopAgent, ctx: RunContext): AsyncGenerator<AgentEvent, void, undefined> {
  const step: PlanningStep = { type: 'planning', plan: '', timing: { startTime: Date.now() } };
  notify(ctx.observers, 'onStepStart', ctx.info, ctx.stepNumber, 'planning');
  const first = !ctx.memory.steps.some((s, i) => i >= ctx.firstStep && s.type === 'planning');
  const t = agent.promptTemplates;
  const vars = { task: ctx.task, tools: agent.promptValues.tools ?? '', managed_agents: agent.promptValues.managed_agents ?? '' };
  const messages: ChatMessage[] = first
    ? [userText(renderTemplate(t.planningInitial, vars, 'planningInitial'))]
    : [
        { role: 'system', content: renderTemplate(t.planningUpdatePre, vars, 'planningUpdatePre') },
        ...ctx.memory.toMessages(true),
        userText(renderTemplate(t.planningUpdatePost, { ...vars, remaining_steps: String(ctx.maxSteps - ctx.stepNumber + 1) }, 'planningUpdatePost')),
      ];
  const message = yield* streamModel(ctx, agent.model, ctx.stepNumber, { messages, options: { stopSequences: ['<end_plan>'] } });
  const text = contentText(message.content).replace('<end_plan>', '').trim();
  step.plan = first
    ? `Here are the facts I know and the plan of action that I will follow to solve the task:\n\`\`\`\n${text}\n\`\`\``
    : `I still need to solve the task I was given:\n\`\`\`\n${ctx.task}\n\`\`\`\n\nHere are the facts I know and my new/updated plan of action to solve the task:\n\`\`\`\n${text}\n\`\`\``;
  step.modelOutputMessage = message;
  step.tokenUsage = message.tokenUsage;
  endStep(step);
  ctx.memory.steps.push(step);
  yield { type: 'planning_step', step };
  const notified = agent.notifyStep(step, ctx);
  if (notified) await notified;
}
