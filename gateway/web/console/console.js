// The operator console: log in, see the queues live (Server-Sent Events from
// /api/helpdesk/events), take a conversation, read its whole history and answer
// the person in their language. Every text that comes from a person or the
// content is put on the page with textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const state = {
  me: null,
  current: 0,          // handover id shown
  conversation: null,  // its last loaded view
  queues: [],
  listLoadedAt: 0,
  events: null,
  refreshTimer: 0,
  canned: [],
  entered: false,      // past the login and the password screens
};

function say(text) { $('status').textContent = text; }

// Sign-in, the API helper and the screens are shared with the studio (/common/staff.js).
const { api, errorText, show, showLogin } = Staff;

async function showDesk() {
  $('whoami').textContent = `${state.me.username} (${state.me.role})`;
  state.entered = true;
  route();
  await loadQueues();
  await loadDeadLetters();
  openEvents();
}

// ---- dead letters (supervisors): messages whose handling failed too often ----
// Only ids, channel, times and counts: never a message or a number.
async function loadDeadLetters() {
  const supervisor = state.me && (state.me.role === 'supervisor' || state.me.role === 'admin');
  $('dead-letters').hidden = !supervisor;
  if (!supervisor) return;
  const res = await api('GET', '/api/helpdesk/dead-letters');
  if (res.status !== 200) return say(errorText(res));
  const list = $('dead-list');
  list.replaceChildren();
  for (const d of res.data.dead_letters) {
    const li = el('li', {}, `#${d.id} ${d.channel}, received ${new Date(d.received_at).toLocaleString()}, ` +
      `${d.attempts} attempts (${d.error_kind}), ${d.held} later from the same person still queued `);
    const retry = el('button', { type: 'button' }, 'Retry');
    retry.addEventListener('click', async () => {
      const r = await api('POST', `/api/helpdesk/dead-letters/${d.id}/retry`);
      say(r.ok ? `Message #${d.id} will be tried again.` : errorText(r));
      await loadDeadLetters();
    });
    li.append(retry);
    list.append(li);
  }
  $('dead-empty').hidden = res.data.dead_letters.length > 0;
}

// ---- the views: the desk, and the statistics for supervisors and admins ----
// (operators and editors never see the link; the API refuses them anyway).
const canSeeStats = () => !!state.me && (state.me.role === 'supervisor' || state.me.role === 'admin');

// Shows the view the address names (#statistics, else the desk), once signed in.
async function route() {
  if (!state.entered) return;
  const stats = location.hash === '#statistics' && canSeeStats();
  $('desk-link').setAttribute('aria-current', stats ? 'false' : 'page');
  $('stats-link').setAttribute('aria-current', stats ? 'page' : 'false');
  const view = stats ? 'stats' : 'desk';
  // A message of the other view does not stay under this one.
  if (!$(stats ? 'desk' : 'stats').hidden) say('');
  show(view);
  if (stats) await StatsView.open();
}
window.addEventListener('hashchange', route);

// ---- login and password ----
Staff.init({
  screens: ['login-screen', 'password-screen', 'desk', 'stats'],
  keepOn401: '/api/auth/login',
  signedIn(me) {
    state.me = me;
    $('whoami').textContent = `${state.me.username} (${state.me.role})`;
    $('views').hidden = !canSeeStats();
  },
  enter: showDesk,
  leave() {
    closeEvents();
    state.me = null;
    state.entered = false;
    $('views').hidden = true;
  },
  loggedOut() {
    state.current = 0;
    $('conversation').hidden = true;
    StatsView.clear();
  },
});

// ---- queues, live ----
function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

const el = Staff.el;

async function loadQueues() {
  const res = await api('GET', '/api/helpdesk/queues');
  if (res.status !== 200) {
    say(errorText(res));
    return;
  }
  state.queues = res.data.queues;
  state.listLoadedAt = Date.now();
  const figures = $('queue-figures');
  figures.replaceChildren();
  for (const q of res.data.queues) {
    const parts = [`${q.waiting} waiting`, `${q.assigned} assigned`];
    if (q.waiting) parts.push(`oldest ${duration(q.oldest_wait_seconds)}`);
    if (q.median_first_response_seconds !== null) parts.push(`first reply ${duration(q.median_first_response_seconds)}`);
    if (q.median_handling_seconds !== null) parts.push(`handling ${duration(q.median_handling_seconds)}`);
    const li = el('li', { 'data-queue': q.queue });
    li.append(el('strong', {}, q.queue), document.createTextNode(` — ${parts.join(' · ')}`));
    figures.append(li);
  }
  const select = $('transfer-queue');
  const chosen = select.value;
  select.replaceChildren(...res.data.queues.map((q) => el('option', { value: q.queue }, q.queue)));
  if (chosen) select.value = chosen;

  const list = $('conversation-list');
  list.replaceChildren();
  for (const c of res.data.conversations) {
    const li = el('li');
    const b = el('button', {
      type: 'button', className: `conv priority-${c.priority}`,
      'data-handover': String(c.handover_id), 'data-state': c.state,
      'data-waiting': String(c.waiting_seconds), 'aria-current': String(c.handover_id === state.current),
    });
    const who = c.state === 'assigned' ? `with ${c.operator}` : 'waiting';
    b.append(
      el('span', { className: 'title' }, `#${c.handover_id} · ${c.queue} · ${c.priority} · ${c.language || '?'} · ${who} · `),
      el('span', { className: 'wait' }, duration(c.waiting_seconds)),
      el('br'),
      el('span', { className: 'reason muted' }, c.reason));
    b.addEventListener('click', () => openConversation(c.handover_id));
    li.append(b);
    list.append(li);
  }
  $('conversation-empty').hidden = res.data.conversations.length > 0;
}

