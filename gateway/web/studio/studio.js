// The content studio: content staff edit templates, translations and flows into
// a draft, try the draft in a simulator, and reviewers publish it as a new
// version (docs/studio-api.md is the API). Every text that comes from the
// content or from a person is put on the page with textContent, never as HTML;
// the one markup taken from the server, the flow diagram (SVG), is parsed as
// SVG and stripped of anything active before it is shown.
'use strict';

const $ = (id) => document.getElementById(id);
const RTL_FALLBACK = new Set(['ar', 'fa', 'ps', 'ur', 'he', 'ckb', 'dv', 'sd', 'ug', 'yi']);
const CHANNELS = { sms: 'SMS', whatsapp: 'WhatsApp', telegram: 'Telegram', web: 'Web' };
const state = {
  me: null,
  languages: [],      // [{code, name, rtl}] from the templates list
  areas: [],
  keys: [],           // every template key, for the node editor's suggestions
  template: null,     // the template open in the editor (GET /templates/{key})
  flows: [],
  flow: null,         // {id, revision, doc, saved, templates, problems}
  node: '',           // node id open in the node editor
  sim: { session: null },
  studio: null,       // GET /api/studio/me: {reviewer, can_publish, four_eyes, published_version}
  version: null,      // the version open in the history
  published: 0,
};

function say(text) { $('status').textContent = text; }

const el = Staff.el;

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

// Sign-in, the API helper and the screens are shared with the console (/common/staff.js).
const { api, errorText, show, showLogin } = Staff;

function langInfo(code) {
  return state.languages.find((l) => l.code === code) || { code, name: code, rtl: RTL_FALLBACK.has(code) };
}
function isRtl(code) {
  const l = state.languages.find((x) => x.code === code);
  return l ? Boolean(l.rtl) : RTL_FALLBACK.has(code);
}
function langName(code) {
  const l = langInfo(code);
  const native = l.native && l.native !== l.name ? `${l.native} — ` : '';
  return l.name && l.name !== code ? `${native}${l.name} (${code})` : code;
}
// Right-to-left text areas get dir="rtl"; every text area gets its lang.
function setLangDir(node, code) {
  node.setAttribute('lang', code || 'en');
  node.setAttribute('dir', isRtl(code) ? 'rtl' : 'ltr');
}

function editorText(e) {
  if (!e) return '';
  if (typeof e === 'string') return e;
  return [e.by || e.username || '', e.at ? when(e.at) : ''].filter(Boolean).join(', ');
}

// ---- login and who is signed in ----
function showWho() {
  const reviewer = state.me.reviewer ? ', reviewer' : '';
  $('whoami').textContent = `${state.me.username} (${state.me.role}${reviewer})`;
}

// Review rights: who may mark facts reviewed and publish (GET /api/studio/me).
function mayReview() {
  return Boolean(state.studio && state.studio.can_publish);
}

async function enterStudio() {
  const me = await api('GET', '/api/studio/me');
  if (me.status === 200) {
    state.studio = me.data;
    state.me.reviewer = me.data.reviewer;
    showWho();
  }
  const res = me.status === 403 ? me : await api('GET', '/api/studio/templates');
  if (res.status === 403) {
    show('forbidden-screen');
    $('forbidden-reason').textContent = (res.data && res.data.message) || '';
    say('The studio is for content staff.');
    return;
  }
  if (res.status !== 200) return say(errorText(res));
  show('studio');
  takeTemplateList(res.data);
  fillLanguageSelects();
  await Promise.all([loadDraft(), loadFlowList()]);
}

Staff.init({
  screens: ['login-screen', 'password-screen', 'forbidden-screen', 'studio'],
  keepOn401: '/api/auth/',
  signedIn(me) {
    state.me = me;
    showWho();
  },
  enter: enterStudio,
  leave() { state.me = null; },
  loggedOut() {
    $('template-editor').hidden = true;
    $('node-editor').hidden = true;
  },
});

// ---- tabs ----
const TABS = ['templates', 'flows', 'draft', 'history', 'po'];
function selectTab(name, focus) {
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    tab.setAttribute('aria-selected', String(t === name));
    tab.tabIndex = t === name ? 0 : -1;
    $(`panel-${t}`).hidden = t !== name;
  }
  if (focus) $(`tab-${name}`).focus();
  if (name === 'draft') loadDraft();
  if (name === 'history') loadVersions();
  if (name === 'flows' && !state.flow && state.flows.length) openFlow($('flow-select').value);
}
for (const t of TABS) {
  $(`tab-${t}`).addEventListener('click', () => selectTab(t));
  $(`tab-${t}`).addEventListener('keydown', (ev) => {
    const i = TABS.indexOf(t);
    if (ev.key === 'ArrowRight') selectTab(TABS[(i + 1) % TABS.length], true);
    else if (ev.key === 'ArrowLeft') selectTab(TABS[(i + TABS.length - 1) % TABS.length], true);
    else if (ev.key === 'Home') selectTab(TABS[0], true);
    else if (ev.key === 'End') selectTab(TABS[TABS.length - 1], true);
    else return;
    ev.preventDefault();
  });
}

function fillLanguageSelects() {
  const translated = state.languages.filter((l) => l.code !== 'en');
  const options = (list) => list.map((l) => el('option', { value: l.code, lang: l.code }, langName(l.code)));
  $('filter-lang').replaceChildren(el('option', { value: '' }, 'All languages'), ...options(translated));
  $('flow-lang').replaceChildren(el('option', { value: 'en' }, 'English (en)'), ...options(translated));
  $('sim-lang').replaceChildren(el('option', { value: '' }, 'Let the flow ask'),
    el('option', { value: 'en' }, 'English (en)'), ...options(translated));
  $('po-lang').replaceChildren(...options(translated));
  updatePoLink();
}

// ---- templates: the list ----
let filterTimer = 0;
function takeTemplateList(data) {
  if (data.languages && data.languages.length) state.languages = data.languages;
  if (data.areas) {
    state.areas = data.areas;
    const sel = $('filter-area');
    const chosen = sel.value;
    sel.replaceChildren(el('option', { value: '' }, 'All areas'), ...data.areas.map((a) => el('option', { value: a }, a)));
    sel.value = chosen;
  }
  const unfiltered = !$('filter-area').value && !$('filter-lang').value && !$('filter-state').value &&
    !$('filter-facts').checked && !$('filter-q').value.trim();
  if (unfiltered) state.keys = data.items.map((i) => i.key);
  renderTemplateList(data.items);
}

function stateWord(s) {
  return { untranslated: 'untranslated', fuzzy: 'draft', reviewed: 'reviewed' }[s] || s || '';
}

function renderTemplateList(items) {
  const lang = $('filter-lang').value;
  const list = $('template-list');
  list.replaceChildren();
  for (const it of items) {
    const b = el('button', { type: 'button', className: 'item', 'data-key': it.key,
      'aria-current': String(Boolean(state.template && state.template.key === it.key)) });
    b.append(el('span', { className: 'key' }, it.key));
    if (it.in_draft) b.append(el('span', { className: 'badge' }, 'in draft'));
    if (it.has_facts && !it.facts_reviewed) b.append(el('span', { className: 'badge warn' }, 'facts not reviewed'));
    b.append(el('span', { className: 'text', lang: 'en' }, it.text));
    const states = it.states || {};
    if (lang) {
      b.append(el('span', { className: `state state-${states[lang]}` }, `${lang}: ${stateWord(states[lang])}`));
    } else {
      const count = { untranslated: 0, fuzzy: 0, reviewed: 0 };
      for (const s of Object.values(states)) if (s in count) count[s] += 1;
      b.append(el('span', { className: 'muted small' },
        `${count.reviewed} reviewed · ${count.fuzzy} draft · ${count.untranslated} untranslated`));
    }
    b.addEventListener('click', () => openTemplate(it.key));
    const li = el('li');
    li.append(b);
    list.append(li);
  }
  $('templates-count').textContent = `(${items.length})`;
}

let templatesSeq = 0;
async function loadTemplates() {
  const mine = ++templatesSeq;
  const q = new URLSearchParams();
  if ($('filter-area').value) q.set('area', $('filter-area').value);
  if ($('filter-lang').value) q.set('lang', $('filter-lang').value);
  if ($('filter-state').value) q.set('state', $('filter-state').value);
  if ($('filter-facts').checked) q.set('facts', 'unreviewed');
  if ($('filter-q').value.trim()) q.set('q', $('filter-q').value.trim());
  const res = await api('GET', `/api/studio/templates?${q}`);
  // A list asked for with older filters, answered late, never replaces a newer one.
  if (mine !== templatesSeq) return;
  if (res.status !== 200) return say(errorText(res));
  takeTemplateList(res.data);
}
for (const id of ['filter-area', 'filter-lang', 'filter-state', 'filter-facts']) {
  $(id).addEventListener('change', loadTemplates);
}
$('filter-q').addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(loadTemplates, 250);
});
$('template-filters').addEventListener('submit', (ev) => { ev.preventDefault(); loadTemplates(); });

