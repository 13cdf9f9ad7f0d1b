// Staff sign-in, shared by the operator console (/console/) and the content
// studio (/studio/): the API helper (session cookie and CSRF token), the login
// form, the form that replaces a one-time password, and the logout button.
// A page loads this script before its own and calls Staff.init once with what
// differs between pages: its screens, who it names at the top, what it shows
// after sign-in and what it clears on logout.
'use strict';

const Staff = (() => {
  const $ = (id) => document.getElementById(id);
  let csrf = '';
  let page = null;

  // fetch with the session cookie; every request that is not a GET carries the
  // CSRF token. `raw` sends a body as it is ({type, body}, e.g. a PO file)
  // instead of JSON. An answer 401 (the session ended) shows the login, except
  // for the paths starting with the page's `keepOn401`.
  async function api(method, path, body, raw) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['X-CSRF-Token'] = csrf;
      headers['Content-Type'] = raw ? raw.type : 'application/json';
    }
    let r;
    try {
      r = await fetch(path, {
        method, headers, credentials: 'same-origin',
        body: method === 'GET' ? undefined : (raw ? raw.body : JSON.stringify(body || {})),
      });
    } catch (e) {
      return { status: 0, ok: false, data: { message: `the gateway cannot be reached (${e.message})` } };
    }
    let data = null;
    if (r.status !== 204) {
      try { data = await r.json(); } catch (e) { data = null; }
    }
    if (r.status === 401 && page && !path.startsWith(page.keepOn401)) showLogin();
    return { status: r.status, ok: r.ok, data };
  }

  function errorText(res) {
    return (res.data && res.data.message) || `the request failed (${res.status})`;
  }

  // A new element: `props` become attributes (className the class; a prop that
  // is undefined, null or false is left out, true is an empty attribute), and
  // `text` its text, never parsed as HTML.
  function el(tag, props = {}, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'className') e.className = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Shows one of the page's screens and hides the others.
  function show(screen) {
    for (const id of page.screens) $(id).hidden = id !== screen;
    $('logout').hidden = screen === 'login-screen';
    $('whoami').hidden = screen === 'login-screen';
  }

  function showLogin() {
    page.leave();
    show('login-screen');
    $('login-username').focus();
  }

  function showPassword() {
    show('password-screen');
    $('password-current').focus();
  }

  // The page opens with the session it may already have.
  async function start() {
    const res = await api('GET', '/api/auth/me');
    if (res.status !== 200) return showLogin();
    csrf = res.data.csrf_token;
    page.signedIn(res.data);
    if (res.data.must_change_password) return showPassword();
    return page.enter();
  }

  async function login(ev) {
    ev.preventDefault();
    $('login-error').textContent = '';
    const res = await api('POST', '/api/auth/login',
      { username: $('login-username').value, password: $('login-password').value });
    if (res.status !== 200) {
      $('login-error').textContent = errorText(res);
      return;
    }
    csrf = res.data.csrf_token;
    $('login-password').value = '';
    const me = await api('GET', '/api/auth/me');
    page.signedIn(me.data || { username: res.data.username, role: res.data.role });
    if (res.data.must_change_password) {
      $('password-current').value = '';
      return showPassword();
    }
    return page.enter();
  }

  async function changePassword(ev) {
    ev.preventDefault();
    $('password-error').textContent = '';
    if ($('password-new').value !== $('password-confirm').value) {
      $('password-error').textContent = 'The two new passwords differ.';
      return;
    }
    const res = await api('POST', '/api/auth/password',
      { current: $('password-current').value, new: $('password-new').value });
    if (res.status !== 200) {
      $('password-error').textContent = errorText(res);
      return;
    }
    csrf = res.data.csrf_token;
    for (const id of ['password-current', 'password-new', 'password-confirm']) $(id).value = '';
    $('status').textContent = 'Password changed.';
    return page.enter();
  }

  async function logout() {
    await api('POST', '/api/auth/logout');
    page.loggedOut();
    showLogin();
  }

  // Wires the forms and the logout button. `options`:
  //   screens    ids of the page's screens, 'login-screen' and 'password-screen' among them
  //   keepOn401  path prefix whose 401 answers do not show the login
  //   signedIn   (me) keeps the signed-in person (GET /api/auth/me) and names them
  //   enter      shows the page's work after sign-in (and after a new password)
  //   leave      forgets the person before the login is shown
  //   loggedOut  clears what the page showed, after logout
  function init(options) {
    page = options;
    $('login-form').addEventListener('submit', login);
    $('password-form').addEventListener('submit', changePassword);
    $('logout').addEventListener('click', logout);
  }

  return { init, api, errorText, el, show, showLogin, start };
})();
