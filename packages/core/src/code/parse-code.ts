import { AgentParsingError } from '../errors.js';

export type CodeBlockTags = readonly [open: string, close: string];

export const DEFAULT_CODE_TAGS: CodeBlockTags = ['<code>', '</code>'];
export const MARKDOWN_CODE_TAGS: CodeBlockTags = ['```js', '```'];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const FENCE = /```(?:js|javascript|ts|typescript)?[ \t]*\n([\s\S]*?)```/g;

/**
 * The code in a model reply: every block between the tags, joined. A ```js fence is
 * accepted as a fallback. A reply without code is a parsing error that shows the format.
 */
export function parseCode(text: string, tags: CodeBlockTags = DEFAULT_CODE_TAGS): string {
  const tagged = new RegExp(`${escape(tags[0])}[ \\t]*\\n?([\\s\\S]*?)${escape(tags[1])}`, 'g');
  let blocks = [...text.matchAll(tagged)].map((m) => m[1].trim()).filter(Boolean);
  if (blocks.length === 0) blocks = [...text.matchAll(FENCE)].map((m) => m[1].trim()).filter(Boolean);
  if (blocks.length === 0) {
    throw new AgentParsingError(
      `Your reply has no code block. Here is your reply:\n${text.slice(0, 2000)}\n` +
        `Make sure to use this format:\nThought: your reasoning\n${tags[0]}\n// your JavaScript here\n${tags[1]}\n` +
        `Call final_answer(value) in the code to finish.`,
    );
  }
  return blocks.join('\n\n');
}

/** A reply cut at the closing-tag stop sequence lacks that tag: put it back for the memory. */
export function closeCodeBlock(text: string, tags: CodeBlockTags = DEFAULT_CODE_TAGS): string {
  const trimmed = text.trimEnd();
  if (trimmed.includes(tags[0]) && !trimmed.endsWith(tags[1])) return `${trimmed}\n${tags[1]}`;
  return text;
}

const ANSWER_LITERAL = /final_answer\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?)\s*\)/;

/**
 * A reply as prose: every code block (tagged or fenced) removed, and a leading "Thought:"
 * dropped. When only code remains, the literal it passed to final_answer(…), if any.
 */
export function withoutCodeBlocks(text: string, tags: CodeBlockTags = DEFAULT_CODE_TAGS): string {
  const tagged = new RegExp(`${escape(tags[0])}[\\s\\S]*?(?:${escape(tags[1])}|$)`, 'g');
  const prose = text.replace(tagged, '').replace(FENCE, '').replace(/^\s*Thought:\s*/i, '').trim();
  if (prose) return prose;
  const literal = ANSWER_LITERAL.exec(text)?.[1];
  if (literal === undefined) return '';
  if (literal.startsWith("'")) return literal.slice(1, -1).replace(/\\'/g, "'");
  try {
    return String(JSON.parse(literal));
  } catch {
    return '';
  }
}
