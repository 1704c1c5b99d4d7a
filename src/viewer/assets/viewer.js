// forager viewer: a list of trajectories with filters, and one trajectory as a timeline.
// Plain browser JavaScript, no dependencies; every text from a trajectory goes through
// textContent, never innerHTML.
'use strict';

const ROW_H = 28;
const PAGE = 200;
const OVERSCAN = 10;
const state = { items: [], current: null, rows: new Map(), pending: new Set(), total: 0, selected: -1 };

const $ = (sel) => document.querySelector(sel);
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
async function api(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.json().catch(() => ({}))).error ?? ''}`);
  return res.json();
}
function badge(text, kind) { return el('span', { class: `badge ${kind ?? ''}`, text }); }
function statusKind(t) { return t.partial ? 'warn' : t.failure_kind ? 'bad' : 'ok'; }

// ── list ────────────────────────────────────────────────────────────────────
async function loadList() {
  const data = await api('/api/trajectories');
  state.items = data.items;
  $('#root').textContent = data.root;
  const statuses = [...new Set(data.items.map((t) => t.exit_status ?? 'partial'))].sort();
  const select = $('#f-status');
  select.replaceChildren(el('option', { value: '', text: 'any' }), ...statuses.map((s) => el('option', { value: s, text: s })));
  renderList();
}

function matches(t) {
  const text = $('#f-task').value.trim().toLowerCase();
  const status = $('#f-status').value;
  const kind = $('#f-kind').value;
  const reward = $('#f-reward').value;
  if (text && !(t.task_id ?? '').toLowerCase().includes(text)) return false;
  if (status && (t.exit_status ?? 'partial') !== status) return false;
  if (kind === 'none' && t.failure_kind) return false;
  if (kind && kind !== 'none' && t.failure_kind !== kind) return false;
  if (reward === 'with' && t.reward === null) return false;
  if (reward === 'without' && t.reward !== null) return false;
  if (reward === 'positive' && !(t.reward > 0)) return false;
  if (reward === 'zero' && t.reward !== 0) return false;
  return true;
}

function renderList() {
  const shown = state.items.filter(matches);
  $('#count').textContent = `${shown.length} of ${state.items.length} trajectories`;
  $('#trajectories tbody').replaceChildren(...shown.map((t) => el('tr', { 'data-id': t.id, onclick: () => { location.hash = `#/t/${encodeURIComponent(t.id)}`; } },
    el('td', { class: 'task', text: t.task_id ?? '?' }),
    el('td', {}, badge(t.exit_status ?? 'partial', statusKind(t))),
    el('td', { text: t.failure_kind ?? '' , title: t.error ?? '' }),
    el('td', { class: 'reward', text: t.reward ?? '' }),
    el('td', { text: t.steps ?? '' }),
    el('td', { text: (t.started_at ?? '').replace('T', ' ').slice(0, 19) }),
    el('td', { text: t.agent ?? '' }),
    el('td', { class: 'file', text: t.id }),
  )));
}

// ── one trajectory ─────────────────────────────────────────────────────────
async function openTrajectory(id, step) {
  if (state.current?.id !== id) {
    const data = await api(`/api/trajectory?id=${encodeURIComponent(id)}`);
    state.current = data;
    state.rows = new Map();
    state.pending = new Set();
    state.total = data.total;
    state.selected = -1;
    renderMeta(data);
    const list = $('#step-list');
    list.querySelector('.spacer').style.height = `${data.total * ROW_H}px`;
    list.scrollTop = 0;
    $('#step-detail').replaceChildren(el('p', { class: 'muted', text: data.total ? 'Select a step.' : 'No steps.' }));
  }
  renderRows();
  if (step !== undefined && step < state.total) selectStep(step, true);
  else if (state.total > 0 && state.selected < 0) selectStep(0, false);
}

function renderMeta({ id, header, footer }) {
  const h = header ?? {};
  const items = [
    el('div', {}, el('b', { text: 'task ' }), h.task?.id ?? '?'),
    el('div', {}, el('b', { text: 'status ' }), footer ? badge(footer.exit_status ?? 'unknown', footer.failure_kind ? 'bad' : 'ok') : badge('partial: no footer', 'warn')),
    el('div', {}, el('b', { text: 'reward ' }), footer?.reward ?? '—'),
    el('div', {}, el('b', { text: 'agent ' }), JSON.stringify(h.agent ?? {})),
    el('div', {}, el('b', { text: 'image ' }), `${h.image?.ref ?? ''} ${h.image?.id?.slice(0, 19) ?? ''}`),
    el('div', {}, el('b', { text: 'steps ' }), `${state.total}${typeof footer?.duration_ms === 'number' ? ` in ${(footer.duration_ms / 1000).toFixed(1)} s` : ''}`),
  ];
  if (h.source?.kind === 'import') items.push(el('div', { class: 'wide muted' }, el('b', { text: 'imported ' }), `from ${h.source.format}: ${h.source.path}`));
  if (h.parent) items.push(el('div', {}, el('b', { text: 'forked from ' }), `${h.parent.trajectory_id} after step ${h.parent.step}`));
  if (footer?.error) items.push(el('div', { class: 'wide' }, el('b', { text: 'failure ' }), `${footer.error.kind}: ${footer.error.code}: ${footer.error.message}`));
  if (footer?.evaluation) items.push(el('div', { class: 'wide evaluation' }, el('b', { text: 'evaluation ' }), el('pre', { text: JSON.stringify(footer.evaluation, null, 2) })));
  items.push(el('div', { class: 'wide muted' }, el('a', { href: '#', text: '← all trajectories' }), `  ${id}`));
  $('#meta').replaceChildren(...items);
}

