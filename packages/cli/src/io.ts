// What the CLI touches outside itself, injected so tests can drive it in-process too.
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Calls `handler` on Ctrl-C / SIGTERM; returns a function that stops listening. */
  onInterrupt(handler: () => void): () => void;
  /** Ends the process now with this code. */
  exit(code: number): void;
}

/** One line for the user: the message, no stack, no newlines. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}
