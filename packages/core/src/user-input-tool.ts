import { AgentExecutionError } from './errors.js';
import type { Tool, ToolContext } from './tools.js';

/** Asks a human; resolves with the answer. Must honour the signal (the run may be cancelled). */
export type AskHuman = (question: string, options: { signal: AbortSignal }) => Promise<string>;

/**
 * A tool the model uses to ask the user a question. The question is awaited, never
 * blocking: other runs in the process go on while this one waits for its human.
 *
 * Without an `ask` function it asks on the terminal; when stdin is closed or at end of file
 * (no terminal: a pipe, a service, CI) the call fails at once with an error saying so, which
 * the model sees, instead of waiting forever.
 */
export class UserInputTool implements Tool<{ question: string }, string> {
  readonly name = 'user_input';
  readonly description = "Asks the user for specific input and returns the user's answer.";
  readonly inputs = { question: { type: 'string' as const, description: 'The question to ask the user' } };
  readonly outputType = 'string' as const;
  private readonly ask: AskHuman;

  constructor(ask: AskHuman = askOnTerminal) {
    this.ask = ask;
  }

  forward(args: { question: string }, context: ToolContext): Promise<string> {
    return this.ask(args.question, { signal: context.signal });
  }
}

// Once stdin has ended it never delivers another line: later questions fail without asking.
let stdinEnded = false;

function noAnswer(question: string): AgentExecutionError {
  return new AgentExecutionError(
    `Could not ask the user ${JSON.stringify(question)}: stdin is closed (end of file), so no answer can come. ` +
      'Do not ask the user again; answer with what you have. ' +
      '(Developer: run the program in a terminal, or give UserInputTool an ask function: new UserInputTool(async (question, { signal }) => …).)',
  );
}

/** The default: a question on the terminal (Node only), cancelled with the run. */
async function askOnTerminal(question: string, { signal }: { signal: AbortSignal }): Promise<string> {
  if (stdinEnded || process.stdin.readableEnded || process.stdin.destroyed) throw noAnswer(question);
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // readline's question() never settles when the input ends: race it against the end. The
  // rejection waits a turn, so that an answer on the last line (no newline before EOF), which
  // readline delivers as the input ends, settles the race first.
  let closedWithoutAnswer: () => void = () => {};
  const closed = new Promise<never>((_, reject) => {
    closedWithoutAnswer = () => setImmediate(() => reject(noAnswer(question)));
  });
  const onEnd = () => {
    stdinEnded = true;
    closedWithoutAnswer();
  };
  process.stdin.once('end', onEnd);
  // A closed fd 0 errors instead of ending.
  process.stdin.once('error', onEnd);
  rl.once('close', () => closedWithoutAnswer());
  // A last line without a newline comes as a 'line' event when the input ends, not as the answer.
  const lastLine = new Promise<string>((resolve) => rl.once('line', resolve));
  try {
    return await Promise.race([rl.question(`${question} => `, { signal }), lastLine, closed]);
  } finally {
    process.stdin.off('end', onEnd);
    process.stdin.off('error', onEnd);
    rl.close();
  }
}
