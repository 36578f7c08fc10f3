// The chat page of @smol/server: plain browser JavaScript, no build step. It starts runs with
// POST /api/runs (streamed, kept on disconnect), reads the events with fetch, and follows a run again
// from its last event id after a dropped connection or a reload.
'use strict';
const $ = (id) => document.getElementById(id);
const form = $('form'), taskInput = $('task'), filesInput = $('files'), runButton = $('run'), stopButton = $('stop');
const statusEl = $('status'), transcript = $('transcript'), historyEl = $('history'), agentSelect = $('agent');
const HISTORY_KEY = 'smol.history', TOKEN_KEY = 'smol.token';
let current = null; // { runId, lastId, controller, view }

// ---------- small helpers ----------
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
const fmt = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
const usageText = (u) => (u ? `${u.inputTokens} input · ${u.outputTokens} output tokens` : 'no token usage reported');
function headers(extra) {
  const h = Object.assign({}, extra);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}
function setStatus(text, kind) {
  statusEl.textContent = text;
  statusEl.className = kind || '';
}
function setBusy(busy) {
  runButton.disabled = busy;
  stopButton.disabled = !busy;
}

// ---------- JavaScript highlighting (escape first, then wrap tokens) ----------
const KEYWORDS = new Set('await async const let var function return if else for of in while break continue new try catch finally throw typeof true false null undefined class import export default'.split(' '));
function highlight(code) {
  const out = document.createDocumentFragment();
  const re = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`)|\b(\d+(?:\.\d+)?)\b|\b([A-Za-z_$][\w$]*)\b(?=\s*\()|\b([A-Za-z_$][\w$]*)\b/g;
  let at = 0, m;
  while ((m = re.exec(code))) {
    if (m.index > at) out.append(code.slice(at, m.index));
    const [text, com, str, num, fn, word] = m;
    const cls = com ? 'com' : str ? 'str' : num ? 'num' : fn ? (KEYWORDS.has(fn) ? 'kw' : 'fn') : word && KEYWORDS.has(word) ? 'kw' : '';
    out.append(cls ? el('span', cls, text) : text);
    at = m.index + text.length;
  }
  out.append(code.slice(at));
  return out;
}

// ---------- one run's view ----------
function runView(task, images, fileNames) {
  const root = el('article', 'run');
  const t = el('div', 'task', task);
  if (fileNames && fileNames.length) t.append(el('div', 'meta', `attached: ${fileNames.join(', ')}`));
  if (images && images.length) {
    const thumbs = el('div', 'thumbs');
    images.forEach((src, i) => { const img = el('img'); img.src = src; img.alt = `attached image ${i + 1}`; thumbs.append(img); });
    t.append(thumbs);
  }
  root.append(t);
  transcript.replaceChildren(root);
  return { root, steps: new Map() };
}
function stepBox(view, n) {
  let box = view.steps.get(n);
  if (!box) {
    const section = el('section', 'step');
    section.dataset.step = String(n);
    section.append(el('h3', '', `Step ${n}`));
    const thought = el('div', 'thought');
    section.append(thought);
    view.root.append(section);
    box = { section, thought, text: [] };
    view.steps.set(n, box);
  }
  return box;
}

function render(view, event, data) {
  switch (event) {
    case 'delta': {
      const box = stepBox(view, data.step);
      box.text.push(data.text);
      box.thought.textContent = box.text.join('');
      break;
    }
    case 'code': {
      const box = stepBox(view, data.step);
      const text = box.text.join('');
      const at = text.search(/<code>|```/);
      if (at >= 0) box.thought.textContent = text.slice(0, at).trim();
      const pre = el('pre', 'code');
      const code = el('code');
      code.append(highlight(String(data.code)));
      pre.append(code);
      pre.setAttribute('aria-label', `Code of step ${data.step}`);
      box.section.append(pre);
      break;
    }
    case 'tool_call':
      if (data.name !== 'final_answer') stepBox(view, data.step).section.append(el('div', 'tool-call', `→ ${data.name}(${fmt(data.arguments)})`));
      break;
    case 'observation':
      if (data.name !== 'final_answer') stepBox(view, data.step).section.append(el('div', data.isError ? 'observation error' : 'observation', `← ${data.observation}`));
      break;
    case 'code_output':
      if (data.logs) stepBox(view, data.step).section.append(el('div', 'logs', data.logs));
      break;
    case 'step': {
      const box = stepBox(view, data.stepNumber);
      if (data.images && data.images.length) {
        const imgs = el('div', 'images');
        data.images.forEach((src, i) => { const img = el('img'); img.src = src; img.alt = `image from step ${data.stepNumber}, ${i + 1}`; imgs.append(img); });
        box.section.append(imgs);
      }
      if (data.error) box.section.append(el('div', 'step-error', `✗ ${data.error}`));
      box.section.append(el('div', 'meta', `${Math.round(data.durationMs || 0)} ms · ${usageText(data.tokenUsage)}`));
      break;
    }
    case 'plan':
      view.root.append(el('div', 'plan', data.plan));
      break;
    case 'resumed':
      view.root.querySelectorAll('.approval').forEach((n) => n.remove());
      break;
    case 'gap':
      view.root.append(el('p', 'note', `${data.missed} earlier events are no longer kept by the server.`));
      break;
    case 'done':
      if (data.state === 'awaiting_approval') return approvals(view, data);
      showAnswer(view, data);
      break;
    case 'run_error':
      view.root.append(el('p', 'run-error', `✗ ${data.error}`));
      break;
  }
}