// ---- the live check report of a text being typed ----
function renderReport(box, r) {
  box.replaceChildren();
  if (!r) return;
  const line = (cls, text) => box.appendChild(el('p', { className: cls }, text));
  if (r.icu) {
    const where = r.icu.offset !== undefined && r.icu.offset !== null ? ` (at character ${r.icu.offset + 1})` : '';
    const icu = line(r.icu.ok ? 'ok icu' : 'bad icu',
      r.icu.ok ? 'ICU: valid' : `ICU error: ${r.icu.error || 'invalid'}${where}`);
    icu.dataset.ok = String(Boolean(r.icu.ok));
  }
  const ph = r.placeholders || {};
  const missing = ph.missing || [];
  const extra = ph.extra || [];
  const brace = (list) => list.map((p) => `{${p}}`).join(' ');
  if (missing.length || extra.length) {
    const parts = [];
    if (missing.length) parts.push(`missing ${brace(missing)}`);
    if (extra.length) parts.push(`not in the source ${brace(extra)}`);
    line('bad placeholders', `Placeholders: ${parts.join('; ')}`);
  } else {
    line('ok placeholders', (ph.source || []).length ? `Placeholders: ${brace(ph.source)} all there` : 'No placeholders');
  }
  if (r.sms && r.sms.measured === false) {
    line('muted sms', 'SMS: not measured until the text is valid');
  } else if (r.sms) {
    const p = el('p', { className: 'sms' });
    const seg = el('output', { className: r.sms.over_budget ? 'segments over' : 'segments' });
    // The budget for this text's encoding (UCS-2 may take one segment more).
    const allowed = r.sms.allowed_segments || r.sms.budget;
    const applies = r.sms.budget_applies !== false && allowed;
    seg.textContent = applies ? `${r.sms.segments} / ${allowed} segments` : `${r.sms.segments} segments`;
    seg.dataset.segments = String(r.sms.segments);
    seg.dataset.over = String(Boolean(r.sms.over_budget));
    p.append('SMS: ', seg, ` · ${r.sms.encoding}`);
    if (r.sms.smart_segments !== undefined && r.sms.smart_segments !== r.sms.segments) {
      p.append(` (${r.sms.smart_segments} with ${r.sms.smart_encoding})`);
    }
    if (r.sms.over_budget) p.append(el('strong', { className: 'bad' }, ' — over the SMS budget: shorten it'));
    else if (allowed && !applies) p.append(el('span', { className: 'muted' }, ' (SMS sends its own variant)'));
    box.append(p);
  }
  if (r.discretion && r.discretion.word) {
    line('bad discretion', `Lock screen: “${r.discretion.word}” shows in the first lines on a locked phone`);
  }
  if ((r.problems || []).length) {
    const ul = el('ul', { className: 'problem-list' });
    for (const p of r.problems) ul.append(el('li', { className: `sev-${p.severity}` }, `${p.severity}: ${p.message}`));
    box.append(ul);
  }
  box.dataset.errors = String(r.errors || 0);
  box.dataset.warnings = String(r.warnings || 0);
  if ((r.previews || []).length) {
    const d = el('details', { className: 'previews' });
    if (box.previewsOpen) d.open = true;
    d.addEventListener('toggle', () => { box.previewsOpen = d.open; });
    d.append(el('summary', {}, `Previews (${r.previews.length})`));
    const t = el('table');
    t.createTHead().insertRow().append(el('th', { scope: 'col' }, 'Channel'), el('th', { scope: 'col' }, 'Plural'),
      el('th', { scope: 'col' }, 'Text'));
    const body = t.appendChild(el('tbody'));
    for (const pv of r.previews) {
      const tr = body.insertRow();
      tr.append(el('td', {}, CHANNELS[pv.channel] || pv.channel),
        el('td', {}, pv.category ? `${pv.category}${pv.number !== undefined && pv.number !== null ? ` (${pv.number})` : ''}` : ''));
      const td = el('td', { className: 'preview-text', 'data-channel': pv.channel }, pv.text);
      setLangDir(td, box.dataset.lang);
      tr.append(td);
    }
    d.append(t);
    box.append(d);
  }
}

function showProblems(box, problems, title) {
  box.replaceChildren();
  if (!problems || !problems.length) return;
  if (title) box.append(el('p', { className: 'bad' }, title));
  const ul = el('ul', { className: 'problem-list' });
  for (const p of problems) {
    const text = typeof p === 'string' ? p
      : [p.severity, p.location || p.msgctxt, p.message].filter(Boolean).join(': ');
    ul.append(el('li', { className: `sev-${p.severity || 'error'}` }, text));
  }
  box.append(ul);
}