function renderRows() {
  const list = $('#step-list');
  const spacer = list.querySelector('.spacer');
  const first = Math.max(0, Math.floor(list.scrollTop / ROW_H) - OVERSCAN);
  const last = Math.min(state.total, Math.ceil((list.scrollTop + list.clientHeight) / ROW_H) + OVERSCAN);
  const nodes = [];
  for (let i = first; i < last; i += 1) {
    const row = state.rows.get(i);
    if (!row) fetchPage(Math.floor(i / PAGE));
    nodes.push(renderRow(i, row));
  }
  spacer.replaceChildren(...nodes);
}

function renderRow(i, row) {
  const classes = ['row'];
  if (i === state.selected) classes.push('selected');
  if (row && (row.exit_code !== 0 && row.exit_code !== null || row.timed_out || row.failure)) classes.push('bad');
  if (row?.format_error) classes.push('invalid');
  const flags = [];
  if (row?.timed_out) flags.push('timed out');
  if (row?.omitted_bytes) flags.push(`${row.omitted_bytes} B omitted`);
  if (row?.changes) flags.push(`${row.changes} files`);
  if (row?.replay_of !== null && row?.replay_of !== undefined) flags.push('replayed');
  return el('div', { class: classes.join(' '), style: `top:${i * ROW_H}px`, 'data-n': i, onclick: () => selectStep(i, false) },
    el('span', { class: 'i', text: row ? row.index : i }),
    el('span', { class: 's', text: row ? row.summary : '…' }),
    el('span', { class: 'flag', text: flags.join(' · ') }),
    el('span', { class: 'x', text: row ? (row.exit_code ?? (row.format_error ? '' : '–')) : '' }));
}

async function fetchPage(page) {
  if (state.pending.has(page) || !state.current) return;
  state.pending.add(page);
  const id = state.current.id;
  const data = await api(`/api/steps?id=${encodeURIComponent(id)}&offset=${page * PAGE}&limit=${PAGE}`);
  if (state.current?.id !== id) return;
  data.rows.forEach((row, k) => state.rows.set(page * PAGE + k, row));
  renderRows();
}

async function selectStep(n, scroll) {
  state.selected = n;
  const list = $('#step-list');
  if (scroll) list.scrollTop = Math.max(0, n * ROW_H - list.clientHeight / 2);
  renderRows();
  const id = state.current.id;
  history.replaceState(null, '', `#/t/${encodeURIComponent(id)}/${n}`);
  const step = await api(`/api/step?id=${encodeURIComponent(id)}&n=${n}`);
  if (state.current?.id === id && state.selected === n) renderStep(step);
}

// ── a step ──────────────────────────────────────────────────────────────────
function renderStep(step) {
  const out = [el('h2', { text: `step ${step.index}${step.replay_of !== undefined ? ` (replays step ${step.replay_of} of the parent)` : ''}` })];
  if (step.model) {
    out.push(el('h3', { text: 'model' }), el('pre', { class: 'model', text: step.model.raw_text || '(empty)' }));
    if (step.model.reasoning) out.push(el('h3', { text: 'reasoning' }), el('pre', { text: step.model.reasoning }));
    if (step.model.format_error) out.push(el('h3', { text: 'format error' }), el('pre', { class: 'stderr', text: step.model.format_error }));
  }
  out.push(el('h3', { text: 'action' }), el('pre', { class: 'action', text: describeAction(step.action) }));
  const obs = step.observation;
  if (obs) {
    out.push(el('h3', { text: 'result' }), el('div', { class: 'kv result' },
      el('span', { class: 'exit' }, 'exit code ', el('b', { text: obs.exit_code ?? `signal ${obs.signal ?? '?'}` })),
      typeof obs.duration_ms === 'number' ? el('span', { text: `${obs.duration_ms.toFixed(1)} ms` }) : null,
      obs.timed_out ? badge('timed out', 'bad') : null,
      obs.session_restarted ? badge('session restarted', 'warn') : null));
    // An imported step may know its exit code and nothing of its streams: show none rather than "empty".
    if (obs.stdout || obs.stderr) out.push(...renderStream('stdout', obs.stdout), ...renderStream('stderr', obs.stderr));
  }
  if (step.state) {
    out.push(el('h3', { text: 'state' }), el('div', { class: 'kv' }, el('span', {}, 'cwd ', el('code', { text: step.state.cwd }))));
    if (step.state.changes.length) {
      out.push(el('ul', { class: 'changes' }, ...step.state.changes.map((c) => el('li', { text: `${c.change === 'added' ? '+' : c.change === 'deleted' ? '−' : '~'} ${c.path}${c.size !== undefined ? ` (${c.size} B)` : ''}` }))));
      if (step.state.changes_truncated) out.push(el('p', { class: 'omitted', text: 'more files changed than were listed' }));
    } else out.push(el('p', { class: 'muted', text: 'no files changed' }));
  }
  if (step.failure) out.push(el('h3', { text: 'failure' }), el('pre', { class: 'stderr', text: `${step.failure.kind}: ${step.failure.code}: ${step.failure.message}` }));
  out.push(el('h3', { text: 'shown to the agent' }), el('pre', { class: 'shown', text: step.shown || '(nothing)' }));
  $('#step-detail').replaceChildren(...out);
  $('#step-detail').scrollTop = 0;
}

