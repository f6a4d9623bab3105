// Pangaea's Web UI. Everything comes from the master that served this page: the operator API's SUBSCRIBE stream
// (the state once, then each change as it happens) and /metrics/snapshot, read every 2 s for the resource figures.
// Nothing polls the whole state; no request goes anywhere else.
'use strict';

const model = {
  master: null,          // GET_MASTER
  agents: new Map(),     // agent id -> v1 Agent
  frameworks: new Map(), // framework id -> v1 Framework (active and completed)
  tasks: new Map(),      // task id -> v1 Task
  executors: [],         // v1 executors as SUBSCRIBED gave them
  launched: 0,           // TASK_ADDED events seen, for the launch rate
  metrics: {},           // the last /metrics/snapshot
  history: [],           // [{t, cpusUsed, running, finished}] for the charts, the last 5 minutes
  connected: false,
};

const $ = (sel) => document.querySelector(sel);

// A master that asks for credentials (authenticate_http_readonly / _readwrite): the page asks for them once, keeps
// them for this tab only (sessionStorage), and sends them with every call. Calls go without the browser's own
// credentials, so it never shows its built-in prompt.
const login = {
  header: sessionStorage.getItem('pangaea.authorization'),
  user: sessionStorage.getItem('pangaea.user'),
  asked: null,      // the realm a 401 named while nobody is signed in, or null
  refused: false,   // the last credentials given were wrong
};

function signIn(user, password) {
  const bytes = new TextEncoder().encode(user + ':' + password);
  login.header = 'Basic ' + btoa(String.fromCharCode(...bytes));
  login.user = user;
  login.asked = null;
  sessionStorage.setItem('pangaea.authorization', login.header);
  sessionStorage.setItem('pangaea.user', user);
  restartStream();
  call({ type: 'GET_MASTER' }).then((r) => { model.master = r.get_master; }).catch(() => {});
  scheduleRender();
}

function signOut() {
  login.header = null;
  login.user = null;
  sessionStorage.removeItem('pangaea.authorization');
  sessionStorage.removeItem('pangaea.user');
  restartStream();
  scheduleRender();
}

// every data call names the leader: a master that does not lead passes it on, so the page stays on its origin
async function api(url, options = {}) {
  const headers = Object.assign({ 'Pangaea-Forward': 'leader' }, options.headers || {});
  if (login.header) headers.Authorization = login.header;
  const res = await fetch(url, Object.assign({}, options, { headers, credentials: 'omit' }));
  if (res.status === 401) {
    const realm = /realm="([^"]*)"/.exec(res.headers.get('WWW-Authenticate') || '');
    login.refused = !!login.header;
    login.asked = realm ? realm[1] : 'this master';
    scheduleRender();
  } else if (res.ok && login.asked && login.header) {
    login.asked = null;
    login.refused = false;
  }
  return res;
}

function loginPage() {
  return `<h1>Sign in</h1>
    <p class="note">This master asks for credentials (realm <span class="mono">${esc(login.asked)}</span>), as its
    <span class="mono">credentials</span> file or JAAS realm lists them.</p>
    ${login.refused ? '<p class="error" id="login-refused">Those credentials were refused.</p>' : ''}
    <form id="login-form" class="login">
      <label>Principal <input id="login-user" autocomplete="username" required></label>
      <label>Secret <input id="login-password" type="password" autocomplete="current-password"></label>
      <button type="submit" id="login-submit">Sign in</button>
    </form>`;
}
const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmt = (n, d = 1) => (n == null || isNaN(n) ? '-' : Number(n).toFixed(d).replace(/\.0+$/, ''));
// a quantity of mem or disk, given in MB as Mesos gives it
const mb = (n) => (n == null || isNaN(n) ? '-' : n >= 1024 * 1024 ? fmt(n / 1024 / 1024) + ' TB'
  : n >= 1024 ? fmt(n / 1024) + ' GB' : fmt(n, 0) + ' MB');

function scalar(resources, name) {
  let sum = 0;
  for (const r of resources || []) {
    if (r.name === name && r.scalar) sum += r.scalar.value;
  }
  return sum;
}