// One editable text: the English source of a template or a translation (or a
// channel variant), with the live check while typing, Save, Mark reviewed and
// the conflict dialogue. `opts`: {lang, key, msgctxt, text, revision, state,
// lastEditor, label, save(text, base) -> api result, review(base)?}.
let unitCount = 0;
function textUnit(opts) {
  const id = `unit-${++unitCount}`;
  const u = { ...opts, saved: opts.text };
  const box = el('section', { className: 'unit', 'data-lang': opts.lang, 'data-msgctxt': opts.msgctxt || opts.key });
  const head = el('div', { className: 'unit-head' });
  const label = el('label', { for: id }, opts.label);
  const stateP = el('span', { className: 'state' });
  head.append(label, stateP);
  const area = el('textarea', { id, rows: String(Math.min(8, Math.max(2, Math.ceil((opts.text || '').length / 50) + 1))) });
  setLangDir(area, opts.lang);
  area.value = opts.text || '';
  const report = el('div', { className: 'check-report' });
  report.dataset.lang = opts.lang;
  const row = el('div', { className: 'row' });
  const save = el('button', { type: 'button', className: 'save' }, 'Save');
  row.append(save);
  let review = null;
  if (opts.review) {
    review = el('button', { type: 'button', className: 'review' }, 'Mark reviewed');
    row.append(review);
  }
  const problems = el('div', { className: 'problems', 'aria-live': 'polite' });
  const conflict = el('div', { className: 'conflict', hidden: true });
  box.append(head, area, report, row, problems, conflict);
  u.box = box;
  u.area = area;

  const paint = () => {
    const dirty = area.value !== u.saved;
    const st = dirty ? 'not saved' : stateWord(u.state);
    stateP.textContent = [st, u.lastEditor ? `last edit: ${editorText(u.lastEditor)}` : ''].filter(Boolean).join(' · ');
    stateP.dataset.state = dirty ? 'dirty' : (u.state || '');
    box.dataset.state = stateP.dataset.state;
    if (review) {
      review.disabled = dirty || u.state === 'untranslated';
      review.title = dirty ? 'Save the text first' : '';
    }
  };
  u.paint = paint;
  paint();

  let timer = 0;
  let seq = 0;
  const check = async () => {
    const mine = ++seq;
    const res = await api('POST', '/api/studio/check', { key: opts.key, lang: opts.lang, text: area.value });
    if (mine !== seq) return;  // an older answer arriving late
    if (res.status === 200) renderReport(report, res.data);
    else report.replaceChildren(el('p', { className: 'bad' }, `The check failed: ${errorText(res)}`));
  };
  u.check = check;
  area.addEventListener('input', () => {
    paint();
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
  area.addEventListener('focus', () => { if (!report.childElementCount) check(); }, { once: true });

  const doSave = async () => {
    conflict.hidden = true;
    problems.replaceChildren();
    save.disabled = true;
    const res = await opts.save(area.value, u.revision, u);
    save.disabled = false;
    if (res.status === 200) {
      if (res.data && res.data.revision !== undefined) u.revision = res.data.revision;
      u.saved = area.value;
      if (opts.lang !== 'en' || opts.msgctxt) u.state = area.value ? 'fuzzy' : 'untranslated';
      u.lastEditor = state.me ? state.me.username : u.lastEditor;
      if (res.data && res.data.report) renderReport(report, res.data.report);
      paint();
      say(`Saved to the draft: ${opts.label}.`);
      if (opts.onSaved) opts.onSaved(u);
      loadDraftCount();
    } else if (res.status === 409 && res.data && res.data.error === 'conflict') {
      showConflict(u, conflict, res.data);
    } else {
      if (res.data && res.data.report) renderReport(report, res.data.report);
      showProblems(problems, (res.data && res.data.problems) || [errorText(res)], 'Not saved:');
      say(`Not saved: ${opts.label}.`);
    }
  };
  save.addEventListener('click', doSave);
  u.doSave = doSave;

  if (review) {
    review.addEventListener('click', async () => {
      problems.replaceChildren();
      const res = await opts.review(u.revision);
      if (res.status === 200) {
        if (res.data && res.data.revision !== undefined) u.revision = res.data.revision;
        u.state = 'reviewed';
        u.lastEditor = state.me ? state.me.username : u.lastEditor;
        paint();
        say(`Marked reviewed: ${opts.label}.`);
        loadDraftCount();
      } else if (res.status === 409 && res.data && res.data.error === 'conflict') {
        showConflict(u, conflict, res.data);
      } else {
        showProblems(problems, (res.data && res.data.problems) || [errorText(res)], 'Not marked reviewed:');
      }
    });
  }
  return u;
}

// A 409: someone else saved in between. Their text is shown; the editor takes
// theirs or overwrites it (a new save from their revision).
function conflictText(current) {
  if (current === null || current === undefined) return '(removed)';
  if (typeof current === 'string') return current;
  if (typeof current.msgstr === 'string') return current.msgstr;
  if (typeof current.text === 'string') return current.text;
  return JSON.stringify(current, null, 2);
}

function showConflict(u, box, c) {
  box.replaceChildren();
  box.hidden = false;
  box.append(el('p', { className: 'bad' },
    `${c.by || 'Someone'} saved this ${c.at ? `on ${when(c.at)} ` : ''}while you were editing. Their text:`));
  const theirs = el('blockquote', { className: 'theirs' }, conflictText(c.current));
  setLangDir(theirs, u.lang);
  const take = el('button', { type: 'button', className: 'take-theirs' }, 'Take theirs');
  const mine = el('button', { type: 'button', className: 'overwrite' }, 'Keep mine (overwrite theirs)');
  box.append(theirs, take, mine);
  take.addEventListener('click', () => {
    u.revision = c.revision;
    u.area.value = conflictText(c.current);
    u.saved = u.area.value;
    u.lastEditor = c.by;
    box.hidden = true;
    u.paint();
    u.check();
    say('Took their text.');
  });
  mine.addEventListener('click', () => {
    u.revision = c.revision;
    box.hidden = true;
    u.doSave();
  });
  say(`Not saved: ${c.by || 'someone'} changed it first.`);
}

// The save and review calls of a translation (or a channel variant of one).
function translationCalls(lang, msgctxt) {
  const path = `/api/studio/translations/${encodeURIComponent(lang)}/${encodeURIComponent(msgctxt)}`;
  return {
    save: (text, base, u) => api('POST', path,
      { msgstr: text, fuzzy: text === u.saved ? u.state !== 'reviewed' : true, base_revision: base }),
    review: (base) => api('POST', `${path}/review`, { base_revision: base }),
  };
}

// ---- templates: one template ----
async function openTemplate(key, focusLang) {
  const res = await api('GET', `/api/studio/templates/${encodeURIComponent(key)}`);
  if (res.status !== 200) return say(errorText(res));
  selectTab('templates');
  const t = res.data;
  state.template = t;
  for (const b of document.querySelectorAll('#template-list button')) {
    b.setAttribute('aria-current', String(b.dataset.key === key));
  }
  const src = t.source || {};
  $('template-editor').hidden = false;
  $('te-title').textContent = key;
  $('te-file').textContent = [t.area ? `Area ${t.area}` : '', t.file || '',
    t.last_editor ? `last edit: ${editorText(t.last_editor)}` : ''].filter(Boolean).join(' · ');
  $('te-source-text').value = src.text || '';
  $('te-comment').value = src.comment || '';
  $('te-budget').value = src.sms_segments !== undefined ? String(src.sms_segments) : '';
  $('te-facts-source').value = src.source || '';
  $('te-source-problems').replaceChildren();
  $('te-source-conflict').hidden = true;
  $('te-source-saved').textContent = '';
  $('te-source-report').dataset.lang = 'en';
  renderFacts();
  sourceCheck();

  const langs = $('te-langs');
  langs.replaceChildren();
  const codes = state.languages.map((l) => l.code).filter((c) => c !== 'en');
  for (const c of Object.keys(t.translations || {})) if (!codes.includes(c) && c !== 'en') codes.push(c);
  // The language of the filter (or asked for) comes first.
  const first = focusLang || $('filter-lang').value;
  codes.sort((a, b) => (a === first ? -1 : b === first ? 1 : 0));
  for (const code of codes) {
    const tr = (t.translations || {})[code] || { msgstr: '', fuzzy: false, state: 'untranslated', revision: 0 };
    const card = el('div', { className: 'lang-card', 'data-lang': code });
    const info = langInfo(code);
    const h = el('h4');
    if (info.native && info.native !== info.name) h.append(el('span', { lang: code, dir: 'auto' }, info.native), ' — ');
    h.append(`${info.name || code} (${code})`);
    card.append(h);
    if (tr.plural_categories && tr.plural_categories.length) {
      card.append(el('p', { className: 'muted small' }, `Plural forms: ${tr.plural_categories.join(', ')}`));
    }
    const calls = translationCalls(code, key);
    const u = textUnit({ lang: code, key, msgctxt: key, text: tr.msgstr, revision: tr.revision,
      state: tr.state, lastEditor: tr.last_editor, label: `${langInfo(code).name || code} translation of ${key}`,
      ...calls, onSaved: () => loadTemplatesQuiet() });
    card.append(u.box);
    const variants = ((t.variants || {})[code]) || {};
    for (const [channel, v] of Object.entries(variants)) {
      const msgctxt = `${key}#${channel}`;
      const vu = textUnit({ lang: code, key, msgctxt, text: v.msgstr || '', revision: v.revision || 0,
        state: v.state || (v.msgstr ? (v.fuzzy ? 'fuzzy' : 'reviewed') : 'untranslated'),
        lastEditor: v.last_editor, label: `${CHANNELS[channel] || channel} variant (${code})`,
        ...translationCalls(code, msgctxt) });
      vu.box.classList.add('variant');
      card.append(vu.box);
    }
    langs.append(card);
  }
  if (focusLang) {
    const area = langs.querySelector(`.lang-card[data-lang="${focusLang}"] textarea`);
    if (area) area.focus();
  } else {
    $('te-title').tabIndex = -1;
    $('te-title').focus();
  }
  say(`Opened ${key}.`);
}

async function loadTemplatesQuiet() {
  if (!$('panel-templates').hidden) await loadTemplates();
}

function renderFacts() {
  const src = (state.template && state.template.source) || {};
  const p = $('te-facts-state');
  const btn = $('te-review-facts');
  if (!src.source) {
    p.textContent = 'No source of facts is given: nothing to review.';
    btn.hidden = true;
  } else if (src.reviewed) {
    p.textContent = `Facts reviewed by ${src.reviewed_by || 'someone'}${src.reviewed_at ? ` on ${when(src.reviewed_at)}` : ''}.`;
    btn.hidden = false;
    btn.disabled = true;
  } else {
    p.textContent = 'Facts not reviewed yet: a legal adviser checks them against the source.';
    btn.hidden = false;
    btn.disabled = !mayReview();
    if (!mayReview()) p.textContent += ' Marking them reviewed needs review rights (a reviewer or a supervisor).';
  }
  p.dataset.reviewed = String(Boolean(src.reviewed));
}

$('te-review-facts').addEventListener('click', async () => {
  const t = state.template;
  const res = await api('POST', `/api/studio/templates/${encodeURIComponent(t.key)}/review-facts`,
    { base_revision: t.revision });
  if (res.status === 409 && res.data && res.data.error === 'conflict') {
    say(`${res.data.by} changed this template first; it is shown again.`);
  } else if (res.status !== 200) {
    showProblems($('te-source-problems'), (res.data && res.data.problems) || [errorText(res)], 'Not marked:');
    return;
  }
  await reloadTemplateSource();
  if (res.status === 200) say(`Facts of ${t.key} marked reviewed.`);
});

// Reloads the English side only: unsaved translations stay as they are.
async function reloadTemplateSource() {
  const t = state.template;
  const res = await api('GET', `/api/studio/templates/${encodeURIComponent(t.key)}`);
  if (res.status !== 200) return;
  state.template.revision = res.data.revision;
  state.template.source = res.data.source;
  state.template.last_editor = res.data.last_editor;
  renderFacts();
  loadDraftCount();
}

let sourceTimer = 0;
let sourceSeq = 0;
async function sourceCheck() {
  const mine = ++sourceSeq;
  const res = await api('POST', '/api/studio/check',
    { key: state.template.key, lang: 'en', text: $('te-source-text').value });
  if (mine !== sourceSeq || res.status !== 200) return;
  renderReport($('te-source-report'), res.data);
}
$('te-source-text').addEventListener('input', () => {
  clearTimeout(sourceTimer);
  sourceTimer = setTimeout(sourceCheck, 250);
});

function editedSource() {
  const src = { ...(state.template.source || {}) };
  src.text = $('te-source-text').value;
  const setOrDrop = (field, value) => { if (value === '' || value === undefined) delete src[field]; else src[field] = value; };
  setOrDrop('comment', $('te-comment').value.trim());
  setOrDrop('source', $('te-facts-source').value.trim());
  const budget = $('te-budget').value.trim();
  setOrDrop('sms_segments', budget === '' ? '' : Number(budget));
  // What the server adds about the review is not part of the edit.
  return src;
}

async function saveSource(src, base) {
  return api('POST', `/api/studio/templates/${encodeURIComponent(state.template.key)}`, { source: src, base_revision: base });
}

$('te-save-source').addEventListener('click', async () => {
  const box = $('te-source-problems');
  box.replaceChildren();
  $('te-source-conflict').hidden = true;
  const res = await saveSource(editedSource(), state.template.revision);
  if (res.status === 200) {
    $('te-source-saved').textContent = 'Saved to the draft.';
    say(`Saved the English source of ${state.template.key}.`);
    await reloadTemplateSource();
    loadTemplatesQuiet();
  } else if (res.status === 409 && res.data && res.data.error === 'conflict') {
    const c = res.data;
    const conflict = $('te-source-conflict');
    conflict.replaceChildren(el('p', { className: 'bad' },
      `${c.by || 'Someone'} saved this template ${c.at ? `on ${when(c.at)} ` : ''}while you were editing. Their text:`),
    el('blockquote', { className: 'theirs', lang: 'en' }, conflictText(c.current)));
    const take = el('button', { type: 'button' }, 'Take theirs');
    const mine = el('button', { type: 'button' }, 'Keep mine (overwrite theirs)');
    take.addEventListener('click', () => {
      state.template.source = c.current;
      state.template.revision = c.revision;
      $('te-source-text').value = c.current.text || '';
      $('te-comment').value = c.current.comment || '';
      $('te-budget').value = c.current.sms_segments !== undefined ? String(c.current.sms_segments) : '';
      $('te-facts-source').value = c.current.source || '';
      renderFacts();
      conflict.hidden = true;
    });
    mine.addEventListener('click', () => {
      state.template.revision = c.revision;
      conflict.hidden = true;
      $('te-save-source').click();
    });
    conflict.append(take, mine);
    conflict.hidden = false;
  } else {
    showProblems(box, (res.data && res.data.problems) || [errorText(res)], 'Not saved:');
  }
});

// ---- flows ----
async function loadFlowList() {
  const res = await api('GET', '/api/studio/flows');
  if (res.status !== 200) return;
  state.flows = res.data.flows;
  const sel = $('flow-select');
  const chosen = sel.value;
  sel.replaceChildren(...state.flows.map((f) =>
    el('option', { value: f.id, title: f.comment || '' }, `${f.id}${f.in_draft ? ' (changed in the draft)' : ''}`)));
  if (chosen) sel.value = chosen;
}

$('flow-select').addEventListener('change', () => openFlow($('flow-select').value));
$('flow-lang').addEventListener('change', () => { if (state.flow) openFlow(state.flow.id, state.node); });

const clone = (v) => JSON.parse(JSON.stringify(v));

function flowDirty() {
  return state.flow && JSON.stringify(state.flow.doc) !== JSON.stringify(state.flow.saved);
}
function paintDirty() { $('flow-dirty').hidden = !flowDirty(); }

let flowSeq = 0;
async function openFlow(id, keepNode) {
  if (!id) return;
  const mine = ++flowSeq;
  const lang = $('flow-lang').value || 'en';
  const res = await api('GET', `/api/studio/flows/${encodeURIComponent(id)}?lang=${encodeURIComponent(lang)}`);
  if (mine !== flowSeq) return;  // another flow (or language) was chosen meanwhile
  if (res.status !== 200) return say(errorText(res));
  $('flow-select').value = id;
  state.flow = { id, revision: res.data.revision, doc: clone(res.data.flow), saved: clone(res.data.flow),
    templates: res.data.templates || {}, problems: res.data.problems || [], lang };
  $('flow-info').textContent = [res.data.flow.comment || '', `${Object.keys(res.data.flow.nodes || {}).length} steps`]
    .filter(Boolean).join(' · ');
  $('flow-comment').value = res.data.flow.comment || '';
  fillStart();
  showProblems($('flow-problems'), state.flow.problems);
  $('flow-conflict').hidden = true;
  paintDirty();
  if (keepNode && state.flow.doc.nodes[keepNode]) openNode(keepNode, true);
  else {
    state.node = '';
    $('node-editor').hidden = true;
  }
  await loadDiagram();
}

function nodeIds() { return Object.keys((state.flow && state.flow.doc.nodes) || {}); }

function fillStart() {
  const sel = $('flow-start');
  sel.replaceChildren(...nodeIds().map((n) => el('option', { value: n }, n)));
  sel.value = state.flow.doc.start || '';
}
$('flow-start').addEventListener('change', () => { state.flow.doc.start = $('flow-start').value; paintDirty(); });
$('flow-comment').addEventListener('input', () => {
  const v = $('flow-comment').value.trim();
  if (v) state.flow.doc.comment = v; else delete state.flow.doc.comment;
  paintDirty();
});

// The diagram is the server's SVG, parsed as SVG and inlined so that its nodes
// can be clicked; scripts, event handlers, links and foreign content are dropped.
function cleanSvg(svg) {
  for (const bad of svg.querySelectorAll('script, foreignObject, iframe, a, style')) {
    if (bad.tagName.toLowerCase() === 'a') bad.replaceWith(...bad.childNodes);
    else bad.remove();
  }
  for (const e of [svg, ...svg.querySelectorAll('*')]) {
    for (const a of [...e.attributes]) {
      const n = a.name.toLowerCase();
      if (n.startsWith('on') || n === 'href' || n === 'xlink:href' || n === 'style') e.removeAttribute(a.name);
    }
  }
}

let diagramSeq = 0;
async function loadDiagram() {
  const mine = ++diagramSeq;
  const box = $('diagram');
  const lang = $('flow-lang').value || 'en';
  let text = '';
  try {
    const r = await fetch(`/api/studio/flows/${encodeURIComponent(state.flow.id)}/graph.svg?lang=${encodeURIComponent(lang)}`,
      { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`the diagram failed (${r.status})`);
    text = await r.text();
    if (mine !== diagramSeq) return;
  } catch (e) {
    box.replaceChildren(el('p', { className: 'bad' }, e.message));
    return;
  }
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (!svg || svg.nodeName.toLowerCase() !== 'svg' || doc.querySelector('parsererror')) {
    box.replaceChildren(el('p', { className: 'bad' }, 'The diagram could not be read.'));
    return;
  }
  cleanSvg(svg);
  svg.setAttribute('role', 'group');
  svg.setAttribute('aria-label', `Diagram of the flow ${state.flow.id}`);
  const node = document.importNode(svg, true);
  box.replaceChildren(node);
  box.dataset.flow = state.flow.id;
  box.dataset.lang = lang;
  for (const g of node.querySelectorAll('g[id^="node-"]')) {
    const nid = g.id.slice(5);
    if (!(nid in state.flow.doc.nodes)) continue;
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    const n = state.flow.doc.nodes[nid];
    g.setAttribute('aria-label', `Step ${nid}, ${n.type}`);
    g.classList.add('clickable');
    g.addEventListener('click', () => openNode(nid));
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        openNode(nid);
      }
    });
  }
  markSelected();
}

