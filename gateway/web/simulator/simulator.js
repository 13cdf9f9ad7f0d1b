// The browser simulator: a phone-like chat with the conversation flows.
// Talks to the gateway's /simulator/api/* routes; keeps the session id in
// memory only (a reload starts a new conversation).
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  let session = null;
  let busy = false;
  let csrf = null;  // behind the staff login: the session's CSRF token, sent with every POST

  function showError(text) {
    const el = $('error');
    el.textContent = text || '';
    el.hidden = !text;
  }

  function addBubble(kind, text, meta, lang, rtl) {
    const li = document.createElement('li');
    li.className = 'msg ' + kind;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    if (lang) li.lang = lang;
    li.dir = rtl === true ? 'rtl' : 'auto';
    li.appendChild(body);
    if (meta) {
      const m = document.createElement('small');
      m.className = 'meta';
      m.textContent = meta;
      li.appendChild(m);
    }
    $('messages').appendChild(li);
    li.scrollIntoView({block: 'end'});
    return li;
  }

  function describeEvent(ev) {
    switch (ev.event) {
      case 'handover': return 'Handed over to a helpline operator (queue ' + ev.queue + ', ' + ev.priority + ')';
      case 'erasure': return 'Everything stored about this person would be erased now';
      case 'language': return 'Language set to ' + ev.language;
      case 'end': return 'The conversation ended';
      case 'error': return 'Flow error: ' + ev.message;
      default: return ev.event;
    }
  }

  // POSTs are always application/json: the gateway refuses anything else.
  function postHeaders() {
    const h = {'Content-Type': 'application/json'};
    if (csrf) h['X-CSRF-Token'] = csrf;
    return h;
  }

  async function api(path, body) {
    const res = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : postHeaders(),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) throw new Error((data && data.message) || ('HTTP ' + res.status));
    return data;
  }

  async function send(text) {
    if (busy) return;
    busy = true;
    $('send').disabled = true;
    showError('');
    addBubble('in', text, null, null, false);
    try {
      const data = await api('/simulator/api/messages', {
        session: session,
        text: text,
        language: $('language').value,
        channel: $('channel').value,
        from: $('from').value.trim(),
      });
      session = data.session;
      for (const r of data.replies) {
        const meta = $('channel').value === 'sms'
          ? r.encoding + ' · ' + r.segments + (r.segments === 1 ? ' segment' : ' segments')
          : r.encoding + ' · ' + r.segments + ' SMS segments if sent by SMS';
        const li = addBubble('out', r.text, meta, r.language, r.rtl);
        li.dataset.segments = String(r.segments);
        li.dataset.encoding = r.encoding;
        li.dataset.language = r.language;
      }
      for (const ev of data.events || []) addBubble('event', describeEvent(ev), null, null, false);
    } catch (e) {
      showError('Could not send: ' + e.message);
    } finally {
      busy = false;
      $('send').disabled = false;
      $('text').focus();
    }
  }

  // Ends the conversation on the gateway, so that it does not count against this
  // address's limit; keepalive lets it go out while the page is being left.
  function endSession() {
    if (!session) return;
    const body = JSON.stringify({session: session});
    session = null;
    fetch('/simulator/api/end', {method: 'POST', keepalive: true, headers: postHeaders(), body: body})
      .catch(() => {});
  }

  function reset() {
    endSession();
    $('messages').replaceChildren();
    showError('');
    $('text').focus();
  }

  async function loadOptions() {
    try {
      const opts = await api('/simulator/api/options');
      if (opts.access === 'staff') csrf = (await api('/api/auth/me')).csrf_token || null;
      const sel = $('language');
      for (const l of opts.languages) {
        const o = document.createElement('option');
        o.value = l.code;
        o.textContent = l.native === l.name ? l.name : l.native + ' — ' + l.name;
        o.lang = l.code;
        sel.appendChild(o);
      }
      $('phone-title').textContent = opts.title || 'Helpline';
    } catch (e) {
      showError('Could not load the languages: ' + e.message);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('composer').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = $('text').value;
      if (!text.trim()) return;
      $('text').value = '';
      send(text);
    });
    $('reset').addEventListener('click', reset);
    $('channel').addEventListener('change', () => {
      $('phone-channel').textContent = $('channel').selectedOptions[0].textContent;
    });
    $('language').addEventListener('change', reset);
    window.addEventListener('pagehide', endSession);
    loadOptions();
  });
})();