// Waiting times tick between updates.
setInterval(() => {
  const elapsed = (Date.now() - state.listLoadedAt) / 1000;
  for (const b of document.querySelectorAll('#conversation-list button[data-state="waiting"]')) {
    b.querySelector('.wait').textContent = duration(Number(b.dataset.waiting) + elapsed);
  }
}, 1000);

function scheduleRefresh(handoverId) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(async () => {
    await loadQueues();
    if (state.current && (handoverId === state.current || handoverId === 0)) await loadConversation(state.current);
  }, 150);
}

function openEvents() {
  closeEvents();
  const es = new EventSource('/api/helpdesk/events');
  state.events = es;
  es.addEventListener('open', () => {
    $('live').textContent = 'Live';
    $('live').dataset.live = 'true';
  });
  es.addEventListener('message', (m) => {
    let e;
    try { e = JSON.parse(m.data); } catch (err) { return; }
    scheduleRefresh(e.handover_id);
  });
  es.addEventListener('error', () => {
    $('live').textContent = 'Reconnecting…';
    $('live').dataset.live = 'false';
  });
}

function closeEvents() {
  if (state.events) state.events.close();
  state.events = null;
}

$('take-next').addEventListener('click', async () => {
  const res = await api('POST', '/api/helpdesk/next');
  if (res.status === 204) return say('Nobody is waiting in your queues.');
  if (res.status !== 200) return say(errorText(res));
  say(`You took conversation #${res.data.handover_id}.`);
  await loadQueues();
  await openConversation(res.data.handover_id);
});

// ---- one conversation ----
const AUTHORS = { person: 'Person', bot: 'Bot', operator: 'Operator' };

async function openConversation(id) {
  state.current = id;
  for (const b of document.querySelectorAll('#conversation-list button')) {
    b.setAttribute('aria-current', String(Number(b.dataset.handover) === id));
  }
  await loadConversation(id);
  await loadCanned(id);
  $('reply-text').focus();
}

async function loadConversation(id) {
  const res = await api('GET', `/api/helpdesk/conversations/${id}`);
  if (res.status !== 200) {
    say(errorText(res));
    return;
  }
  if (id !== state.current) return;
  const v = res.data;
  state.conversation = v;
  $('conversation').hidden = false;
  $('conv-title').textContent = `Conversation #${v.handover.handover_id}`;
  if (!$('address').dataset.revealed || $('address').dataset.for !== String(id)) {
    $('address').textContent = v.contact.address;
    $('address').dataset.revealed = '';
    $('reveal').hidden = false;
  }
  $('address').dataset.for = String(id);
  $('conv-language').textContent = v.contact.language || v.handover.language || 'not known';
  $('conv-channel').textContent = `${v.contact.channel} (${v.contact.channel_kind})`;
  $('conv-queue').textContent = v.handover.queue;
  $('conv-priority').textContent = v.handover.priority;
  $('conv-state').textContent = v.handover.state + (v.handover.operator ? ` (${v.handover.operator})` : '');
  $('conv-reason').textContent = v.handover.reason;
  const open = v.handover.state !== 'closed';
  $('assign').disabled = !open || v.handover.mine;
  $('transfer').disabled = !open;
  $('close-bot').disabled = !open || !v.can_reply;
  $('close-end').disabled = !open || !v.can_reply;
  $('send-reply').disabled = !v.can_reply;

  const history = $('history');
  const lang = v.contact.language || v.handover.language || '';
  history.replaceChildren();
  for (const m of v.messages) {
    const li = el('li', {
      className: `msg ${m.direction} ${m.author}`, 'data-author': m.author,
      'data-segments': String(m.segments),
    });
    if (lang) li.setAttribute('lang', lang);
    const when = new Date(m.at);
    li.append(
      el('span', { className: 'author', dir: 'ltr', lang: 'en' }, AUTHORS[m.author] || m.author),
      el('span', { className: 'text' }, m.text),
      el('span', { className: 'meta', dir: 'ltr', lang: 'en' },
        `${when.toLocaleTimeString()} · ${m.status} · ${m.segments} SMS · ${m.encoding}`));
    // dir="auto" once the text is in: the direction is resolved from the message itself.
    li.setAttribute('dir', 'auto');
    history.append(li);
  }
  history.scrollTop = history.scrollHeight;

  const notes = $('notes');
  notes.replaceChildren();
  for (const n of v.notes) {
    const li = el('li', {});
    li.append(el('strong', { dir: 'ltr' }, `${n.author || 'system'}: `), el('span', {}, n.text));
    li.setAttribute('dir', 'auto');
    notes.append(li);
  }
}