$('diagram-size').addEventListener('click', () => {
  const natural = $('diagram').classList.toggle('natural');
  $('diagram-size').setAttribute('aria-pressed', String(natural));
});

function markSelected() {
  for (const g of document.querySelectorAll('#diagram g[id^="node-"]')) {
    g.classList.toggle('selected', g.id === `node-${state.node}`);
  }
}

// Which fields each type of step has (flows/README.md), in the order shown.
const FIELDS = {
  say: [['say', 'keys', 'Texts sent, in order (template keys)'], ['vars', 'json', 'Values for placeholders (JSON)'],
    ['next', 'node', 'Then go to']],
  ask: [['prompt', 'key', 'Question (template key)'], ['vars', 'json', 'Values for placeholders (JSON)'],
    ['choices', 'choices', 'Choices'], ['retry', 'key', 'Said after an answer that matches no choice (template key)'],
    ['max_retries', 'number', 'Answers that match nothing before the fallback (default 2)'],
    ['fallback', 'node', 'Fallback: after too many such answers go to'], ['result', 'text', 'Store the answer as result']],
  capture: [['prompt', 'key', 'Question (template key)'], ['vars', 'json', 'Values for placeholders (JSON)'],
    ['result', 'text', 'Store the reply as result'], ['next', 'node', 'Then go to']],
  branch: [['cases', 'cases', 'Cases (the first that holds is taken)'], ['default', 'node', 'Otherwise go to']],
  score: [['score', 'text', 'Score name (default score)'], ['add', 'number', 'Add (may be negative)'],
    ['next', 'node', 'Then go to']],
  set: [['language', 'text', 'Set the language to'], ['field', 'text', 'or set the contact field'],
    ['value', 'text', 'to the value'], ['next', 'node', 'Then go to']],
  subflow: [['flow', 'flow', 'Run the flow'], ['next', 'node', 'When it ends, go to']],
  handover: [['queue', 'text', 'Handover queue'], ['priority', 'priority', 'Priority'],
    ['note', 'key', 'Note for the operator (template key)'], ['vars', 'json', 'Values for placeholders (JSON)']],
  wait: [['seconds', 'number', 'Wait at most (seconds)'], ['next', 'node', 'On a reply go to'],
    ['timeout_next', 'node', 'When the time is up go to']],
  end: [['say', 'keys', 'Last text (template key)'], ['vars', 'json', 'Values for placeholders (JSON)']],
  erase: [['say', 'keys', 'Last text (template key)'], ['vars', 'json', 'Values for placeholders (JSON)']],
};
const TESTS = ['equals', 'in', '>=', '<=', 'exists'];

