// Terminal output helpers: styles and durations. Runs themselves are shown by core's AgentLogger.

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const same = (s: string) => s;
export const PLAIN: Style = { bold: same, dim: same, red: same, green: same, cyan: same };
export const COLORS: Style = { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), green: ansi(32, 39), cyan: ansi(36, 39) };

export function styleFor(out: Output, env: Readonly<Record<string, string | undefined>> = {}): Style {
  return out.isTTY && !env.NO_COLOR ? COLORS : PLAIN;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
