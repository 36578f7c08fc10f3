// The demo page: runs a task on the server's agent over Server-Sent Events and shows each step
// as it streams in. Stop closes the stream; the server sees the disconnect and aborts the run.
const $ = (id) => document.getElementById(id);
const form = $('form'), taskInput = $('task'), runButton = $('run'), stopButton = $('stop');
const statusEl = $('status'), stepsEl = $('steps'), resultEl = $('result');
let source = null;
const steps = new Map();

fetch('/info').then((r) => r.json()).then((info) => {
  $('info').textContent = `${info.agent} with tools ${info.tools.join(', ')} · ${info.model}`;
}).catch(() => { $('info').textContent = ''; });

function setStatus(text, kind) {
  statusEl.textContent = text;
  statusEl.className = `status ${kind}`;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The section of step n, created on its first event. */
function stepBox(n) {
  let box = steps.get(n);
  if (!box) {
    const section = el('section', 'step');
    section.dataset.step = String(n);
    section.append(el('h3', '', `Step ${n}`));
    const thought = el('div', 'thought');
    section.append(thought);
    stepsEl.append(section);
    box = { section, thought, text: [] };
    steps.set(n, box);
  }
  return box;
}

function fmt(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function usageText(u) {
  return u ? `${u.inputTokens} input tokens · ${u.outputTokens} output tokens · ${u.totalTokens} total` : 'no token usage reported';
}

function finish(text, kind) {
  if (source) source.close();
  source = null;
  runButton.disabled = false;
  stopButton.disabled = true;
  setStatus(text, kind);
}

function start(task) {
  if (source) source.close();
  steps.clear();
  stepsEl.replaceChildren();
  resultEl.hidden = true;
  runButton.disabled = true;
  stopButton.disabled = false;
  setStatus('running…', 'running');
  const es = new EventSource(`/run-agent/stream?task=${encodeURIComponent(task)}`);
  source = es;
  const on = (name, fn) => es.addEventListener(name, (e) => fn(JSON.parse(e.data)));
  on('delta', (d) => {
    const box = stepBox(d.step);
    box.text.push(d.text);
    box.thought.textContent = box.text.join('');
  });
  on('code', (d) => {
    // The code streamed in as part of the model's text; once it is parsed, show it as code only.
    const box = stepBox(d.step);
    const text = box.text.join('');
    const at = text.search(/<code>|```/);
    if (at >= 0) box.thought.textContent = text.slice(0, at).trim();
    box.section.append(el('pre', 'code', d.code));
  });
  on('tool_call', (d) => {
    if (d.name !== 'final_answer') stepBox(d.step).section.append(el('div', 'tool-call', `→ ${d.name}(${fmt(d.arguments)})`));
  });
  on('observation', (d) => {
    if (d.name === 'final_answer') return;
    stepBox(d.step).section.append(el('div', d.isError ? 'observation error' : 'observation', `← ${d.observation}`));
  });
  on('code_output', (d) => {
    if (d.logs) stepBox(d.step).section.append(el('div', 'logs', d.logs));
  });
  on('step', (d) => {
    const box = stepBox(d.stepNumber);
    if (d.error) box.section.append(el('div', 'step-error', `✗ ${d.error}`));
    box.section.append(el('div', 'meta', `${Math.round(d.durationMs ?? 0)} ms · ${usageText(d.tokenUsage)}`));
  });
  on('done', (d) => {
    $('answer').textContent = fmt(d.result);
    $('usage').textContent = `${usageText(d.tokenUsage)} · ${d.steps.filter((s) => s.type === 'action').length} steps · ${Math.round(d.durationMs)} ms`;
    resultEl.hidden = false;
    finish('done', 'done');
  });
  on('run_error', (d) => finish(`failed: ${d.error}`, 'failed'));
  es.onerror = () => {
    // A refused request (400, 429) or a dropped connection; EventSource would retry, so close it.
    if (source === es) finish('failed: the server refused or dropped the stream (too many runs?)', 'failed');
  };
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const task = taskInput.value.trim();
  if (task) start(task);
});

stopButton.addEventListener('click', () => {
  if (source) finish('stopped', 'stopped');
});

for (const a of document.querySelectorAll('[data-task]')) {
  a.addEventListener('click', (e) => {
    e.preventDefault();
    taskInput.value = a.dataset.task;
    start(a.dataset.task);
  });
}