function nodeSelect(id, value, allowNone) {
  const sel = el('select', { id });
  if (allowNone) sel.append(el('option', { value: '' }, '(none)'));
  for (const n of nodeIds()) sel.append(el('option', { value: n }, n));
  if (value && !nodeIds().includes(value)) sel.append(el('option', { value }, `${value} (missing)`));
  sel.value = value || '';
  return sel;
}

function keyInput(id, value) {
  return el('input', { id, value: value || '', list: 'template-keys', autocomplete: 'off', spellcheck: 'false' });
}

function ensureKeyList() {
  let dl = $('template-keys');
  if (!dl) {
    dl = el('datalist', { id: 'template-keys' });
    document.body.append(dl);
  }
  if (dl.childElementCount !== state.keys.length) dl.replaceChildren(...state.keys.map((k) => el('option', { value: k })));
}

function asList(v) {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function fieldRow(form, id, labelText, control) {
  const wrap = el('div', { className: 'field' });
  wrap.append(el('label', { for: id }, labelText), control);
  form.append(wrap);
  return wrap;
}

function choicesEditor(node) {
  const fs = el('fieldset', { className: 'choices' });
  fs.append(el('legend', {}, 'Choices (numbered in this order)'));
  const table = el('table');
  const head = table.createTHead().insertRow();
  for (const h of ['#', 'Label (template key)', 'Its text', 'Value', 'Keywords (keys)', 'Then go to', ''])
    head.append(el('th', { scope: 'col' }, h));
  const body = table.createTBody();
  const addRow = (c) => {
    const i = body.rows.length;
    const tr = body.insertRow();
    tr.className = 'choice';
    const lab = keyInput(`choice-label-${i}`, c.label);
    lab.setAttribute('aria-label', `Choice ${i + 1} label key`);
    const text = el('span', { className: 'choice-text' }, state.flow.templates[c.label] || '');
    setLangDir(text, state.flow.lang);
    const val = el('input', { value: c.value || '', 'aria-label': `Choice ${i + 1} value`, size: '10' });
    const kw = el('input', { value: asList(c.keywords).join(', '), 'aria-label': `Choice ${i + 1} keywords`, list: 'template-keys' });
    const next = nodeSelect(`choice-next-${i}`, c.next, true);
    next.setAttribute('aria-label', `Choice ${i + 1}: then go to`);
    const rm = el('button', { type: 'button', 'aria-label': `Remove choice ${i + 1}` }, 'Remove');
    rm.addEventListener('click', () => tr.remove());
    tr.dataset.keywordsWereString = String(typeof c.keywords === 'string');
    tr.extra = c;
    for (const cell of [el('span', {}, String(i + 1)), lab, text, val, kw, next, rm]) tr.insertCell().append(cell);
  };
  for (const c of node.choices || []) addRow(c);
  const add = el('button', { type: 'button', className: 'add-choice' }, 'Add a choice');
  add.addEventListener('click', () => addRow({}));
  fs.append(table, add);
  fs.read = () => [...body.rows].map((tr) => {
    const inputs = tr.querySelectorAll('input');
    const c = { ...tr.extra };
    const set = (k, v) => { if (v === '' || v === undefined || (Array.isArray(v) && !v.length)) delete c[k]; else c[k] = v; };
    set('label', inputs[0].value.trim());
    set('value', inputs[1].value.trim());
    const kws = inputs[2].value.split(',').map((s) => s.trim()).filter(Boolean);
    set('keywords', tr.dataset.keywordsWereString === 'true' && kws.length === 1 ? kws[0] : kws);
    set('next', tr.querySelector('select').value);
    return c;
  });
  return fs;
}

function casesEditor(node) {
  const fs = el('fieldset', { className: 'cases' });
  fs.append(el('legend', {}, 'Cases'));
  const table = el('table');
  const head = table.createTHead().insertRow();
  for (const h of ['If', 'Test', 'Value', 'Then go to', '']) head.append(el('th', { scope: 'col' }, h));
  const body = table.createTBody();
  const addRow = (c) => {
    const i = body.rows.length;
    const tr = body.insertRow();
    const test = TESTS.find((t) => t in c) || 'equals';
    const ifIn = el('input', { value: c.if || '', 'aria-label': `Case ${i + 1}: if`, placeholder: 'result.NAME' });
    const op = el('select', { 'aria-label': `Case ${i + 1}: test` });
    for (const t of TESTS) op.append(el('option', { value: t }, t));
    op.value = test;
    const raw = c[test];
    const value = el('input', { 'aria-label': `Case ${i + 1}: value`,
      value: raw === undefined ? '' : Array.isArray(raw) ? raw.join(', ') : String(raw) });
    const next = nodeSelect(`case-next-${i}`, c.next, true);
    next.setAttribute('aria-label', `Case ${i + 1}: then go to`);
    const rm = el('button', { type: 'button', 'aria-label': `Remove case ${i + 1}` }, 'Remove');
    rm.addEventListener('click', () => tr.remove());
    for (const cell of [ifIn, op, value, next, rm]) tr.insertCell().append(cell);
  };
  for (const c of node.cases || []) addRow(c);
  const add = el('button', { type: 'button' }, 'Add a case');
  add.addEventListener('click', () => addRow({}));
  fs.append(table, add);
  fs.read = () => [...body.rows].map((tr) => {
    const [ifIn, value] = tr.querySelectorAll('input');
    const [op, next] = tr.querySelectorAll('select');
    const c = { if: ifIn.value.trim() };
    const v = value.value.trim();
    if (op.value === 'in') c.in = v.split(',').map((s) => s.trim()).filter(Boolean);
    else if (op.value === 'exists') c.exists = v !== 'false';
    else if (op.value === '>=' || op.value === '<=') c[op.value] = Number(v);
    else c.equals = v;
    if (next.value) c.next = next.value;
    return c;
  });
  return fs;
}

// The node editor: a form for the step's fields, then the texts it sends.
function openNode(nid, quiet) {
  const node = state.flow.doc.nodes[nid];
  if (!node) return;
  state.node = nid;
  markSelected();
  ensureKeyList();
  $('node-editor').hidden = false;
  $('ne-title').textContent = `Step ${nid} (${node.type})`;
  $('node-problems').replaceChildren();
  const form = $('node-form');
  form.replaceChildren();
  form.dataset.node = nid;
  const readers = [];
  const commentId = 'node-comment';
  const comment = el('input', { id: commentId, value: node.comment || '' });
  fieldRow(form, commentId, 'Comment (for the people who maintain the flow)', comment);
  readers.push((n) => { if (comment.value.trim()) n.comment = comment.value.trim(); else delete n.comment; });
  // The stat tag (flows/README.md, Statistics): a new one goes right after the type.
  const statId = 'node-stat';
  const stat = el('input', { id: statId, value: node.stat || '', spellcheck: 'false', placeholder: 'e.g. rights.it.work' });
  fieldRow(form, statId, 'Counted in the statistics as (stat tag, optional)', stat);
  readers.push((n) => {
    const v = stat.value.trim();
    if (!v) delete n.stat;
    else if ('stat' in n) n.stat = v;
    else {
      const rest = { ...n };
      for (const k of Object.keys(n)) delete n[k];
      Object.assign(n, { type: rest.type, stat: v }, rest);
    }
  });
  for (const [field, kind, labelText] of FIELDS[node.type] || []) {
    const id = `node-field-${field}`;
    const v = node[field];
    let control;
    let read;
    if (kind === 'node') {
      control = nodeSelect(id, v, true);
      read = () => control.value;
    } else if (kind === 'key' || kind === 'text') {
      control = kind === 'key' ? keyInput(id, v) : el('input', { id, value: v === undefined ? '' : String(v) });
      read = () => control.value.trim();
    } else if (kind === 'keys') {
      control = el('input', { id, value: asList(v).join(', '), list: 'template-keys', autocomplete: 'off' });
      read = () => {
        const list = control.value.split(',').map((s) => s.trim()).filter(Boolean);
        const single = typeof v === 'string' || (v === undefined && node.type !== 'say');
        return single && list.length === 1 ? list[0] : (list.length ? list : '');
      };
    } else if (kind === 'number') {
      control = el('input', { id, type: 'number', value: v === undefined ? '' : String(v) });
      read = () => (control.value === '' ? '' : Number(control.value));
    } else if (kind === 'priority') {
      control = el('select', { id });
      for (const p of ['', 'urgent', 'high', 'normal']) control.append(el('option', { value: p }, p || '(default: normal)'));
      control.value = v || '';
      read = () => control.value;
    } else if (kind === 'flow') {
      control = el('select', { id });
      for (const f of state.flows) control.append(el('option', { value: f.id }, f.id));
      control.value = v || '';
      read = () => control.value;
    } else if (kind === 'json') {
      control = el('textarea', { id, rows: '2', className: 'code', spellcheck: 'false' });
      control.value = v === undefined ? '' : JSON.stringify(v);
      read = () => {
        if (!control.value.trim()) return '';
        try { return JSON.parse(control.value); } catch (e) { throw new Error(`${labelText}: not valid JSON`); }
      };
    } else if (kind === 'choices') {
      control = choicesEditor(node);
      form.append(control);
      readers.push((n) => { n.choices = control.read(); });
      continue;
    } else if (kind === 'cases') {
      control = casesEditor(node);
      form.append(control);
      readers.push((n) => { n.cases = control.read(); });
      continue;
    }
    fieldRow(form, id, labelText, control);
    readers.push((n) => {
      const value = read();
      if (value === '' || value === undefined) delete n[field]; else n[field] = value;
    });
  }
  const row = el('div', { className: 'row' });
  const saveBtn = el('button', { type: 'submit', className: 'primary', id: 'save-node' }, 'Save step');
  const removeBtn = el('button', { type: 'button', className: 'danger', id: 'remove-node' }, 'Remove step');
  row.append(saveBtn, removeBtn);
  form.append(row);
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const n = clone(node);
    try {
      for (const r of readers) r(n);
    } catch (e) {
      showProblems($('node-problems'), [e.message]);
      return;
    }
    state.flow.doc.nodes[nid] = n;
    await saveFlow();
  };
  removeBtn.onclick = async () => {
    if (state.flow.doc.start === nid) {
      showProblems($('node-problems'), ['The flow starts here: choose another start first.']);
      return;
    }
    delete state.flow.doc.nodes[nid];
    state.node = '';
    $('node-editor').hidden = true;
    fillStart();
    await saveFlow();
  };
  renderNodeTexts(node);
  if (!quiet) {
    $('ne-title').tabIndex = -1;
    $('ne-title').focus();
    say(`Editing step ${nid}.`);
  }
}