function showAnswer(view, data) {
  const box = el('section', 'answer');
  box.setAttribute('aria-label', 'Final answer');
  box.append(el('h3', '', data.state === 'max_steps_error' ? 'Best answer (step limit reached)' : 'Answer'));
  const out = data.output;
  if (typeof out === 'string' && /^data:image\//.test(out)) {
    const img = el('img'); img.src = out; img.alt = 'the answer, an image'; box.append(img);
  } else {
    box.append(el('div', 'output', typeof out === 'string' ? out : JSON.stringify(out, null, 2)));
  }
  if (data.note) box.append(el('p', 'note', data.note));
  box.append(el('p', 'meta', `${usageText(data.tokenUsage)} · ${data.stepCount} steps · ${Math.round(data.durationMs)} ms`));
  view.root.append(box);
}

function approvals(view, data) {
  const box = el('section', 'approval');
  box.setAttribute('aria-label', 'Approvals needed');
  box.append(el('h3', '', 'The agent asks for your approval'));
  const decisions = {};
  const pending = data.pendingApprovals || [];
  const send = async () => {
    box.querySelectorAll('button').forEach((b) => (b.disabled = true));
    await follow(data.runId, { method: 'POST', path: `/api/runs/${encodeURIComponent(data.runId)}/approvals`, body: JSON.stringify({ decisions, stream: true, keep: true }), json: true });
  };
  for (const p of pending) {
    const row = el('div', 'row');
    row.append(el('span', 'tool-call', `${p.toolName}(${fmt(p.arguments)})`));
    for (const [label, value] of [['Approve', true], ['Reject', false]]) {
      const b = el('button', value ? 'primary' : '', label);
      b.type = 'button';
      b.setAttribute('aria-label', `${label} ${p.toolName}`);
      b.addEventListener('click', () => {
        decisions[p.callId] = value;
        row.querySelectorAll('button').forEach((x) => (x.disabled = true));
        row.append(el('span', 'meta', value ? 'approved' : 'rejected'));
        if (Object.keys(decisions).length === pending.length) send();
      });
      row.append(b);
    }
    box.append(row);
  }
  view.root.append(box);
  box.querySelector('button')?.focus();
}

// ---------- history (this browser session) ----------
const history = () => JSON.parse(sessionStorage.getItem(HISTORY_KEY) || '[]');
function remember(runId, patch) {
  const list = history();
  const i = list.findIndex((r) => r.runId === runId);
  for (const k of Object.keys(patch)) if (patch[k] === undefined) delete patch[k];
  if (i >= 0) Object.assign(list[i], patch); else list.unshift(Object.assign({ runId }, patch));
  sessionStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, 50)));
  drawHistory();
}
function drawHistory() {
  historyEl.replaceChildren(...history().map((r) => {
    const li = el('li');
    const b = el('button');
    b.type = 'button';
    b.append(el('span', '', r.task), el('br'), el('span', 'state', (r.state || '').replace(/_/g, ' ')));
    b.title = r.task;
    if (current && current.runId === r.runId) b.setAttribute('aria-current', 'true');
    b.addEventListener('click', () => replay(r));
    li.append(b);
    return li;
  }));
}
function replay(r) {
  if (current && current.controller) current.controller.abort();
  current = { runId: r.runId, lastId: 0, view: runView(r.task, r.images) };
  drawHistory();
  follow(r.runId, { method: 'GET', path: `/api/runs/${encodeURIComponent(r.runId)}/events` });
}

// ---------- streaming, with reconnects from the last event id ----------
async function* sseEvents(response, signal) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const e = { id: undefined, event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) e.id = Number(line.slice(4));
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) e.data += line.slice(6);
        }
        if (e.data) yield e;
      }
      if (signal.aborted) return;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Reads a run's events (a POST that starts or resumes it, or a GET that follows it); reconnects until it ends. */
