import { describe, expect, it } from 'vitest';
import { transformSnippet } from './transform.ts';

const body = (code: string) => transformSnippet(code).code!.replace(/^\(async function \(\) \{/, '').replace(/\n\}\)\(\)$/, '');

describe('transformSnippet', () => {
  it('returns the last expression statement, parentheses included', () => {
    expect(body('1 + 1')).toBe('return (1 + 1)');
    expect(body('({ a: 1 })')).toBe('return (({ a: 1 }))');
    expect(body('x = 1;\nawait f(x);')).toBe('x = 1;\nreturn (await f(x));');
  });

  it('turns top-level declarations into global assignments', () => {
    expect(body('const a = 1, b = 2;')).toBe(';(a = 1), (b = 2);');
    expect(body('let { p, q } = o')).toBe(';({ p, q } = o)');
    expect(body('let x;')).toBe(';(x = undefined);');
    expect(body('var y;')).toBe(';(y = typeof y === "undefined" ? undefined : y);');
    expect(body('class C {}')).toBe(';C = class C {};');
  });

  it('publishes function declarations before the snippet runs (they are hoisted)', () => {
    expect(body('f();\nfunction f() {}')).toBe('this.f = f;f();\nfunction f() {}');
  });

  it('hoists var from blocks and loop heads, but not from functions', () => {
    expect(body('for (var i = 0; i < 2; i++) {}')).toBe('for (i = 0; i < 2; i++) {}');
    expect(body('if (a) { var z = 1 }')).toBe('if (a) { ;(z = 1) }');
    expect(body('function g() { var local = 1 }')).toBe('this.g = g;function g() { var local = 1 }');
    expect(body('{ let inner = 1 }')).toBe('{ let inner = 1 }');
  });

  it('keeps line numbers', () => {
    const code = 'const a = 1,\n  b = 2;\nclass K {\n}\nlet [c,\n d] = [1, 2]\nc + d';
    expect(body(code).split('\n').length).toBe(code.split('\n').length);
  });

  it('reports syntax errors with their line, and rejects module syntax', () => {
    // Returned, not thrown: the engine turns it into a SyntaxError result.
    const err = (code: string) => {
      const t = transformSnippet(code);
      expect(t.code).toBeUndefined();
      return t.syntaxError!;
    };
    expect(err('let a = 1;\nlet = = 2')).toMatchObject({ line: 2 });
    expect(err('import fs from "fs"').message).toMatch(/import/);
    expect(err('import.meta.url').message).toMatch(/import\.meta/);
    expect(err('export const a = 1').message).toMatch(/export/);
  });
});