// The template keys a node sends, in order.
function nodeKeys(node) {
  const keys = [];
  const add = (k) => { if (typeof k === 'string' && k && !keys.includes(k)) keys.push(k); };
  add(node.prompt);
  for (const k of asList(node.say)) add(k);
  for (const c of node.choices || []) add(c.label);
  add(node.retry);
  add(node.note);
  return keys;
}

// The node's texts in the diagram's language, each an inline field. Saving one
// saves that language's translation of the template (the English source when
// the diagram is in English): what is edited is what the diagram shows.
async function renderNodeTexts(node) {
  const lang = state.flow.lang;
  const box = $('node-texts');
  const nid = state.node;
  box.replaceChildren();
  $('ne-texts-hint').textContent = lang === 'en'
    ? 'In English, the template\'s source text. Saving one changes it for every flow that uses it.'
    : `In ${langName(lang)}: saving one saves that translation of the template, for every flow that uses it. ` +
      'Other languages: open the template editor.';
  const keys = nodeKeys(node);
  const details = await Promise.all(keys.map((k) => api('GET', `/api/studio/templates/${encodeURIComponent(k)}`)));
  if (state.node !== nid) return;
  keys.forEach((key, i) => {
    const res = details[i];
    const item = el('div', { className: 'node-text', 'data-key': key });
    const link = el('a', { href: `#template=${encodeURIComponent(key)}`, className: 'open-template' }, 'Open in the template editor');
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      openTemplate(key, lang === 'en' ? undefined : lang);
    });
    if (res.status !== 200) {
      item.append(el('p', { className: 'bad' }, `${key}: ${errorText(res)}`));
      box.append(item);
      return;
    }
    const t = res.data;
    let u;
    if (lang === 'en') {
      u = textUnit({ lang: 'en', key, text: (t.source || {}).text || '', revision: t.revision, state: '',
        lastEditor: t.last_editor, label: `${key} (English source)`,
        save: (text, base) => api('POST', `/api/studio/templates/${encodeURIComponent(key)}`,
          { source: { ...t.source, text }, base_revision: base }),
        onSaved: afterNodeTextSaved });
    } else {
      const tr = (t.translations || {})[lang] || { msgstr: '', state: 'untranslated', revision: 0 };
      u = textUnit({ lang, key, msgctxt: key, text: tr.msgstr, revision: tr.revision, state: tr.state,
        lastEditor: tr.last_editor, label: `${key} (${langName(lang)})`, ...translationCalls(lang, key),
        onSaved: afterNodeTextSaved });
    }
    const src = el('p', { className: 'muted small source-line', lang: 'en', dir: 'ltr' }, `English: ${(t.source || {}).text || ''}`);
    item.append(u.box, src, link);
    box.append(item);
  });
}

async function afterNodeTextSaved(u) {
  state.flow.templates[u.key] = u.area.value;
  for (const span of document.querySelectorAll('#node-form .choice')) {
    const inp = span.querySelector('input');
    if (inp && inp.value.trim() === u.key) span.querySelector('.choice-text').textContent = u.area.value;
  }
  await loadDiagram();
}

async function saveFlow() {
  const f = state.flow;
  $('flow-problems').replaceChildren();
  $('node-problems').replaceChildren();
  $('flow-conflict').hidden = true;
  const res = await api('POST', `/api/studio/flows/${encodeURIComponent(f.id)}`, { flow: f.doc, base_revision: f.revision });
  if (res.status === 200) {
    say(`Saved the flow ${f.id} to the draft.`);
    await openFlow(f.id, state.node);
    loadFlowList();
    loadDraftCount();
    return true;
  }
  paintDirty();
  if (res.status === 409 && res.data && res.data.error === 'conflict') {
    const c = res.data;
    const box = $('flow-conflict');
    box.replaceChildren(el('p', { className: 'bad' },
      `${c.by || 'Someone'} saved this flow ${c.at ? `on ${when(c.at)} ` : ''}while you were editing.`));
    const theirs = el('button', { type: 'button' }, 'Load their version (drop my changes)');
    const mine = el('button', { type: 'button' }, 'Keep mine (overwrite theirs)');
    theirs.addEventListener('click', () => openFlow(f.id, state.node));
    mine.addEventListener('click', () => { f.revision = c.revision; saveFlow(); });
    box.append(theirs, mine);
    box.hidden = false;
    say(`Not saved: ${c.by || 'someone'} changed the flow first.`);
    return false;
  }
  const problems = (res.data && res.data.problems) || [errorText(res)];
  showProblems($('flow-problems'), problems, 'Not saved — the flow has problems:');
  if (state.node) {
    const mine = problems.filter((p) => typeof p === 'string' || !p.location || p.location.includes(state.node));
    showProblems($('node-problems'), mine.length ? mine : problems, 'Not saved:');
  }
  say(`Not saved: the flow ${f.id} has problems.`);
  return false;
}