async function loadCanned(id) {
  const res = await api('GET', `/api/helpdesk/canned?conversation=${id}`);
  const select = $('canned');
  select.replaceChildren(el('option', { value: '' }, 'Choose…'));
  state.canned = res.status === 200 ? res.data.replies : [];
  for (const c of state.canned) select.append(el('option', { value: c.key }, c.key));
  showCanned();
}

function showCanned() {
  const c = state.canned.find((x) => x.key === $('canned').value);
  $('canned-preview').textContent = c ? c.text : '';
  if (c) $('canned-preview').setAttribute('lang', c.language);
  $('canned-meta').textContent = c ? `${c.language}${c.fell_back ? ' (not translated yet)' : ''} · ${c.segments} SMS · ${c.encoding}` : '';
  $('insert-canned').disabled = !c;
}

$('canned').addEventListener('change', showCanned);
$('insert-canned').addEventListener('click', () => {
  const c = state.canned.find((x) => x.key === $('canned').value);
  if (!c) return;
  const box = $('reply-text');
  box.value = box.value ? `${box.value}\n${c.text}` : c.text;
  countSegments();
  box.focus();
});

// ---- the live SMS counter ----
let counterTimer = 0;
let counterSeq = 0;
function showCount(segments, encoding) {
  $('segment-counter').textContent = `${segments} SMS · ${encoding}`;
  $('segment-counter').dataset.encoding = encoding;
  $('segment-counter').dataset.segments = String(segments);
}

function countSegments() {
  clearTimeout(counterTimer);
  if (!$('reply-text').value) {
    ++counterSeq;  // an answer still on its way is stale
    showCount(0, 'GSM-7');
    return;
  }
  counterTimer = setTimeout(async () => {
    const seq = ++counterSeq;
    const res = await api('POST', '/api/helpdesk/segments', { text: $('reply-text').value });
    if (seq !== counterSeq || res.status !== 200) return;
    showCount(res.data.segments, res.data.encoding);
  }, 120);
}
$('reply-text').addEventListener('input', countSegments);

$('reply-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('reply-text').value.trim();
  if (!text || !state.current) return;
  $('send-reply').disabled = true;
  const res = await api('POST', `/api/helpdesk/conversations/${state.current}/reply`, { text });
  $('send-reply').disabled = false;
  if (res.status !== 200) return say(errorText(res));
  $('reply-text').value = '';
  countSegments();
  say('Reply queued.');
  await loadConversation(state.current);
});

$('note-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('note-text').value.trim();
  if (!text || !state.current) return;
  const res = await api('POST', `/api/helpdesk/conversations/${state.current}/notes`, { text });
  if (res.status !== 200) return say(errorText(res));
  $('note-text').value = '';
  await loadConversation(state.current);
});

async function action(path, body, done) {
  if (!state.current) return;
  const res = await api('POST', `/api/helpdesk/conversations/${state.current}/${path}`, body);
  if (res.status !== 200) return say(errorText(res));
  say(done);
  await loadQueues();
  await loadConversation(state.current);
}

$('assign').addEventListener('click', () => action('assign', {}, 'Assigned to you.'));
$('transfer').addEventListener('click', () => {
  const body = { queue: $('transfer-queue').value };
  if ($('transfer-operator').value.trim()) body.operator = $('transfer-operator').value.trim();
  return action('transfer', body, `Transferred to ${body.queue}.`);
});
$('close-bot').addEventListener('click', () => action('close', { mode: 'back_to_bot' }, 'Closed: the bot answers again.'));
$('close-end').addEventListener('click', () => action('close', { mode: 'end' }, 'Closed.'));
$('reveal').addEventListener('click', async () => {
  if (!state.current) return;
  const res = await api('POST', `/api/helpdesk/conversations/${state.current}/reveal`);
  if (res.status !== 200) return say(errorText(res));
  $('address').textContent = res.data.address;
  $('address').dataset.revealed = 'true';
  $('reveal').hidden = true;
});

Staff.start();
