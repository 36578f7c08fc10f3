// Turns a model's snippet into something QuickJS can run as a REPL step:
// - top-level `await` works: the snippet runs inside an async function;
// - the value of the last expression statement is returned;
// - top-level declarations (const/let/var/class/function) become globals, so the next step
//   can use them and may declare them again without a SyntaxError.
// Edits only insert or replace text on the same lines, so error lines map 1:1 to the snippet.
import { parse, type Node } from 'acorn';

export const SNIPPET_FILE = 'snippet.js';

/**
 * A snippet that does not parse. Plain data, not a thrown error: the engine reports it as the
 * execution's `SyntaxError` result, and this module runs in the worker, which loads no @smol/core.
 */
export interface SnippetSyntaxError {
  message: string;
  line: number | undefined;
}

export type TransformedSnippet = { code: string; syntaxError?: undefined } | { code?: undefined; syntaxError: SnippetSyntaxError };

interface Edit {
  at: number;
  end: number;
  text: string;
}

// acorn's node types are loose; these are the fields we read.
interface AnyNode extends Node {
  [key: string]: any;
}

export function transformSnippet(source: string): TransformedSnippet {
  let program: AnyNode;
  try {
    program = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      // Keeps `({ a: 1 })` whole, so `return (` goes before its parenthesis.
      preserveParens: true,
      locations: true,
    }) as AnyNode;
  } catch (error) {
    const e = error as { message?: string; loc?: { line: number } };
    const message = String(e.message ?? error).replace(/ \(\d+:\d+\)$/, '');
    return { syntaxError: { message, line: e.loc?.line } };
  }

  const edits: Edit[] = [];
  const functionNames: string[] = [];
  const body = program.body as AnyNode[];

  for (const statement of body) {
    if (statement.type === 'VariableDeclaration') declarationToAssignments(statement, edits);
    else if (statement.type === 'FunctionDeclaration') functionNames.push(statement.id.name);
    else if (statement.type === 'ClassDeclaration') {
      // Classes are not hoisted, so assigning in place keeps their semantics.
      edits.push({ at: statement.start, end: statement.start, text: `;${statement.id.name} = ` });
      edits.push({ at: statement.end, end: statement.end, text: ';' });
    } else hoistVars(statement, edits);
  }

  const last = body[body.length - 1];
  if (last && last.type === 'ExpressionStatement') {
    edits.push({ at: last.expression.start, end: last.expression.start, text: 'return (' });
    edits.push({ at: last.expression.end, end: last.expression.end, text: ')' });
  }

  // Function declarations stay in place (they are hoisted inside the wrapper) and are also
  // published on the global object before any of the snippet runs. In a sloppy-mode function
  // called plainly, `this` is the guest's global object and the snippet cannot rebind it.
  const publish = functionNames.map((name) => `this.${name} = ${name};`).join(' ');
  return { code: `(async function () {${publish}${applyEdits(source, edits)}\n})()` };
}

function declarationToAssignments(node: AnyNode, edits: Edit[]): void {
  const first = node.declarations[0] as AnyNode;
  // `const ` → `;` (the semicolon guards against a previous line without one).
  edits.push({ at: node.start, end: first.start, text: ';' });
  for (const d of node.declarations as AnyNode[]) {
    if (d.init) {
      edits.push({ at: d.start, end: d.start, text: '(' });
      edits.push({ at: d.end, end: d.end, text: ')' });
    } else if (d.id.type === 'Identifier') {
      const name = d.id.name as string;
      // `let x;` starts fresh; `var x;` keeps an existing value, as a redeclared var does.
      const value = node.kind === 'var' ? `typeof ${name} === "undefined" ? undefined : ${name}` : 'undefined';
      edits.push({ at: d.start, end: d.end, text: `(${name} = ${value})` });
    }
  }
}

// `var` inside top-level blocks and loop heads is function-scoped, so inside the wrapper it
// would vanish after the step. Turn those into global assignments too; functions keep theirs.
function hoistVars(node: AnyNode | null | undefined, edits: Edit[]): void {
  if (!node || typeof node.type !== 'string') return;
  switch (node.type) {
    case 'VariableDeclaration':
      if (node.kind === 'var') declarationToAssignments(node, edits);
      return;
    case 'BlockStatement':
      for (const s of node.body) hoistVars(s, edits);
      return;
    case 'IfStatement':
      hoistVars(node.consequent, edits);
      hoistVars(node.alternate, edits);
      return;
    case 'TryStatement':
      hoistVars(node.block, edits);
      hoistVars(node.handler?.body, edits);
      hoistVars(node.finalizer, edits);
      return;
    case 'LabeledStatement':
    case 'WhileStatement':
    case 'DoWhileStatement':
      hoistVars(node.body, edits);
      return;
    case 'SwitchStatement':
      for (const c of node.cases) for (const s of c.consequent) hoistVars(s, edits);
      return;
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement': {
      const head = node.type === 'ForStatement' ? node.init : node.left;
      if (head?.type === 'VariableDeclaration' && head.kind === 'var') {
        // `for (var i = 0; …)` → `for (i = 0; …)`: drop the keyword, keep the assignments.
        edits.push({ at: head.start, end: head.declarations[0].start, text: '' });
      }
      hoistVars(node.body, edits);
      return;
    }
    default:
      return;
  }
}

function applyEdits(source: string, edits: Edit[]): string {
  // Stable sort by position: insertions at the same offset keep their push order.
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  const out: string[] = [];
  let pos = 0;
  for (const { e } of sorted) {
    out.push(source.slice(pos, e.at), e.text);
    pos = Math.max(pos, e.end);
  }
  out.push(source.slice(pos));
  return out.join('');
}