function renderStream(name, cap) {
  if (!cap || cap.bytes === 0) return [el('h3', { text: name }), el('p', { class: 'muted', text: 'empty' })];
  const parts = [el('h3', { text: `${name} · ${cap.bytes} bytes${cap.encoding === 'base64' ? ' · binary' : ''}` })];
  const pre = el('pre', { class: name });
  pre.append(preview(cap.text, cap.encoding));
  if (cap.omitted_bytes > 0 || cap.tail !== undefined) {
    pre.append(el('span', { class: 'omitted', text: `[… ${cap.omitted_bytes} bytes omitted …]` }));
    pre.append(preview(cap.tail ?? '', cap.encoding));
  }
  parts.push(pre);
  return parts;
}

/** Text as it is; base64 bytes as an escaped preview (printable ASCII kept, the rest \xNN). */
function preview(text, encoding) {
  if (encoding !== 'base64') return document.createTextNode(text);
  const raw = atob(text);
  let out = '';
  const max = Math.min(raw.length, 4096);
  for (let i = 0; i < max; i += 1) {
    const c = raw.charCodeAt(i);
    out += c === 10 ? '\n' : c >= 32 && c < 127 ? raw[i] : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  if (raw.length > max) out += `… (${raw.length - max} more bytes)`;
  return document.createTextNode(out);
}

function describeAction(a) {
  if (!a) return '(no valid action: format error)';
  switch (a.tool) {
    case 'bash': return `$ ${a.command}${a.timeout_s ? `   (timeout ${a.timeout_s} s)` : ''}`;
    case 'view': return `view ${a.path}${a.start_line ? `:${a.start_line}-${a.end_line ?? ''}` : ''}`;
    case 'create': return `create ${a.path}\n${a.content}`;
    case 'edit': return `edit ${a.path}\n<<<<<<< SEARCH\n${a.search}\n=======\n${a.replace}\n>>>>>>> REPLACE`;
    case 'submit': return `submit ${a.result ?? ''}`;
    default: return JSON.stringify(a);
  }
}

// ── routing ───────────────────────────────────────────────────────────────
async function route() {
  const match = /^#\/t\/([^/]+)(?:\/(\d+))?$/.exec(location.hash);
  $('#list-view').hidden = Boolean(match);
  $('#trajectory-view').hidden = !match;
  try {
    if (match) await openTrajectory(decodeURIComponent(match[1]), match[2] === undefined ? undefined : Number(match[2]));
    else {
      state.current = null;
      await loadList();
      if (state.items.length === 1 && !sessionStorage.getItem('forager-listed')) {
        sessionStorage.setItem('forager-listed', '1');
        location.hash = `#/t/${encodeURIComponent(state.items[0].id)}`;
      }
    }
  } catch (error) {
    document.body.append(el('p', { class: 'badge bad', text: String(error) }));
  }
}

$('#step-list').addEventListener('scroll', () => requestAnimationFrame(renderRows), { passive: true });
$('#step-list').addEventListener('keydown', (event) => {
  if (!state.current) return;
  const delta = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: 20, PageUp: -20 }[event.key];
  if (delta === undefined) return;
  event.preventDefault();
  selectStep(Math.min(state.total - 1, Math.max(0, state.selected + delta)), true);
});
for (const id of ['#f-task', '#f-status', '#f-kind', '#f-reward']) $(id).addEventListener('input', renderList);
window.addEventListener('hashchange', route);
window.addEventListener('resize', () => state.current && renderRows());
route();