$('save-flow').addEventListener('click', () => saveFlow());
$('revert-flow').addEventListener('click', () => { if (state.flow) openFlow(state.flow.id, state.node); });

const NEW_NODE = {
  say: () => ({ say: [] }), ask: () => ({ prompt: '', choices: [] }), capture: () => ({ prompt: '', result: '' }),
  branch: () => ({ cases: [] }), score: () => ({ add: 1 }), set: () => ({}), subflow: () => ({ flow: '' }),
  handover: () => ({ queue: 'general', priority: 'normal' }), wait: () => ({ seconds: 3600 }),
  end: () => ({}), erase: () => ({}),
};

$('add-node').addEventListener('click', () => {
  if (!state.flow) return;
  const id = $('new-node-id').value.trim();
  const type = $('new-node-type').value;
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return say('A step id is letters, digits, _ and - only.');
  if (state.flow.doc.nodes[id]) return say(`There is already a step ${id}.`);
  state.flow.doc.nodes[id] = { type, ...NEW_NODE[type]() };
  for (const k of Object.keys(state.flow.doc.nodes[id])) {
    const v = state.flow.doc.nodes[id][k];
    if (v === '') delete state.flow.doc.nodes[id][k];
  }
  $('new-node-id').value = '';
  fillStart();
  paintDirty();
  openNode(id);
  say(`Added step ${id} (not saved yet): lead an exit of another step to it, then save.`);
});

// ---- draft ----
function entryLabel(entry) {
  const m = /^translation:([^:]+):(.*)$/.exec(entry);
  if (m) return `${m[2]} — ${langName(m[1])}`;
  const t = /^template:(.*)$/.exec(entry);
  if (t) return `${t[1]} — English source`;
  const n = /^node:([^/]+)\/(.*)$/.exec(entry);
  if (n) return `flow ${n[1]}, step ${n[2]}`;
  const f = /^flow:(.*)$/.exec(entry);
  if (f) return `flow ${f[1]}`;
  return entry;
}

function entryLang(entry) {
  const m = /^translation:([^:]+):/.exec(entry);
  return m ? m[1] : 'en';
}

// A value of an entry, as a reader wants to see it: the text of a translation
// or a template, the JSON of a node or a flow.
function valueView(entry, v) {
  if (v === null || v === undefined) return el('span', { className: 'muted' }, '(none)');
  if (typeof v === 'object' && typeof v.msgstr === 'string') {
    const p = el('div', { className: 'text-value' }, v.msgstr || '(empty)');
    setLangDir(p, entryLang(entry));
    const wrap = el('div');
    wrap.append(p);
    if (v.fuzzy) wrap.append(el('span', { className: 'badge' }, 'draft (fuzzy)'));
    return wrap;
  }
  if (typeof v === 'object' && typeof v.text === 'string' && entry.startsWith('template:')) {
    const wrap = el('div');
    wrap.append(el('div', { className: 'text-value', lang: 'en' }, v.text));
    const rest = { ...v };
    delete rest.text;
    if (Object.keys(rest).length) {
      const d = el('details');
      d.append(el('summary', {}, 'Other fields'), el('pre', { className: 'code' }, JSON.stringify(rest, null, 2)));
      wrap.append(d);
    }
    return wrap;
  }
  if (typeof v === 'string') return el('div', { className: 'text-value' }, v);
  return el('pre', { className: 'code' }, JSON.stringify(v, null, 2));
}

// JSON with its object keys sorted: two values are the same content when their
// canonical forms are equal, whatever the order of their fields.
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v === undefined ? null : v);
}

// Before and after of an entry, side by side. For a flow or a step (JSON) only
// the fields that differ are shown, the whole value one click away.
function diffViews(entry, before, after) {
  const isObj = (v) => v && typeof v === 'object' && !Array.isArray(v);
  const structural = /^(node|flow):/.test(entry);
  if (!structural || !isObj(before) || !isObj(after)) return [valueView(entry, before), valueView(entry, after)];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => canonical(before[k]) !== canonical(after[k]));
  const side = (v) => {
    const wrap = el('div');
    if (!keys.length) {
      wrap.append(el('p', { className: 'muted' }, 'Same content (only the order of its fields differs).'));
    } else {
      const part = {};
      for (const k of keys) part[k] = v[k] === undefined ? '(none)' : v[k];
      wrap.append(el('pre', { className: 'code changed-fields' }, JSON.stringify(part, null, 2)));
    }
    const d = el('details');
    d.append(el('summary', {}, 'The whole value'), el('pre', { className: 'code' }, JSON.stringify(v, null, 2)));
    wrap.append(d);
    return wrap;
  };
  return [side(before), side(after)];
}

