// Collects what the CLI writes, so tests never print.
import type { Output } from '../src/display.js';

export class Collector implements Output {
  readonly chunks: string[] = [];
  constructor(readonly isTTY = false) {}
  write(text: string): boolean {
    this.chunks.push(text);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

export function io(env: Record<string, string | undefined> = {}, tty = false) {
  return { stdout: new Collector(tty), stderr: new Collector(tty), env };
}
