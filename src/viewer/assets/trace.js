// The trace view: pick a trace file and an invocation, then step through its events with the
// function's source (current line highlighted) and the locals as they stand at that event.
'use strict';
const $ = (sel) => document.querySelector(sel);
const state = { traceId: null, invocations: [], invocation: null, fn: null, event: 0 };

async function api(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

function el(tag, props = {}, text) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function loadFiles() {
  const { items } = await api('/api/traces');
  const select = $('#trace-file');
  select.replaceChildren(...items.map((t) => el('option', { value: t.id }, `${t.task}${t.variant ? ` (${t.variant})` : ''} — ${t.invocations} invocations — ${t.id}`)));
  const wanted = new URLSearchParams(location.search).get('id');
  if (wanted && items.some((t) => t.id === wanted)) select.value = wanted;
  if (items.length) await loadTrace(select.value);
}

async function loadTrace(id) {
  const data = await api(`/api/trace?id=${encodeURIComponent(id)}`);
  state.traceId = id;
  state.invocations = data.invocations;
  const h = data.header;
  $('#trace-meta').textContent = `${h.task.id} · Python ${h.python ?? '?'} · ${h.image.id.slice(0, 19)} · ${data.footer ? data.footer.exit_status : 'partial'}`;
  renderList();
  if (state.invocations.length) await selectInvocation(0);
}

function renderList() {
  const filter = $('#f-inv').value.toLowerCase();
  const items = state.invocations.filter((i) => !filter || `${i.qualname} ${i.file} ${i.test ?? ''}`.toLowerCase().includes(filter));
  $('#invocation-list').replaceChildren(...items.map((i) => {
    const li = el('li', { className: state.invocation && state.invocation.n === i.n ? 'selected' : '' });
    li.dataset.n = String(i.n);
    li.append(el('span', {}, `${i.qualname} · ${i.outcome}${i.cut ? ` · cut: ${i.cut}` : ''} · ${i.events} events`), el('span', { className: 't' }, i.test ?? i.file));
    li.addEventListener('click', () => selectInvocation(i.n));
    return li;
  }));
}

async function selectInvocation(n) {
  const data = await api(`/api/invocation?id=${encodeURIComponent(state.traceId)}&n=${n}`);
  state.invocation = { ...data.invocation, n };
  state.fn = data.function;
  state.event = 0;
  const inv = state.invocation;
  $('#inv-meta').textContent = `${inv.file}:${inv.firstlineno} ${inv.qualname} · test ${inv.test ?? '—'} · ${inv.outcome}${inv.return !== undefined ? ` → ${inv.return}` : ''}${inv.exception ? ` ✗ ${inv.exception}` : ''}${inv.cut ? ` · cut (${inv.cut.reason}) after ${inv.cut.after_events} events` : ''}`;
  renderList();
  renderSource();
  renderEvent();
}

function renderSource() {
  const fn = state.fn;
  const lines = fn && fn.source ? fn.source.replace(/\n$/, '').split('\n') : ['(source not available)'];
  const start = fn ? fn.source_line : 1;
  $('#source').replaceChildren(...lines.map((text, k) => {
    const line = el('span', { className: 'ln' });
    line.dataset.line = String(start + k);
    line.append(el('span', { className: 'no' }, String(start + k)), document.createTextNode(text || ' '));
    return line;
  }));
}

/** The locals as they stand at event `index`: every change up to it, the ones changed by it marked. */
function localsAt(index) {
  const values = new Map();
  const events = state.invocation.events;
  for (let k = 0; k <= index; k += 1) for (const [name, value] of Object.entries(events[k].locals)) values.set(name, value);
  return { values, changed: new Set(Object.keys(events[index].locals)) };
}

function renderEvent() {
  const events = state.invocation.events;
  if (!events.length) return;
  const index = state.event;
  const event = events[index];
  $('#position').textContent = `event ${index + 1} / ${events.length}`;
  $('#event-kind').textContent = event.event;
  $('#event-value').textContent = event.value !== undefined ? `value: ${event.value}` : '';
  for (const line of document.querySelectorAll('#source .ln')) line.classList.toggle('current', Number(line.dataset.line) === event.line);
  document.querySelector('#source .ln.current')?.scrollIntoView({ block: 'nearest' });
  const { values, changed } = localsAt(index);
  $('#locals tbody').replaceChildren(...[...values].map(([name, value]) => {
    const row = el('tr', { className: changed.has(name) ? 'changed' : '' });
    row.dataset.name = name;
    row.append(el('td', {}, name), el('td', {}, value));
    return row;
  }));
}

function step(to) {
  if (!state.invocation) return;
  const last = state.invocation.events.length - 1;
  state.event = Math.max(0, Math.min(last, to));
  renderEvent();
}

$('#prev').addEventListener('click', () => step(state.event - 1));
$('#next').addEventListener('click', () => step(state.event + 1));
$('#first').addEventListener('click', () => step(0));
$('#last').addEventListener('click', () => step(Infinity));
$('#f-inv').addEventListener('input', renderList);
$('#trace-file').addEventListener('change', (e) => loadTrace(e.target.value));
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement) return;
  if (e.key === 'ArrowRight') step(state.event + 1);
  else if (e.key === 'ArrowLeft') step(state.event - 1);
  else if (e.key === 'Home') step(0);
  else if (e.key === 'End') step(Infinity);
});
loadFiles().catch((error) => { $('#trace-meta').textContent = String(error); });
