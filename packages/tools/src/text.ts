/** `text` cut to `max` characters, with a note saying so. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n\n..._This content has been truncated to stay below ${max} characters (of ${text.length})._...`;
}