async function call(body) {
  const res = await api('/api/v1', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(body.type + ' answered ' + res.status);
  return res.json();
}

// ---- the event stream ---------------------------------------------------------------------------------------

function apply(event) {
  switch (event.type) {
    case 'SUBSCRIBED': {
      const s = event.subscribed.get_state || {};
      model.agents.clear(); model.frameworks.clear(); model.tasks.clear();
      for (const a of (s.get_agents || {}).agents || []) model.agents.set(a.agent_info.id.value, a);
      const fws = s.get_frameworks || {};
      for (const f of fws.frameworks || []) model.frameworks.set(f.framework_info.id.value, f);
      for (const f of fws.completed_frameworks || []) model.frameworks.set(f.framework_info.id.value, Object.assign({ completed: true }, f));
      const ts = s.get_tasks || {};
      for (const list of [ts.tasks, ts.completed_tasks, ts.unreachable_tasks, ts.orphan_tasks]) {
        for (const t of list || []) model.tasks.set(t.task_id.value, t);
      }
      model.executors = (s.get_executors || {}).executors || [];
      if (window.pangaeaFirstState == null) window.pangaeaFirstState = performance.now();
      break;
    }
    case 'TASK_ADDED': {
      const t = event.task_added.task;
      model.tasks.set(t.task_id.value, t);
      model.launched++;
      break;
    }
    case 'TASK_UPDATED': {
      const u = event.task_updated;
      const t = model.tasks.get(u.status.task_id.value);
      if (t) {
        t.state = u.state;
        t.statuses = (t.statuses || []).concat([u.status]);
      }
      break;
    }
    case 'AGENT_ADDED': {
      const a = event.agent_added.agent;
      model.agents.set(a.agent_info.id.value, a);
      break;
    }
    case 'AGENT_REMOVED':
      model.agents.delete(event.agent_removed.agent_id.value);
      break;
    case 'FRAMEWORK_ADDED':
    case 'FRAMEWORK_UPDATED': {
      const f = (event.framework_added || event.framework_updated).framework;
      model.frameworks.set(f.framework_info.id.value, f);
      break;
    }
    case 'FRAMEWORK_REMOVED': {
      const info = event.framework_removed.framework_info;
      const f = model.frameworks.get(info.id.value);
      if (f) f.completed = true;
      break;
    }
    default:
      return; // HEARTBEAT
  }
  scheduleRender();
}

// the open event stream's reader, cancelled to subscribe again with other credentials
let streamReader = null;

function restartStream() {
  if (streamReader) streamReader.cancel().catch(() => {});
}

async function subscribe() {
  for (;;) {
    try {
      // where the first state's time goes (read by the scale benchmark): asked, answered, first bytes, whole, parsed
      const timing = window.pangaeaStateTimings ? null : { requested: performance.now() };
      const res = await api('/api/v1', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify({ type: 'SUBSCRIBE' }),
      });
      if (timing) timing.answered = performance.now();
      if (!res.ok || !res.body) throw new Error('SUBSCRIBE answered ' + res.status);
      setConnection(true);
      const reader = res.body.getReader();
      streamReader = reader;
      const decoder = new TextDecoder();
      const queue = new ByteQueue();
      let length = -1; // of the record being read, once its header is in
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        queue.push(value);
        if (timing && timing.firstBytes == null) timing.firstBytes = performance.now();
        // RecordIO: "<length>\n<record>" again and again
        for (;;) {
          if (length < 0) {
            const nl = queue.indexOf(10, 24);
            if (nl < 0) {
              if (queue.size >= 24) throw new Error('not RecordIO: no record length in the stream');
              break;
            }
            length = parseInt(decoder.decode(queue.take(nl + 1)), 10);
          }
          if (queue.size < length) break;
          const record = decoder.decode(queue.take(length));
          length = -1;
          if (timing && timing.received == null) timing.received = performance.now();
          const event = JSON.parse(record);
          if (timing && timing.parsed == null) {
            timing.parsed = performance.now();
            timing.chars = record.length;
            window.pangaeaStateTimings = timing;
          }
          apply(event);
        }
      }
    } catch (e) {
      console.warn('event stream', e);
    }
    setConnection(false);
    await new Promise((r) => setTimeout(r, login.asked ? 250 : 1000));
  }
}

/**
 * The stream's bytes not read yet, kept as the chunks they came in: each byte is copied once, when its record is
 * taken whole (the state of a big cluster is one record of tens of megabytes, in thousands of chunks).
 */
class ByteQueue {
  constructor() { this.chunks = []; this.size = 0; }

  push(chunk) { this.chunks.push(chunk); this.size += chunk.length; }

  /** Where the first {@code byte} is among the first {@code limit} bytes, or -1. */
  indexOf(byte, limit) {
    let offset = 0;
    for (const c of this.chunks) {
      const i = c.subarray(0, limit - offset).indexOf(byte);
      if (i >= 0) return offset + i;
      offset += c.length;
      if (offset >= limit) break;
    }
    return -1;
  }

  /** The first {@code n} bytes, taken off the queue. */
  take(n) {
    const first = this.chunks[0];
    let out;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
    } else {
      out = new Uint8Array(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - at);
        out.set(c.subarray(0, k), at);
        at += k;
        if (k === c.length) this.chunks.shift(); else this.chunks[0] = c.subarray(k);
      }
    }
    this.size -= n;
    return out;
  }
}

function setConnection(live) {
  model.connected = live;
  const el = $('#connection');
  el.textContent = live ? 'live' : 'reconnecting…';
  el.className = 'connection ' + (live ? 'live' : 'down');
}