function openEntry(entry) {
  const m = /^translation:([^:]+):([^#]*)/.exec(entry);
  if (m) return openTemplate(m[2], m[1]);
  const t = /^template:(.*)$/.exec(entry);
  if (t) return openTemplate(t[1]);
  const n = /^(?:node:([^/]+)\/(.*)|flow:(.*))$/.exec(entry);
  if (n) {
    selectTab('flows');
    return openFlow(n[1] || n[3], n[2]);
  }
  return undefined;
}

async function loadDraftCount() {
  const res = await api('GET', '/api/studio/draft');
  if (res.status === 200) $('draft-count').textContent = res.data.changes.length ? String(res.data.changes.length) : '';
  return res;
}

async function loadDraft() {
  const res = await loadDraftCount();
  if (res.status !== 200) return;
  const d = res.data;
  const rows = $('change-rows');
  rows.replaceChildren();
  for (const c of d.changes) {
    const tr = rows.insertRow();
    tr.dataset.entry = c.entry;
    const open = el('button', { type: 'button', className: 'link' }, entryLabel(c.entry));
    open.addEventListener('click', () => openEntry(c.entry));
    const entryCell = tr.insertCell();
    entryCell.append(open, el('br'), el('code', { className: 'small muted' }, c.entry));
    const [b, a] = diffViews(c.entry, c.before, c.after);
    tr.insertCell().append(b);
    tr.insertCell().append(a);
    tr.insertCell().append(`${c.by || ''}${c.at ? `, ${when(c.at)}` : ''}`);
    const discard = el('button', { type: 'button', className: 'discard', 'aria-label': `Discard the edit of ${c.entry}` }, 'Discard');
    discard.addEventListener('click', async () => {
      const r = await api('POST', '/api/studio/draft/discard', { entry: c.entry });
      say(r.ok ? `Discarded the edit of ${entryLabel(c.entry)}.` : errorText(r));
      await loadDraft();
    });
    tr.insertCell().append(discard);
  }
  $('changes-empty').hidden = d.changes.length > 0;
  $('discard-all').disabled = d.changes.length === 0;
  const probs = $('draft-problems');
  probs.replaceChildren();
  for (const p of d.problems || []) {
    probs.append(el('li', { className: `sev-${p.severity}` },
      `${p.severity}: ${[p.file, p.location].filter(Boolean).join(' ')}${p.file || p.location ? ': ' : ''}${p.message}`));
  }
  if (!(d.problems || []).length) probs.append(el('li', { className: 'ok' }, 'No problems.'));
  $('publish').disabled = !d.can_publish;
  const blocked = $('publish-blocked');
  blocked.replaceChildren();
  blocked.hidden = Boolean(d.can_publish);
  blocked.dataset.code = d.blocked_code || '';
  if (!d.can_publish) {
    const why = d.blocked_code === 'four_eyes'
      ? `Four eyes: ${d.blocked || 'another reviewer must publish your own edits'}.`
      : (d.blocked || 'Publishing is not possible now.');
    blocked.append(el('span', {}, why));
    if ((d.blocked_entries || []).length) {
      const ul = el('ul');
      for (const e of d.blocked_entries) ul.append(el('li', {}, entryLabel(e)));
      blocked.append(ul);
    }
  }
}

$('discard-all').addEventListener('click', async () => {
  // eslint-disable-next-line no-alert
  if (!window.confirm('Discard every edit in the draft? This cannot be undone.')) return;
  const r = await api('POST', '/api/studio/draft/discard', {});
  say(r.ok ? 'The draft was discarded.' : errorText(r));
  await loadDraft();
});

$('publish-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const box = $('publish-result');
  box.replaceChildren();
  const message = $('publish-message').value.trim();
  if (!message) return;
  $('publish').disabled = true;
  const res = await api('POST', '/api/studio/publish', { message });
  if (res.status === 200) {
    box.append(el('p', { className: 'ok' }, `Published as version ${res.data.version}. People get it now.`));
    $('publish-message').value = '';
    say(`Published version ${res.data.version}.`);
  } else if (res.data && res.data.error === 'four_eyes') {
    box.append(el('p', { className: 'bad' },
      'Four eyes: you were the last to edit these entries, so another reviewer must publish them:'));
    const ul = el('ul');
    for (const e of res.data.entries || []) ul.append(el('li', {}, entryLabel(e)));
    box.append(ul);
    say('Not published: another reviewer must publish your own edits.');
  } else if (res.data && res.data.error === 'facts_not_reviewed') {
    box.append(el('p', { className: 'bad' },
      'Not published: these changed texts state facts that nobody has marked reviewed yet:'));
    const ul = el('ul');
    for (const e of res.data.entries || []) ul.append(el('li', {}, entryLabel(e)));
    box.append(ul);
  } else if (res.data && res.data.error === 'conflict') {
    box.append(el('p', { className: 'bad' },
      'Not published: someone saved or published meanwhile. Look at the changes again, then publish.'));
  } else if (res.data && res.data.error === 'check_failed') {
    showProblems(box, res.data.problems, 'Not published: the checks found errors.');
  } else if (res.data && res.data.error === 'empty_draft') {
    box.append(el('p', { className: 'bad' }, 'Nothing to publish: the draft has no changes.'));
  } else if (res.status === 403) {
    box.append(el('p', { className: 'bad' }, 'Your account may not publish: a reviewer or a supervisor publishes.'));
  } else {
    box.append(el('p', { className: 'bad' }, errorText(res)));
  }
  await loadDraft();
});

// ---- the simulator on the draft ----
function simBubble(kind, text, meta, lang, rtl) {
  const li = el('li', { className: `msg ${kind}` });
  li.append(el('span', { className: 'text' }, text));
  if (lang) li.lang = lang;
  li.dir = rtl === true ? 'rtl' : 'auto';
  if (meta) li.append(el('small', { className: 'meta', dir: 'ltr', lang: 'en' }, meta));
  $('sim-messages').append(li);
  li.scrollIntoView({ block: 'end' });
  return li;
}

function simEvent(ev) {
  switch (ev.event) {
    case 'handover': return `Handed over to the helpline (queue ${ev.queue}, ${ev.priority})`;
    case 'erasure': return 'Everything stored about this person would be erased now';
    case 'language': return `Language set to ${ev.language}`;
    case 'end': return 'The conversation ended';
    case 'error': return `Flow error: ${ev.message}`;
    default: return ev.event;
  }
}

$('sim-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('sim-text').value;
  if (!text.trim()) return;
  $('sim-text').value = '';
  $('sim-send').disabled = true;
  simBubble('in', text);
  const res = await api('POST', '/api/studio/simulate', {
    session: state.sim.session, text, language: $('sim-lang').value, channel: $('sim-channel').value,
  });
  $('sim-send').disabled = false;
  $('sim-text').focus();
  if (res.status !== 200) {
    simBubble('event', `Could not send: ${errorText(res)}`);
    return;
  }
  state.sim.session = res.data.session;
  for (const r of res.data.replies || []) {
    const meta = r.encoding ? `${r.encoding} · ${r.segments} ${r.segments === 1 ? 'segment' : 'segments'}` : '';
    const li = simBubble('out', r.text, meta, r.language, r.rtl);
    if (r.segments !== undefined) li.dataset.segments = String(r.segments);
  }
  for (const e of res.data.events || []) simBubble('event', simEvent(e));
});

function simReset() {
  state.sim.session = null;
  $('sim-messages').replaceChildren();
}
$('sim-reset').addEventListener('click', () => { simReset(); $('sim-text').focus(); });
$('sim-lang').addEventListener('change', simReset);

// ---- history ----
async function loadVersions() {
  const res = await api('GET', '/api/studio/versions');
  if (res.status !== 200) return say(errorText(res));
  state.published = res.data.published;
  const rows = $('version-rows');
  rows.replaceChildren();
  for (const v of res.data.versions) {
    const tr = rows.insertRow();
    tr.dataset.version = String(v.id);
    const b = el('button', { type: 'button', className: 'link' },
      `Version ${v.id}${v.id === res.data.published ? ' (published)' : ''}`);
    b.addEventListener('click', () => openVersion(v.id));
    tr.insertCell().append(b);
    tr.insertCell().append(when(v.at));
    tr.insertCell().append(v.by || '');
    tr.insertCell().append(v.message || '');
    tr.insertCell().append(v.origin || '');
    tr.insertCell().append(String(v.changes ?? ''));
  }
}

async function openVersion(id) {
  const res = await api('GET', `/api/studio/versions/${id}`);
  if (res.status !== 200) return say(errorText(res));
  const v = res.data;
  state.version = v;
  $('version-view').hidden = false;
  $('version-view').dataset.version = String(v.id);
  $('vv-title').textContent = `Version ${v.id}`;
  $('vv-meta').textContent = [when(v.at), v.by, v.origin, v.message].filter(Boolean).join(' · ');
  const box = $('vv-changes');
  box.replaceChildren();
  for (const c of v.changes || []) {
    const art = el('article', { className: 'diff', 'data-entry': c.entry });
    art.append(el('h3', {}, entryLabel(c.entry)));
    const before = el('div', { className: 'before' });
    const [b, a] = diffViews(c.entry, c.before, c.after);
    before.append(el('h4', {}, 'Before'), b);
    const after = el('div', { className: 'after' });
    after.append(el('h4', {}, 'After'), a);
    const sides = el('div', { className: 'sides' });
    sides.append(before, after);
    art.append(sides);
    box.append(art);
  }
  if (!(v.changes || []).length) box.append(el('p', { className: 'muted' }, 'No changes against the version before.'));
  const current = v.id === state.published;
  $('rollback-open').disabled = current;
  $('rollback-open').title = current ? 'This version is the one published' : '';
  $('rollback-form').hidden = true;
  $('vv-title').tabIndex = -1;
  $('vv-title').focus();
}

$('rollback-open').addEventListener('click', () => {
  $('rollback-form').hidden = false;
  $('rollback-message').value = `Back to version ${state.version.id}`;
  $('rollback-message').focus();
});
$('rollback-cancel').addEventListener('click', () => { $('rollback-form').hidden = true; });
$('rollback-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const id = state.version.id;
  const res = await api('POST', `/api/studio/versions/${id}/rollback`, { message: $('rollback-message').value.trim() });
  if (res.status !== 200) return say(`Not rolled back: ${errorText(res)}`);
  $('rollback-form').hidden = true;
  say(`Rolled back: version ${res.data.version} has the content of version ${id}.`);
  await loadVersions();
  await openVersion(res.data.version);
});

// ---- translators' files ----
function updatePoLink() {
  const lang = $('po-lang').value;
  $('po-download').href = lang ? `/api/studio/po/${encodeURIComponent(lang)}` : '#';
  $('po-download').setAttribute('download', `${lang}.po`);
}
$('po-lang').addEventListener('change', updatePoLink);

$('po-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const file = $('po-file').files[0];
  const lang = $('po-lang').value;
  const out = $('po-result');
  const table = $('po-problems');
  out.replaceChildren();
  table.hidden = true;
  if (!file) {
    out.append(el('p', { className: 'bad' }, 'Choose a PO file first.'));
    return;
  }
  const res = await api('POST', `/api/studio/po/${encodeURIComponent(lang)}`, null,
    { type: 'text/x-gettext-translation', body: file });
  if (res.status === 200) {
    out.append(el('p', { className: 'ok' },
      `${langName(lang)}: ${res.data.merged} translations merged into the draft, ${res.data.unchanged} unchanged.`));
    say(`Uploaded ${file.name}.`);
    loadDraftCount();
  } else {
    out.append(el('p', { className: 'bad' }, res.data && res.data.error === 'invalid_po'
      ? 'Nothing was merged: the file has errors.' : `Not uploaded: ${errorText(res)}`));
  }
  const problems = (res.data && res.data.problems) || [];
  if (problems.length) {
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const p of problems) {
      const tr = body.insertRow();
      tr.className = `sev-${p.severity}`;
      for (const v of [p.severity, p.msgctxt || '', p.line ?? '', p.message]) tr.insertCell().append(String(v));
    }
    table.hidden = false;
  }
});

Staff.start();
