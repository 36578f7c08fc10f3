// A progress bar on a terminal; a few plain lines anywhere else (CI logs, pipes, tests).
import type { Output } from './display.js';

const WIDTH = 30;

export class Progress {
  private done = 0;
  private lastLine = -1;

  constructor(
    private readonly out: Output,
    private readonly label: string,
    private readonly total: number,
    private readonly tty = out.isTTY === true,
  ) {
    if (this.tty) this.draw();
  }

  tick(): void {
    this.done++;
    if (this.tty) return this.draw();
    // A line per quarter, and always the last one.
    const every = Math.max(1, Math.ceil(this.total / 4));
    if (this.done === this.total || this.done % every === 0) {
      if (this.done !== this.lastLine) this.out.write(`  ${this.label}: ${this.done}/${this.total} agents done\n`);
      this.lastLine = this.done;
    }
  }

  /** Ends the bar's line with a note (the elapsed time). */
  finish(note: string): void {
    if (this.tty) {
      this.draw(note);
      this.out.write('\n');
    } else {
      this.out.write(`  ${this.label}: ${note}\n`);
    }
  }

  private draw(note = ''): void {
    const filled = this.total === 0 ? WIDTH : Math.round((this.done / this.total) * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    this.out.write(`\r\u001b[2K  ${this.label.padEnd(10)} ${bar} ${this.done}/${this.total}${note ? `  ${note}` : ''}`);
  }
}