async function follow(runId, request) {
  const run = current;
  const controller = new AbortController();
  run.controller = controller;
  setBusy(true);
  setStatus(runId ? 'running…' : 'starting…', 'running');
  let ended = false, attempt = 0, req = request;
  while (!ended && !controller.signal.aborted) {
    let response;
    try {
      const h = headers(req.json ? { 'content-type': 'application/json', accept: 'text/event-stream' } : { accept: 'text/event-stream' });
      if (run.lastId > 0 && req.method === 'GET') h['last-event-id'] = String(run.lastId);
      response = await fetch(req.path, { method: req.method, headers: h, body: req.body, signal: controller.signal });
    } catch {
      if (controller.signal.aborted) break;
      if (!run.runId) return finish('failed: the server could not be reached', 'failed');
      await reconnectDelay(++attempt, controller.signal);
      req = { method: 'GET', path: `/api/runs/${encodeURIComponent(run.runId)}/events` };
      continue;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      if (response.status === 401) $('token-box').hidden = false;
      if (run.runId && response.status === 404) remember(run.runId, { state: 'forgotten by the server' });
      return finish(`failed: ${body.error || response.status}`, 'failed');
    }
    attempt = 0;
    // Known from the headers already: a stream cut before its first event can still be followed.
    if (!run.runId && response.headers.get('x-run-id')) run.runId = response.headers.get('x-run-id');
    try {
      for await (const e of sseEvents(response, controller.signal)) {
        if (e.id !== undefined) {
          if (e.id <= run.lastId) continue; // already shown before a reconnect
          run.lastId = e.id;
        }
        const data = JSON.parse(e.data);
        if (e.event === 'run') {
          run.runId = data.runId;
          remember(data.runId, { task: data.task, state: 'running', images: run.images });
          continue;
        }
        render(run.view, e.event, data);
        if (e.event === 'done' || e.event === 'run_error') {
          ended = true;
          const state = e.event === 'done' ? data.state : data.cause === 'cancelled' ? 'stopped' : 'failed';
          remember(run.runId, { state });
          if (e.event === 'done' && data.state === 'awaiting_approval') return finish('waiting for your approval', 'running');
          return finish(e.event === 'done' ? (data.state === 'success' ? 'done' : data.state.replace(/_/g, ' ')) : state === 'stopped' ? 'stopped' : `failed: ${data.error}`, e.event === 'done' ? 'done' : state);
        }
      }
    } catch {
      // The connection dropped mid-run: follow the run again from the last event we saw.
    }
    if (controller.signal.aborted || ended) break;
    if (!run.runId) return finish('failed: the stream ended before the run started', 'failed');
    setStatus('reconnecting…', 'running');
    await reconnectDelay(++attempt, controller.signal);
    req = { method: 'GET', path: `/api/runs/${encodeURIComponent(run.runId)}/events` };
  }
}
function reconnectDelay(attempt, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, Math.min(5000, 200 * 2 ** (attempt - 1)));
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
function finish(text, kind) {
  setBusy(false);
  setStatus(text, kind);
  drawHistory();
}

// ---------- actions ----------
function readImages(files) {
  return Promise.all([...files].map((f) => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(f);
  })));
}

async function start(task) {
  if (current && current.controller) current.controller.abort();
  const files = [...(filesInput.files || [])];
  const pictures = files.filter((f) => f.type.startsWith('image/'));
  const texts = files.filter((f) => !f.type.startsWith('image/'));
  const previews = pictures.length ? await readImages(pictures) : [];
  const body = new FormData();
  body.set('task', task);
  body.set('stream', 'true');
  body.set('keep', 'true');
  if (agentSelect.value) body.set('agent', agentSelect.value);
  for (const f of pictures) body.append('images', f, f.name);
  for (const f of texts) body.append('files', f, f.name);
  current = { runId: null, lastId: 0, images: previews.filter((p) => p.length < 200000), view: runView(task, previews, texts.map((f) => f.name)) };
  await follow(null, { method: 'POST', path: '/api/runs', body });
  filesInput.value = '';
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const task = taskInput.value.trim();
  if (task) start(task);
  else taskInput.focus();
});
taskInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
});
stopButton.addEventListener('click', async () => {
  if (!current || !current.runId) return;
  stopButton.disabled = true;
  setStatus('stopping…', 'running');
  await fetch(`/api/runs/${encodeURIComponent(current.runId)}/cancel`, { method: 'POST', headers: headers() }).catch(() => {});
});
$('token-save').addEventListener('click', () => {
  sessionStorage.setItem(TOKEN_KEY, $('token').value);
  $('token').value = '';
  $('token-box').hidden = true;
  loadAgents();
});

async function loadAgents() {
  try {
    const res = await fetch('/api/agents', { headers: headers() });
    if (res.status === 401) { $('token-box').hidden = false; $('agent-info').textContent = 'This server needs an access token.'; return; }
    const info = await res.json();
    agentSelect.replaceChildren(...info.agents.map((a) => { const o = el('option', '', `${a.name} (${a.kind})`); o.value = a.name; return o; }));
    $('agent-row').hidden = info.agents.length < 2;
    const describe = () => {
      const a = info.agents.find((x) => x.name === agentSelect.value) || info.agents[0];
      $('agent-info').textContent = `${a.kind} on ${a.modelId} · tools: ${a.tools.map((t) => t.name).filter((n) => n !== 'final_answer').join(', ') || 'none'}`;
    };
    agentSelect.onchange = describe;
    describe();
  } catch {
    $('agent-info').textContent = 'The server could not be reached.';
  }
}

loadAgents();
drawHistory();
// A run that was going when the page was left (reload, lost connection): follow it again.
const unfinished = history().find((r) => r.state === 'running');
if (unfinished) replay(unfinished);
