import type { Tool, ToolContext } from './tools.js';

/** Asks a human; resolves with the answer. Must honour the signal (the run may be cancelled). */
export type AskHuman = (question: string, options: { signal: AbortSignal }) => Promise<string>;

/**
 * A tool the model uses to ask the user a question. The question is awaited, never
 * blocking: other runs in the process go on while this one waits for its human.
 */
export class UserInputTool implements Tool<{ question: string }, string> {
  readonly name = 'user_input';
  readonly description = "Asks the user for specific input and returns the user's answer.";
  readonly inputs = { question: { type: 'string' as const, description: 'The question to ask the user' } };
  readonly outputType = 'string' as const;

  constructor(private readonly ask: AskHuman = askOnTerminal) {}

  forward(args: { question: string }, context: ToolContext): Promise<string> {
    return this.ask(args.question, { signal: context.signal });
  }
}

/** The default: a question on the terminal (Node only), cancelled with the run. */
async function askOnTerminal(question: string, { signal }: { signal: AbortSignal }): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(`${question} => `, { signal });
  } finally {
    rl.close();
  }
}
