// Guest-side JavaScript evaluated once in every new QuickJS context.
// It captures the built-ins it needs before any model code runs, so a snippet that replaces
// JSON.stringify or Object.defineProperty only breaks itself. The host functions it receives
// (call, final, log) stay in this closure: the snippet can reach them only through the
// wrappers below, and they accept nothing but strings.
export const PRELUDE_FILE = 'prelude.js';

export const PRELUDE_SOURCE = String.raw`(function (hostCall, hostFinal, hostLog, toolNamesJson, maxChars) {
  'use strict';
  const G = globalThis;
  const stringify = JSON.stringify, parse = JSON.parse, define = Object.defineProperty;
  const keys = Object.keys, isArray = Array.isArray, Str = String, TypeErr = TypeError, Err = Error;
  const toolNames = parse(toolNamesJson);

  function strictJson(value, what) {
    let text;
    try {
      text = stringify(value, function (key, v) {
        const t = typeof v;
        if (t === 'function' || t === 'symbol' || t === 'bigint') {
          throw new TypeErr(what + ' must be JSON data, but ' + (key === '' ? 'it' : 'key "' + key + '"') + ' is a ' + t);
        }
        return v;
      });
    } catch (e) {
      if (e instanceof TypeErr && Str(e.message).indexOf(what) === 0) throw e;
      throw new TypeErr(what + ' must be JSON data: ' + (e && e.message ? e.message : Str(e)));
    }
    return text;
  }

  // The last expression's value: described rather than rejected when it is not JSON data,
  // since the step itself succeeded.
  function outputJson(value) {
    if (value === undefined) return undefined;
    try {
      return stringify(value, function (key, v) {
        const t = typeof v;
        if (t === 'function') return '[Function ' + (v.name || 'anonymous') + ']';
        if (t === 'symbol') return Str(v);
        if (t === 'bigint') return Str(v) + 'n';
        return v;
      });
    } catch (e) {
      return stringify('[Unserializable value: ' + (e && e.message ? e.message : Str(e)) + ']');
    }
  }

  function describeError(e) {
    let name = 'Error', message, stack = '';
    try {
      if (e !== null && typeof e === 'object' && 'message' in e) {
        name = Str(e.name === undefined ? 'Error' : e.name);
        message = Str(e.message);
        stack = Str(e.stack === undefined ? '' : e.stack).slice(0, 4000);
      } else if (typeof e === 'string') {
        message = e;
      } else {
        message = 'Uncaught ' + (typeof e === 'object' && e !== null ? outputJson(e) : Str(e));
      }
    } catch (inner) {
      message = 'Uncaught exception that could not be described';
    }
    return stringify({ name: name, message: message, stack: stack });
  }

  function makeTool(name) {
    const what = 'The argument of ' + name + '()';
    const holder = {
      [name]: async function (args) {
        if (args === undefined) args = {};
        if (args === null || typeof args !== 'object' || isArray(args)) {
          throw new TypeErr(name + ' takes one object argument, like ' + name + '({ ... })');
        }
        // A rejection arrives from the host with no guest frames; give it the call site's
        // stack so the error names the snippet line that called the tool.
        const site = new Err();
        let text;
        try {
          text = await hostCall(name, strictJson(args, what));
        } catch (e) {
          try { if (e !== null && typeof e === 'object') e.stack = site.stack; } catch (ignored) {}
          throw e;
        }
        return text === undefined ? undefined : parse(text);
      },
    };
    return holder[name];
  }

  function final_answer(answer) {
    hostFinal(strictJson(answer === undefined ? null : answer, 'The value of final_answer()'));
    // The host has marked the execution as finished: its interrupt handler stops this loop
    // with an exception no try/catch can intercept.
    for (;;) {}
  }

  function format(v) {
    if (typeof v === 'string') return v;
    if (v !== null && typeof v === 'object') {
      if ('message' in v && 'stack' in v) return Str(v.name) + ': ' + Str(v.message);
      return outputJson(v);
    }
    if (typeof v === 'function') return '[Function ' + (v.name || 'anonymous') + ']';
    if (typeof v === 'bigint') return Str(v) + 'n';
    return Str(v);
  }

  let logOpen = true;
  function log() {
    if (!logOpen) return;
    let line = '';
    for (let i = 0; i < arguments.length && line.length <= maxChars; i++) line += (i ? ' ' : '') + format(arguments[i]);
    // Never hand the host more than it can keep.
    logOpen = hostLog(line.length > maxChars ? line.slice(0, maxChars + 1) : line);
  }

  const tools = [];
  for (let i = 0; i < toolNames.length; i++) tools.push([toolNames[i], makeTool(toolNames[i])]);
  tools.push(['final_answer', final_answer]);

  function put(name, value) {
    try {
      define(G, name, { value: value, writable: true, configurable: true, enumerable: false });
    } catch (e) {
      // The snippet made the name non-configurable: its own loss, not the host's.
    }
  }

  // Called before every execution: a snippet that overwrote a tool or console gets them back.
  function install() {
    logOpen = true;
    for (let i = 0; i < tools.length; i++) put(tools[i][0], tools[i][1]);
    put('console', { log: log, info: log, warn: log, error: log, debug: log });
  }

  function setVariables(text) {
    const vars = parse(text);
    const names = keys(vars);
    for (let i = 0; i < names.length; i++) {
      define(G, names[i], { value: vars[names[i]], writable: true, configurable: true, enumerable: true });
    }
  }

  return { install: install, outputJson: outputJson, describeError: describeError, setVariables: setVariables };
})`;