async function pollMetrics() {
  for (;;) {
    try {
      const res = await api('/metrics/snapshot');
      if (res.ok) {
        model.metrics = await res.json();
        const m = model.metrics;
        model.history.push({ t: Date.now(), cpusUsed: m['master/cpus_used'] || 0,
          running: m['master/tasks_running'] || 0, finished: m['master/tasks_finished'] || 0,
          launched: model.launched });
        const cutoff = Date.now() - 5 * 60 * 1000;
        while (model.history.length && model.history[0].t < cutoff) model.history.shift();
        scheduleRender();
      }
    } catch (e) {
      console.warn('metrics', e);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

// ---- rendering ----------------------------------------------------------------------------------------------

let renderPending = false;
function scheduleRender() {
  if (!renderPending) {
    renderPending = true;
    requestAnimationFrame(() => { renderPending = false; render(); });
  }
}

function card(label, value, sub, id) {
  return `<div class="card"${id ? ` id="${id}"` : ''}><div class="label">${esc(label)}</div>`
    + `<div class="value">${esc(value)}</div>${sub ? `<div class="sub">${sub}</div>` : ''}</div>`;
}

function spark(values) {
  if (values.length < 2) return '<svg class="spark"></svg>';
  const max = Math.max(1, ...values);
  const pts = values.map((v, i) => `${(i / (values.length - 1)) * 100},${40 - (v / max) * 38}`).join(' ');
  return `<svg class="spark" viewBox="0 0 100 40" preserveAspectRatio="none"><polyline points="${pts}"/></svg>`;
}

function overview() {
  const agents = [...model.agents.values()];
  const active = agents.filter((a) => a.active).length;
  const deactivated = agents.filter((a) => a.deactivated).length;
  const draining = agents.filter((a) => a.drain_info).length;
  const unreachable = model.metrics['master/slaves_unreachable'] || 0;
  const byState = {};
  for (const t of model.tasks.values()) byState[t.state] = (byState[t.state] || 0) + 1;
  const m = model.metrics;
  const res = ['cpus', 'mem', 'disk'].map((r) => {
    const total = m[`master/${r}_total`] || 0;
    const used = m[`master/${r}_used`] || 0;
    let offered = 0;
    for (const a of agents) offered += scalar(a.offered_resources, r);
    const idle = Math.max(0, total - used - offered);
    const pct = (x) => (total > 0 ? (100 * x / total) : 0);
    const q = r === 'cpus' ? fmt : mb;
    return `<div class="card" id="resource-${r}"><div class="label">${r}</div>`
      + `<div class="value">${q(used)} / ${q(total)}</div>`
      + `<div class="sub">allocated ${q(used)}, offered ${q(offered)}, idle ${q(idle)}</div>`
      + `<div class="bar"><span class="used" style="width:${pct(used)}%"></span>`
      + `<span class="offered" style="width:${pct(offered)}%"></span></div></div>`;
  }).join('');
  const master = model.master || {};
  const info = master.master_info || {};
  const uptime = master.start_time ? Math.round(Date.now() / 1000 - master.start_time) : null;
  const rates = [];
  const launches = [];
  for (let i = 1; i < model.history.length; i++) {
    const a = model.history[i - 1], b = model.history[i];
    rates.push(Math.max(0, (b.finished - a.finished) / ((b.t - a.t) / 1000)));
    launches.push(Math.max(0, (b.launched - a.launched) / ((b.t - a.t) / 1000)));
  }
  return `<h1>Overview</h1>
    <div class="cards">
      ${card('Leader', info.hostname ? `${info.hostname}:${info.port}` : '-', `version ${esc(info.version || '-')}`, 'leader')}
      ${card('Uptime', uptime == null ? '-' : `${Math.floor(uptime / 3600)}h ${Math.floor(uptime / 60) % 60}m ${uptime % 60}s`, '')}
      ${card('Agents', active, `active; ${deactivated} deactivated, ${draining} draining, ${unreachable} unreachable`, 'agents-active')}
      ${card('Frameworks', [...model.frameworks.values()].filter((f) => !f.completed).length, 'registered', 'frameworks-count')}
      ${card('Tasks running', byState.TASK_RUNNING || 0, Object.entries(byState).map(([s, n]) => `${esc(s.replace('TASK_', '').toLowerCase())} ${n}`).join(', '), 'tasks-running')}
    </div>
    <h2>Resources</h2>
    <div class="cards">${res}</div>
    <h2>The last minutes</h2>
    <div class="cards">
      <div class="card"><div class="label">CPUs allocated</div>${spark(model.history.map((h) => h.cpusUsed))}</div>
      <div class="card"><div class="label">Tasks running</div>${spark(model.history.map((h) => h.running))}</div>
      <div class="card"><div class="label">Tasks launched per second</div>${spark(launches)}</div>
      <div class="card"><div class="label">Tasks finishing per second</div>${spark(rates)}</div>
    </div>`;
}

function frameworks() {
  if (detailId()) return frameworkDetail(detailId());
  const rows = [...model.frameworks.values()].map((f) => {
    const i = f.framework_info;
    const id = i.id.value;
    let running = 0;
    for (const t of model.tasks.values()) if (t.framework_id.value === id && t.state === 'TASK_RUNNING') running++;
    return `<tr><td class="mono"><a href="#/frameworks/${encodeURIComponent(id)}">${esc(id)}</a></td><td>${esc(i.name)}</td><td>${esc((i.roles || [i.role || '*']).join(', '))}</td>`
      + `<td>${f.completed ? 'completed' : f.active ? 'active' : 'inactive'}</td><td>${running}</td>`
      + `<td>${fmt(scalar(f.allocated_resources, 'cpus'))}</td><td>${fmt(scalar(f.allocated_resources, 'mem'), 0)}</td>`
      + `<td>${esc((i.capabilities || []).map((c) => c.type).join(', '))}</td></tr>`;
  }).join('');
  return `<h1>Frameworks</h1><table id="frameworks"><thead><tr><th>ID</th><th>Name</th><th>Roles</th><th>State</th>`
    + `<th>Running tasks</th><th>CPUs</th><th>Mem</th><th>Capabilities</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function detailId() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  return parts.length > 1 ? decodeURIComponent(parts.slice(1).join('/')) : null;
}

function resourceCells(list) {
  return ['cpus', 'mem', 'disk'].map((r) => (r === 'cpus' ? fmt(scalar(list, r)) : mb(scalar(list, r)))).join(', ');
}

function taskRows(tasks) {
  return tasks.slice(0, TASK_ROWS).map((t) => `<tr data-task="${esc(t.task_id.value)}">`
    + `<td class="mono"><a href="#/sandbox/${encodeURIComponent(t.task_id.value)}">${esc(t.task_id.value)}</a></td>`
    + `<td>${esc(t.name)}</td><td class="state state-${esc(t.state)}">${esc(t.state)}</td>`
    + `<td>${fmt(scalar(t.resources, 'cpus'))}</td><td>${mb(scalar(t.resources, 'mem'))}</td></tr>`).join('');
}

const TASK_HEAD = '<thead><tr><th>ID</th><th>Name</th><th>State</th><th>CPUs</th><th>Mem</th></tr></thead>';

function frameworkDetail(id) {
  const f = model.frameworks.get(id);
  if (!f) return `<h1>Framework</h1><p class="note">Framework ${esc(id)} is not known.</p>`;
  const i = f.framework_info;
  const tasks = [...model.tasks.values()].filter((t) => t.framework_id.value === id);
  load('frameworkOffers', () => api('/master/frameworks').then((r) => r.json()).then((j) => j.frameworks || []));
  const legacy = ((loaded.frameworkOffers || {}).data || []).find((x) => x.id === id);
  const offers = legacy ? legacy.offers || [] : [];
  return `<h1>Framework ${esc(i.name)}</h1>
    <div class="cards" id="framework-detail">
      ${card('ID', id, '')}
      ${card('State', f.completed ? 'completed' : f.active ? 'active' : 'inactive', f.connected ? 'connected' : 'disconnected')}
      ${card('Roles', (i.roles || [i.role || '*']).join(', '), `user ${esc(i.user)}${i.principal ? ', principal ' + esc(i.principal) : ''}`)}
      ${card('Failover timeout', i.failover_timeout == null ? '0 s' : `${fmt(i.failover_timeout)} s`, i.checkpoint ? 'checkpointing' : 'not checkpointing')}
      ${card('Capabilities', (i.capabilities || []).length, esc((i.capabilities || []).map((c) => c.type).join(', ')))}
      ${card('Allocated', resourceCells(f.allocated_resources), 'offered ' + resourceCells(f.offered_resources))}
    </div>
    <h2>Tasks (${tasks.length})</h2><table id="framework-tasks">${TASK_HEAD}<tbody>${taskRows(tasks)}</tbody></table>
    <h2>Outstanding offers (${offers.length})</h2><table><thead><tr><th>ID</th><th>Agent</th><th>CPUs</th><th>Mem</th></tr></thead><tbody>
    ${offers.map((o) => `<tr><td class="mono">${esc(o.id)}</td><td class="mono">${esc(o.slave_id)}</td><td>${fmt(o.resources && o.resources.cpus)}</td><td>${mb(o.resources && o.resources.mem)}</td></tr>`).join('')}</tbody></table>`;
}

function agentDetail(id) {
  const a = model.agents.get(id);
  if (!a) return `<h1>Agent</h1><p class="note">Agent ${esc(id)} is not known.</p>`;
  const i = a.agent_info;
  const attr = (name) => ((i.attributes || []).find((x) => x.name === name) || {}).text;
  const others = (i.attributes || []).filter((x) => x.name !== 'containerizers' && x.name !== 'isolators')
    .map((x) => `${x.name}:${x.text ? x.text.value : x.scalar ? x.scalar.value : ''}`);
  const tasks = [...model.tasks.values()].filter((t) => t.agent_id && t.agent_id.value === id);
  const executors = model.executors.filter((e) => e.agent_id && e.agent_id.value === id);
  const free = ['cpus', 'mem', 'disk'].map((r) => {
    const left = scalar(a.total_resources, r) - scalar(a.allocated_resources, r);
    return r === 'cpus' ? fmt(left) : mb(left);
  }).join(', ');
  return `<h1>Agent ${esc(i.hostname)}</h1>
    <div class="cards" id="agent-detail">
      ${card('ID', id, esc(a.pid || ''))}
      ${card('State', a.drain_info ? a.drain_info.state.toLowerCase() : a.deactivated ? 'deactivated' : a.active ? 'active' : 'inactive', a.version ? 'version ' + esc(a.version) : '')}
      ${card('Total', resourceCells(a.total_resources), '')}
      ${card('Allocated', resourceCells(a.allocated_resources), 'free ' + free)}
      ${card('Containerizers', attr('containerizers') ? attr('containerizers').value : '-', 'isolators ' + esc(attr('isolators') ? attr('isolators').value : '-'))}
      ${card('Attributes', others.length, esc(others.join('; ')))}
    </div>
    <h2>Tasks (${tasks.length})</h2><table id="agent-tasks">${TASK_HEAD}<tbody>${taskRows(tasks)}</tbody></table>
    <h2>Executors (${executors.length}, as of the page's start)</h2><table><thead><tr><th>ID</th><th>Framework</th></tr></thead><tbody>
    ${executors.map((e) => `<tr><td class="mono">${esc(e.executor_info.executor_id.value)}</td><td class="mono">${esc(e.executor_info.framework_id ? e.executor_info.framework_id.value : '')}</td></tr>`).join('')}</tbody></table>`;
}

const agentPaging = { page: 0 };
const AGENT_ROWS = 500;

function agentsPage() {
  if (detailId()) return agentDetail(detailId());
  const all = [...model.agents.values()];
  const pages = Math.max(1, Math.ceil(all.length / AGENT_ROWS));
  agentPaging.page = Math.min(agentPaging.page, pages - 1);
  const from = agentPaging.page * AGENT_ROWS;
  const pager = pages <= 1 ? '' : `<div class="toolbar"><span class="note">${all.length} agents, ${from + 1}–${Math.min(all.length, from + AGENT_ROWS)} shown</span>
    <button id="agent-prev"${agentPaging.page === 0 ? ' disabled' : ''}>previous</button><span class="note">page ${agentPaging.page + 1} of ${pages}</span>
    <button id="agent-next"${agentPaging.page >= pages - 1 ? ' disabled' : ''}>next</button></div>`;
  const rows = all.slice(from, from + AGENT_ROWS).map((a) => {
    const i = a.agent_info;
    const attrs = (i.attributes || []).map((x) => `${x.name}:${x.text ? x.text.value : x.scalar ? x.scalar.value : ''}`);
    return `<tr><td class="mono"><a href="#/agents/${encodeURIComponent(i.id.value)}">${esc(i.id.value)}</a></td><td>${esc(i.hostname)}</td>`
      + `<td>${a.active ? 'active' : 'inactive'}${a.deactivated ? ', deactivated' : ''}${a.drain_info ? ', ' + esc(a.drain_info.state) : ''}</td>`
      + `<td>${fmt(scalar(a.total_resources, 'cpus'))}</td><td>${fmt(scalar(a.allocated_resources, 'cpus'))}</td>`
      + `<td>${fmt(scalar(a.total_resources, 'mem'), 0)}</td><td>${fmt(scalar(a.allocated_resources, 'mem'), 0)}</td>`
      + `<td>${esc(attrs.join('; '))}</td></tr>`;
  }).join('');
  return `<h1>Agents</h1>${pager}<table id="agents"><thead><tr><th>ID</th><th>Host</th><th>State</th><th>CPUs</th>`
    + `<th>CPUs allocated</th><th>Mem</th><th>Mem allocated</th><th>Attributes</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const taskFilter = { text: '', state: '', page: 0 };
const TASK_ROWS = 500;

function tasksPage() {
  const text = taskFilter.text.toLowerCase();
  const all = [...model.tasks.values()].filter((t) => (!taskFilter.state || t.state === taskFilter.state)
    && (!text || [t.task_id.value, t.name, t.framework_id.value, t.agent_id && t.agent_id.value]
      .some((v) => v && v.toLowerCase().includes(text))));
  const states = [...new Set([...model.tasks.values()].map((t) => t.state))].sort();
  const pages = Math.max(1, Math.ceil(all.length / TASK_ROWS));
  taskFilter.page = Math.min(taskFilter.page, pages - 1);
  const from = taskFilter.page * TASK_ROWS;
  const rows = all.slice(from, from + TASK_ROWS).map((t) => `<tr data-task="${esc(t.task_id.value)}">`
    + `<td class="mono"><a class="sandbox-link" href="#/sandbox/${encodeURIComponent(t.task_id.value)}" title="sandbox">${esc(t.task_id.value)}</a></td><td>${esc(t.name)}</td>`
    + `<td class="state state-${esc(t.state)}">${esc(t.state)}</td><td class="mono">${esc(t.framework_id.value)}</td>`
    + `<td class="mono">${esc(t.agent_id ? t.agent_id.value : '')}</td>`
    + `<td>${fmt(scalar(t.resources, 'cpus'))}</td><td>${fmt(scalar(t.resources, 'mem'), 0)}</td></tr>`).join('');
  return `<h1>Tasks</h1><div class="toolbar">
      <input id="task-search" placeholder="search id, name, framework, agent" value="${esc(taskFilter.text)}">
      <select id="task-state"><option value="">any state</option>${states.map((s) => `<option${s === taskFilter.state ? ' selected' : ''}>${esc(s)}</option>`).join('')}</select>
      <span class="note" id="task-count">${all.length} of ${model.tasks.size} tasks${pages > 1 ? `, ${from + 1}–${Math.min(all.length, from + TASK_ROWS)} shown` : ''}</span>
      ${pages > 1 ? `<button id="task-prev"${taskFilter.page === 0 ? ' disabled' : ''}>previous</button><span class="note">page ${taskFilter.page + 1} of ${pages}</span><button id="task-next"${taskFilter.page >= pages - 1 ? ' disabled' : ''}>next</button>` : ''}</div>
    <table id="tasks"><thead><tr><th>ID</th><th>Name</th><th>State</th><th>Framework</th><th>Agent</th><th>CPUs</th><th>Mem</th></tr></thead>
    <tbody>${rows}</tbody></table>`;
}

function metricsPage() {
  const q = (metricsFilter || '').toLowerCase();
  const rows = Object.keys(model.metrics).sort().filter((k) => !q || k.toLowerCase().includes(q))
    .map((k) => `<tr><td class="mono">${esc(k)}</td><td>${esc(model.metrics[k])}</td></tr>`).join('');
  return `<h1>Metrics</h1><div class="toolbar"><input id="metrics-search" placeholder="search" value="${esc(metricsFilter)}"></div>
    <table id="metrics"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table>`;
}
let metricsFilter = '';

// ---- a task's sandbox, read through the master (/agents/<id>/files/...), with a live tail ----------------------

const sandbox = { key: null, agent: null, dir: null, file: null, offset: 0, timer: null };
const TAIL_CHUNK = 65536;

function filesUrl(op, params) {
  const q = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `/agents/${encodeURIComponent(sandbox.agent)}/files/${op}?${q}`;
}

async function browse(dir) {
  sandbox.dir = dir;
  stopTail();
  const list = $('#sandbox-files');
  const res = await api(filesUrl('browse', { path: dir }));
  if (!res.ok) {
    list.innerHTML = `<tr><td colspan="3">${esc(await res.text())}</td></tr>`;
    return;
  }
  const entries = await res.json();
  $('#sandbox-dir').textContent = dir;
  list.innerHTML = entries.map((e) => {
    const name = e.path.split('/').pop();
    const isDir = e.mode && e.mode.startsWith('d');
    return `<tr data-file="${esc(name)}"><td class="mono"><a href="javascript:void 0" data-path="${esc(e.path)}" data-dir="${isDir}">${esc(name)}${isDir ? '/' : ''}</a></td>`
      + `<td>${esc(e.size)}</td><td>${isDir ? '' : `<a href="${filesUrl('download', { path: e.path, forward: 'leader' })}" data-download="${esc(e.path)}">download</a>`}</td></tr>`;
  }).join('');
  list.querySelectorAll('a[data-path]').forEach((a) => {
    a.onclick = () => (a.dataset.dir === 'true' ? browse(a.dataset.path) : view(a.dataset.path));
  });
  // signed in, a download carries the credentials too: fetched, then saved from memory
  list.querySelectorAll('a[data-download]').forEach((a) => {
    a.onclick = async (event) => {
      if (!login.header) return;
      event.preventDefault();
      const res = await api(a.getAttribute('href'));
      if (!res.ok) return;
      const link = document.createElement('a');
      link.href = URL.createObjectURL(await res.blob());
      link.download = a.dataset.download.split('/').pop();
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    };
  });
}

function stopTail() {
  if (sandbox.timer) clearTimeout(sandbox.timer);
  sandbox.timer = null;
}

async function view(path) {
  stopTail();
  sandbox.file = path;
  const pre = $('#file-view');
  pre.textContent = '';
  $('#file-name').textContent = path.split('/').pop();
  const size = await api(filesUrl('read', { path })).then((r) => r.json()).then((j) => j.offset).catch(() => 0);
  sandbox.offset = Math.max(0, size - TAIL_CHUNK);
  tail(path);
}

// reads what the file gained since the last read, every second, while the file is shown
async function tail(path) {
  if (sandbox.file !== path || !$('#file-view')) return;
  try {
    const res = await api(filesUrl('read', { path, offset: sandbox.offset, length: TAIL_CHUNK }));
    if (res.ok) {
      const chunk = await res.json();
      if (chunk.data) {
        const pre = $('#file-view');
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.textContent += chunk.data;
        sandbox.offset += new TextEncoder().encode(chunk.data).length;
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      }
    }
  } catch (e) {
    console.warn('tail', e);
  }
  sandbox.timer = setTimeout(() => tail(path), 1000);
}

function sandboxPage(taskId) {
  const t = model.tasks.get(taskId);
  if (!t) return `<h1>Sandbox</h1><p class="note">Task ${esc(taskId)} is not known (yet).</p>`;
  const executor = t.executor_id ? t.executor_id.value : taskId;
  sandbox.agent = t.agent_id.value;
  const root = `/frameworks/${t.framework_id.value}/executors/${executor}/runs/latest`;
  sandbox.root = root;
  setTimeout(() => browse(root), 0);
  return `<h1>Sandbox of ${esc(taskId)}</h1>
    <p class="note">on agent <span class="mono">${esc(sandbox.agent)}</span>, in <span class="mono" id="sandbox-dir">${esc(root)}</span>
      (<a href="javascript:void 0" id="sandbox-up">top</a>)</p>
    <table><thead><tr><th>Name</th><th>Size</th><th></th></tr></thead><tbody id="sandbox-files"></tbody></table>
    <h2 id="file-name"></h2>
    <pre id="file-view" class="file"></pre>`;
}

// ---- pages whose data is fetched when they are shown (and again every 5 s while they are) -------------------

const loaded = {};   // page -> {at, data, error}

async function load(name, loader) {
  const entry = loaded[name] || (loaded[name] = { at: 0 });
  if (entry.loading || Date.now() - entry.at < 5000) return;
  entry.loading = true;
  try {
    entry.data = await loader();
    entry.error = null;
  } catch (e) {
    entry.error = String(e.message || e);
  }
  entry.at = Date.now();
  entry.loading = false;
  scheduleRender();
}

function reload(name) {
  if (loaded[name]) loaded[name].at = 0;
  scheduleRender();
}

async function refreshAgents() {
  const r = await call({ type: 'GET_AGENTS' });
  model.agents.clear();
  for (const a of r.get_agents.agents || []) model.agents.set(a.agent_info.id.value, a);
  scheduleRender();
}

function maintenancePage() {
  const rows = [...model.agents.values()].map((a) => {
    const i = a.agent_info;
    const id = i.id.value;
    const drain = a.drain_info ? a.drain_info.state : '';
    const state = drain ? drain.toLowerCase() : a.deactivated ? 'deactivated' : 'active';
    return `<tr data-agent="${esc(id)}"><td class="mono">${esc(id)}</td><td>${esc(i.hostname)}</td>`
      + `<td class="agent-state">${esc(state)}</td><td>`
      + `<button data-action="drain" data-agent="${esc(id)}" data-host="${esc(i.hostname)}"${drain ? ' disabled' : ''}>Drain</button> `
      + `<button data-action="deactivate" data-agent="${esc(id)}" data-host="${esc(i.hostname)}"${a.deactivated ? ' disabled' : ''}>Deactivate</button> `
      + `<button data-action="reactivate" data-agent="${esc(id)}" data-host="${esc(i.hostname)}"${a.deactivated || drain ? '' : ' disabled'}>Reactivate</button>`
      + '</td></tr>';
  }).join('');
  return `<h1>Maintenance</h1><p class="note">Draining kills an agent's tasks (with their kill grace period) and
    offers nothing more from it; deactivating only stops new offers. Reactivating undoes both.</p>
    <table id="maintenance"><thead><tr><th>ID</th><th>Host</th><th>State</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

const ACTIONS = {
  drain: (id) => ({ type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: id } } }),
  deactivate: (id) => ({ type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: id } } }),
  reactivate: (id) => ({ type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: id } } }),
};

async function agentAction(button) {
  const { action, agent, host } = button.dataset;
  if (!confirm(`${action[0].toUpperCase() + action.slice(1)} agent ${host} (${agent})?`)) return;
  const res = await api('/api/v1', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ACTIONS[action](agent)) });
  if (!res.ok) alert(`${action} failed: ${res.status} ${await res.text()}`);
  await refreshAgents();
}

let explainSubject = '';

function allocatorPage() {
  load('allocator', () => api('/allocator').then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status)))));
  const entry = loaded.allocator || {};
  const a = entry.data;
  const explanation = loaded.explain && loaded.explain.data;
  const policies = a ? a.installed.map((p) => `<option${p.name === a.active ? ' selected' : ''}>${esc(p.name)}</option>`).join('') : '';
  const explained = !explanation ? '' : explanation.length === 0
    ? `<p class="note" id="explanation">No framework has the id or the role '${esc(loaded.explain.subject)}'.</p>`
    : `<div id="explanation">${explanation.map((e) => `<div class="card"><div class="label">${esc(e.framework_name)} (${esc(e.framework_id)}), role ${esc(e.role)}</div>
        <div class="sub">last offer: ${e.cycles_since_last_offer == null ? 'never' : `${e.cycles_since_last_offer} cycle(s), ${fmt(e.seconds_since_last_offer)} s ago`};
        outstanding offers ${e.outstanding_offers}; dominant share: framework ${fmt(e.framework_share, 4)}, role ${fmt(e.role_share, 4)} (weight ${e.weight})</div>
        ${(e.notes || []).map((n) => `<div class="sub">note: ${esc(n)}</div>`).join('')}
        <table class="reasons">${Object.entries(e.agents || {}).map(([r, n]) => `<tr><td>${esc(r)}</td><td>${n} agent(s)</td></tr>`).join('')}</table></div>`).join('')}</div>`;
  return `<h1>Allocator</h1>
    ${entry.error ? `<p class="note">${esc(entry.error)}</p>` : ''}
    <div class="cards">
      ${card('Active policy', a ? a.active : '-', a ? `configured: ${esc(a.configured)}` : '', 'allocator-active')}
      ${card('Installed', a ? a.installed.length : '-', a ? a.installed.map((p) => esc(p.name)).join(', ') : '')}
    </div>
    <h2>Switch the policy</h2>
    <div class="toolbar"><select id="allocator-choice">${policies}</select><button id="allocator-use">Use</button>
      <span class="note">running tasks are untouched; outstanding offers are rescinded</span></div>
    <h2>Why does a framework get no offers?</h2>
    <div class="toolbar"><input id="explain-subject" placeholder="framework id or role" value="${esc(explainSubject)}"><button id="explain">Explain</button></div>
    ${explained}`;
}

async function explain() {
  const subject = $('#explain-subject').value.trim();
  explainSubject = subject;
  if (!subject) return;
  const res = await api(`/allocator/explain?subject=${encodeURIComponent(subject)}`);
  loaded.explain = { at: Date.now(), subject, data: res.ok ? await res.json() : [] };
  scheduleRender();
}

async function useAllocator() {
  const name = $('#allocator-choice').value;
  if (!confirm(`Switch the allocation policy to ${name}?`)) return;
  const res = await api('/allocator', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ use: name }) });
  if (!res.ok) alert(`Switching failed: ${await res.text()}`);
  reload('allocator');
}

function rolesPage() {
  load('roles', () => api('/master/roles').then((r) => r.json()).then((j) => j.roles || []));
  const entry = loaded.roles || {};
  const q = (o) => (o ? Object.entries(o).filter(([k]) => ['cpus', 'mem', 'disk', 'gpus'].includes(k))
    .map(([k, v]) => `${k} ${k === 'cpus' || k === 'gpus' ? fmt(v) : mb(v)}`).join(', ') : '');
  const rows = (entry.data || []).map((r) => `<tr><td>${esc(r.name)}</td><td>${esc(r.weight)}</td>`
    + `<td>${(r.frameworks || []).length}</td><td>${esc(q(r.allocated))}</td><td>${esc(q(r.offered))}</td>`
    + `<td>${esc(q(r.reserved))}</td><td>${esc(q(r.quota && r.quota.guarantee))}</td><td>${esc(q(r.quota && r.quota.limit))}</td></tr>`).join('');
  return `<h1>Roles</h1>${entry.error ? `<p class="note">${esc(entry.error)}</p>` : ''}
    <table id="roles"><thead><tr><th>Role</th><th>Weight</th><th>Frameworks</th><th>Allocated</th><th>Offered</th>
    <th>Reserved</th><th>Quota guarantee</th><th>Quota limit</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function offersPage() {
  load('offers', () => api('/master/frameworks').then((r) => r.json()).then((j) => (j.frameworks || [])
    .flatMap((f) => (f.offers || []).map((o) => Object.assign({ framework: f.name }, o)))));
  const entry = loaded.offers || {};
  const rows = (entry.data || []).map((o) => `<tr><td class="mono">${esc(o.id)}</td><td>${esc(o.framework)}</td>`
    + `<td class="mono">${esc(o.slave_id)}</td><td>${fmt(o.resources && o.resources.cpus)}</td><td>${mb(o.resources && o.resources.mem)}</td></tr>`).join('');
  return `<h1>Offers</h1><p class="note">Outstanding offers, read every 5 s while this page is open.</p>
    <table id="offers"><thead><tr><th>ID</th><th>Framework</th><th>Agent</th><th>CPUs</th><th>Mem</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const PAGES = { overview, frameworks, agents: agentsPage, tasks: tasksPage, roles: rolesPage, offers: offersPage,
  maintenance: maintenancePage, allocator: allocatorPage, metrics: metricsPage, sandbox: null };

function currentPage() {
  const name = (location.hash.replace(/^#\/?/, '').split('/')[0]) || 'overview';
  return name in PAGES ? name : 'overview';
}

function render() {
  renderLogin();
  if (login.asked && !model.connected) {
    // nothing to show before credentials: the sign-in form
    if (!$('#login-form')) {
      $('#page').innerHTML = loginPage();
      $('#login-form').onsubmit = (e) => {
        e.preventDefault();
        signIn($('#login-user').value, $('#login-password').value);
      };
      $('#login-user').focus();
    }
    return;
  }
  const name = currentPage();
  if (name === 'sandbox') {
    // the sandbox keeps its own content (listing, file, tail); it is built once per task
    const key = decodeURIComponent(location.hash.replace(/^#\/sandbox\//, ''));
    if (sandbox.key !== key || !$('#file-view')) {
      const known = model.tasks.has(key);
      $('#page').innerHTML = sandboxPage(key);
      sandbox.key = known ? key : null;
      const up = $('#sandbox-up');
      if (up) up.onclick = () => browse($('#sandbox-dir').dataset.root || sandbox.root);
    }
    document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === 'tasks'));
    return;
  }
  sandbox.key = null;
  stopTail();
  // keep the focus and caret of a search box across renders
  const focused = document.activeElement && document.activeElement.id;
  const caret = focused && document.activeElement.selectionStart;
  $('#page').innerHTML = PAGES[name]();
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === name));
  const search = $('#task-search');
  if (search) {
    search.oninput = () => { taskFilter.text = search.value; taskFilter.page = 0; scheduleRender(); };
    const prev = $('#task-prev');
    if (prev) {
      prev.onclick = () => { taskFilter.page--; scheduleRender(); };
      $('#task-next').onclick = () => { taskFilter.page++; scheduleRender(); };
    }
    $('#task-state').onchange = (e) => { taskFilter.state = e.target.value; scheduleRender(); };
  }
  const ms = $('#metrics-search');
  if (ms) ms.oninput = () => { metricsFilter = ms.value; scheduleRender(); };
  document.querySelectorAll('button[data-action]').forEach((b) => { b.onclick = () => agentAction(b); });
  const agentPrev = $('#agent-prev');
  if (agentPrev) {
    agentPrev.onclick = () => { agentPaging.page--; scheduleRender(); };
    $('#agent-next').onclick = () => { agentPaging.page++; scheduleRender(); };
  }
  const ex = $('#explain');
  if (ex) {
    ex.onclick = explain;
    $('#explain-subject').oninput = (e) => { explainSubject = e.target.value; };
    $('#allocator-use').onclick = useAllocator;
  }
  if (focused && document.getElementById(focused)) {
    const el = document.getElementById(focused);
    el.focus();
    if (caret != null && el.setSelectionRange) el.setSelectionRange(caret, caret);
  }
}

/** Who is signed in, with a way out, in the header. */
function renderLogin() {
  const el = $('#login');
  if (!el) return;
  // written again only when it changes: the page renders as events come, and a link replaced under the pointer
  // loses its click
  const html = login.user ? `${esc(login.user)} <a href="javascript:void 0" id="sign-out">sign out</a>` : '';
  if (el.dataset.shown === html) return;
  el.innerHTML = html;
  el.dataset.shown = html;
  const out = $('#sign-out');
  if (out) out.onclick = signOut;
}

window.addEventListener('hashchange', render);

(async function start() {
  render();
  try {
    model.master = (await call({ type: 'GET_MASTER' })).get_master;
  } catch (e) {
    console.warn('GET_MASTER', e);
  }
  subscribe();
  pollMetrics();
})();
