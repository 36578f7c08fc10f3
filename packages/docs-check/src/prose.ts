// Checks the text around the snippets: API names in backticks exist, and no stray HTML breaks the site.

export interface ProseProblem {
  file: string;
  line: number;
  message: string;
}

// Names in backticks that are not smol's: platform globals, environment variables, and the
// `error.name` values of the sandbox's results.
const NOT_SMOL = new Set([
  'AbortController', 'AbortSignal', 'Error', 'Promise', 'Request', 'Response', 'ReadableStream', 'TypeError',
  'ReferenceError', 'SyntaxError', 'DOMException', 'JSON', 'PATH', 'HOME', 'USER', 'TimeoutError',
  'MemoryLimitError', 'ToolCallLimitError', 'UnsettledPromiseError', 'InternalError', 'SandboxCrashError', 'SandboxError',
]);
// Tags Vue (the site's renderer) accepts in Markdown prose.
const HTML_TAGS = new Set(['a', 'b', 'br', 'code', 'details', 'div', 'em', 'i', 'img', 'kbd', 'p', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'td', 'th', 'tr']);

/**
 * In docs/ pages: every PascalCase name in backticks must be exported by an @smol package (a
 * renamed class breaks the build, not a reader). In every page: no unknown HTML tag outside code,
 * since the site's renderer fails on them (`<message>` must be written in backticks).
 * The migration guide's first table column holds Python names and is not checked.
 */
export function checkProse(file: string, text: string, exported: ReadonlySet<string>): ProseProblem[] {
  const problems: ProseProblem[] = [];
  const checkNames = file.startsWith('docs/') && exported.size > 0;
  const pythonTable = file.endsWith('migrating-from-smolagents.md');
  let fence: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(raw);
    if (open) {
      if (!fence) fence = open[1];
      else if (raw.trim().startsWith(fence)) fence = undefined;
      return;
    }
    if (fence) return;
    const at = { file, line: i + 1 };
    let line = raw;
    if (pythonTable && line.trimStart().startsWith('|')) line = line.split('|').slice(2).join('|');
    const withoutCode = line.replace(/`+[^`]*`+/g, '').replace(/<!--.*?-->/g, '');
    for (const m of withoutCode.matchAll(/<\/?([a-zA-Z][\w-]*)[^>]*>/g)) {
      if (!HTML_TAGS.has(m[1].toLowerCase())) problems.push({ ...at, message: `<${m[1]}> is read as an HTML tag: put it in backticks or write &lt;${m[1]}&gt;` });
    }
    if (!checkNames) return;
    for (const m of line.matchAll(/`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)`/g)) {
      if (!exported.has(m[1]) && !NOT_SMOL.has(m[1])) problems.push({ ...at, message: `\`${m[1]}\` is not exported by any @smol package` });
    }
  });
  return problems;
}
