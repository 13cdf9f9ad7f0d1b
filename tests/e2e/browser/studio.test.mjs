// Browser test: the content studio as content staff use it. An operator is told
// the studio is not for them (and the API answers 403). An editor opens the
// Ukrainian translation of the consent message, breaks a placeholder and sees
// the error, types past the SMS budget and sees the warning, saves a text
// within budget and marks it reviewed; changes the text of a menu choice from
// the menu flow's diagram; tries the draft in the simulator. A reviewer
// publishes; a person texting by SMS (signed Twilio webhooks, fake Twilio REST
// API in this process) gets the new texts from the running gateway. The
// history shows the version and its diff, and a rollback gives the next
// person the old texts again. The gateway runs on a copy of the content.
//   node tests/e2e/browser/studio.test.mjs build/gateway
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  startGateway, launchBrowser, check, repoRoot, waitFor, addUser, passphrase, login, firstLogin,
} from './harness.mjs';
import { startFakeTwilio, postSignedInbound } from './fake_twilio.mjs';

const binary = process.argv[2] ? resolve(process.argv[2]) : '';
if (!binary) {
  console.error('usage: studio.test.mjs <path to gateway binary>');
  process.exit(2);
}

const ACCOUNT = 'AC' + randomBytes(16).toString('hex');
const TOKEN = randomBytes(16).toString('hex');
const HELPLINE = '+447700900000';
const NEW_LABEL = 'Ваші права й допомога';

async function textIn(gateway, from, body) {
  const params = {
    AccountSid: ACCOUNT, MessageSid: 'SM' + randomBytes(16).toString('hex'), From: from, To: HELPLINE,
    Body: body, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
  };
  const r = await postSignedInbound(gateway, TOKEN, params);
  if (r.status !== 200) throw new Error(`inbound webhook answered ${r.status}: ${await r.text()}`);
}






// A colleague working from another browser: logs in through the API (and
// chooses a password of their own), then calls(method, path, body) -> {status, data}.
async function colleague(gateway, name, oneTime) {
  let cookie = '';
  let csrf = '';
  const call = async (method, path, body) => {
    const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (cookie) headers.Cookie = cookie;
    if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const r = await fetch(gateway.base + path, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body || {}) });
    // Debian 12's Node 18 has no Headers.getSetCookie(): the cookies come joined by ", ".
    const session = /(?:^|,\s*)(gw_session=[^;,]*)/.exec(r.headers.get('set-cookie') || '');
    if (session) cookie = session[1];
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (data && data.csrf_token) csrf = data.csrf_token;
    return { status: r.status, data };
  };
  const logged = await call('POST', '/api/auth/login', { username: name, password: oneTime });
  const changed = await call('POST', '/api/auth/password', { current: oneTime, new: passphrase(name) });
  if (logged.status !== 200 || changed.status !== 200) throw new Error(`${name} could not log in (${logged.status} ${changed.status})`);
  return call;
}

// A person texts the helpline in Ukrainian: the greeting (the number offers
// Ukrainian), 1 = Ukrainian, 1 = consent. Resolves to the bodies sent back.
async function ukrainianConversation(gateway, twilio, from) {
  const before = twilio.sent.length;
  await textIn(gateway, from, 'Привіт');
  await waitFor('the language offer', () => twilio.sent.slice(before).some((m) => m.To === from));
  await textIn(gateway, from, '1');
  await waitFor('the consent question', () => twilio.sent.slice(before).some((m) => m.To === from && /1\. Так/.test(m.Body)));
  await textIn(gateway, from, '1');
  await waitFor('the menu', () => twilio.sent.slice(before).some((m) => m.To === from && /^1\. Ваші права/m.test(m.Body)));
  return twilio.sent.slice(before).filter((m) => m.To === from).map((m) => m.Body);
}

const twilio = await startFakeTwilio(ACCOUNT, TOKEN);
process.env.TWILIO_AUTH_TOKEN = TOKEN;
const gateway = await startGateway(binary, ({ dir }) => {
  const content = join(dir, 'content');
  for (const d of ['flows', 'templates', 'translations']) cpSync(join(repoRoot, d), join(content, d), { recursive: true });
  return {
    content_dir: content,
    public_url: 'http://helpline.test',
    content: { publish_requires_second_person: true },
    channels: [{
      id: 'uk-sms', type: 'twilio', account_sid: ACCOUNT, auth_token: 'env:TWILIO_AUTH_TOKEN',
      from: HELPLINE, api_base: twilio.base, max_per_second: 100,
    }],
  };
});
const browser = await launchBrowser();
let failed = false;
try {
  const operatorPassword = addUser(binary, gateway, 'op1', 'operator', ['--languages', 'uk,en', '--queues', 'general']);
  const editorPassword = addUser(binary, gateway, 'ed1', 'editor', ['--languages', 'uk,ar']);
  const reviewerPassword = addUser(binary, gateway, 'rev1', 'supervisor', ['--languages', 'uk,en', '--queues', 'general']);

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1600, height: 1000 });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const csp = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  page.on('dialog', (d) => d.accept());

  // ---- an operator: not for them ----
  const first = await page.goto(gateway.base + '/studio');
  check(page.url().endsWith('/studio/index.html'), '/studio leads to the studio page');
  check((first.headers()['content-security-policy'] || '').includes("script-src 'self'"), 'the page is served with a strict CSP');
  await firstLogin(page, 'op1', operatorPassword);
  await page.locator('#forbidden-screen').waitFor();
  check((await page.locator('#forbidden-screen').textContent()).includes('for content staff'),
    'an operator is told that the studio is for content staff');
  const operatorApi = await page.evaluate(async () => {
    const me = await (await fetch('/api/auth/me')).json();
    const out = [];
    for (const p of ['/api/studio/templates', '/api/studio/flows', '/api/studio/draft', '/api/studio/versions']) {
      out.push((await fetch(p)).status);
    }
    out.push((await fetch('/api/studio/check', { method: 'POST', headers: { 'Content-Type': 'application/json',
      'X-CSRF-Token': me.csrf_token }, body: JSON.stringify({ key: 'menu.rights', lang: 'uk', text: 'x' }) })).status);
    return out;
  });
  check(operatorApi.every((s) => s === 403), `and the studio API answers the operator 403 (${operatorApi.join(' ')})`);
  await page.click('#logout');

  // ---- the editor: a Ukrainian translation ----
  await firstLogin(page, 'ed1', editorPassword);
  await page.locator('#studio').waitFor();
  check((await page.locator('#whoami').textContent()).startsWith('ed1 (editor'), 'the editor gets into the studio');
  await page.waitForSelector('#template-list button[data-key]');
  await page.selectOption('#filter-lang', 'uk');
  await page.fill('#filter-q', 'consent.intro');
  await page.waitForFunction(() => {
    const keys = [...document.querySelectorAll('#template-list button[data-key]')].map((b) => b.dataset.key);
    return keys.includes('consent.intro') && keys.length < 5;
  });
  check(true, 'the list filters by language and text');
  await page.click('#template-list button[data-key="consent.intro"]');
  await page.locator('#template-editor').waitFor();
  check((await page.locator('#te-source-text').inputValue()).includes('{days}'), 'the editor shows the English source');
  check((await page.locator('#te-comment').inputValue()).includes('{days} is a number'), 'and its comment for translators');
  const uk = page.locator('.lang-card[data-lang="uk"] .unit').first();
  const ukArea = uk.locator('textarea');
  check(await ukArea.getAttribute('lang') === 'uk' && await ukArea.getAttribute('dir') === 'ltr',
    'the Ukrainian text area is lang="uk", left to right');
  const arArea = page.locator('.lang-card[data-lang="ar"] textarea').first();
  check(await arArea.getAttribute('lang') === 'ar' && await arArea.getAttribute('dir') === 'rtl',
    'the Arabic one beside it is lang="ar", dir="rtl"');
  check(await page.locator('.lang-card').first().getAttribute('data-lang') === 'uk', 'the filtered language comes first');
  const original = await ukArea.inputValue();
  check(original.includes('{days}') && original.includes('Ми хотіли б зберігати'), 'it holds the Ukrainian translation');

  // A broken placeholder: the check says so while typing.
  await ukArea.fill(original.replace('{days}', '{dni}'));
  const placeholders = uk.locator('.check-report .placeholders');
  await placeholders.filter({ hasText: '{dni}' }).waitFor();
  const phText = await placeholders.textContent();
  check(phText.includes('missing {days}') && phText.includes('not in the source {dni}') &&
    (await placeholders.getAttribute('class')).includes('bad'), `a broken placeholder is shown as an error (${phText})`);
  await uk.locator('button.save').click();
  await uk.locator('.problems', { hasText: 'Not saved' }).waitFor();
  const refused = await uk.locator('.problems').textContent();
  check(refused.includes('days') && await uk.getAttribute('data-state') === 'dirty',
    `saving it is refused, with the server's problems shown (${refused})`);
  await ukArea.fill(original);
  await uk.locator('.check-report .placeholders.ok').waitFor();
  check(true, 'and the error goes away when it is fixed');

  // Typing past the budget.
  const counter = uk.locator('.check-report output.segments');
  await counter.waitFor();
  check(await counter.getAttribute('data-over') === 'false', `the text is within its SMS budget (${await counter.textContent()})`);
  await ukArea.focus();
  await page.keyboard.press('End');
  await ukArea.pressSequentially(' Якщо хочете, напишіть нам, і ми все пояснимо докладніше.', { delay: 5 });
  await uk.locator('.check-report output.segments[data-over="true"]').waitFor();
  const over = /^(\d+) \/ (\d+) segments$/.exec(await counter.textContent());
  check(over && Number(over[1]) > Number(over[2]), `typing past the budget turns the counter into a warning (${over && over[0]})`);
  check((await uk.locator('.check-report .sms').textContent()).includes('over the SMS budget'), 'that says so in words');
  const edited = original.replace('Ми хотіли б зберігати', 'Ми б зберігали');
  await ukArea.fill(edited);
  await uk.locator('.check-report output.segments[data-over="false"]').waitFor();
  check(true, `a shorter text is within the budget again (${await counter.textContent()})`);
  check(await uk.locator('.check-report details.previews').count() === 1, 'with previews of the channels');

  await uk.locator('button.save').click();
  await page.waitForFunction(() => document.querySelector('.lang-card[data-lang="uk"] .unit').dataset.state === 'fuzzy');
  check((await page.locator('#status').textContent()).startsWith('Saved to the draft'), 'Save keeps it in the draft');

  // A colleague saves the same translation meanwhile: the editor's next save is a conflict.
  const rev1 = await colleague(gateway, 'rev1', reviewerPassword);
  const current = await rev1('GET', '/api/studio/templates/consent.intro');
  const theirs = edited.replace('Бачить їх лише', 'Їх бачить лише');
  const saved = await rev1('POST', '/api/studio/translations/uk/consent.intro',
    { msgstr: theirs, fuzzy: true, base_revision: current.data.translations.uk.revision });
  check(current.data.translations.uk.msgstr === edited && saved.status === 200, 'a colleague saves another wording');
  await uk.locator('button.save').click();
  const conflict = uk.locator('.conflict');
  await conflict.locator('button.overwrite').waitFor();
  const conflictText = await conflict.textContent();
  check(conflictText.includes('rev1') && conflictText.includes('Їх бачить лише'),
    'saving again shows the conflict: who saved and their text');
  await conflict.locator('button.overwrite').click();
  await page.waitForFunction(() => document.querySelector('.lang-card[data-lang="uk"] .conflict').hidden &&
    document.getElementById('status').textContent.startsWith('Saved to the draft'));
  const after = await rev1('GET', '/api/studio/templates/consent.intro');
  check(after.data.translations.uk.msgstr === edited, 'the editor keeps their own text over it');
  await uk.locator('button.review').click();
  await page.waitForFunction(() => document.querySelector('.lang-card[data-lang="uk"] .unit').dataset.state === 'reviewed');
  check((await uk.locator('.state').textContent()).startsWith('reviewed'), 'Mark reviewed marks it reviewed');

  // Facts with a source, not reviewed yet: an editor without review rights may not mark them.
  await page.fill('#filter-q', '');
  await page.check('#filter-facts');
  await page.waitForFunction(() => document.querySelectorAll('#template-list button[data-key]').length > 0 &&
    [...document.querySelectorAll('#template-list .item')].every((b) => b.textContent.includes('facts not reviewed')));
  const factKey = await page.locator('#template-list button[data-key]').first().getAttribute('data-key');
  check(true, `the facts filter lists templates with a source not reviewed (${factKey} first)`);
  await page.click(`#template-list button[data-key="${factKey}"]`);
  await page.waitForFunction((k) => document.getElementById('te-title').textContent === k, factKey);
  check(await page.locator('#te-review-facts').isDisabled() &&
    (await page.locator('#te-facts-state').textContent()).includes('needs review rights'),
  'Mark facts reviewed is not offered to an editor without review rights, and says why');
  await page.uncheck('#filter-facts');

  // ---- translators' files: the draft's PO file, and an upload with an error ----
  await page.click('#tab-po');
  await page.selectOption('#po-lang', 'uk');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#po-download')]);
  const po = readFileSync(await download.path(), 'utf8');
  check(download.suggestedFilename() === 'uk.po' && po.includes('msgctxt "consent.intro"') && po.includes('Ми б зберігали'),
    'Download PO gives the draft\'s Ukrainian catalog, with the saved text');
  const broken = po.replace('{days} днів', '{dni} днів');
  check(broken !== po, 'a translator breaks a placeholder in it');
  await page.setInputFiles('#po-file', { name: 'uk.po', mimeType: 'text/x-gettext-translation', buffer: Buffer.from(broken) });
  await page.click('#po-upload');
  await page.waitForSelector('#po-problems:not([hidden]) tbody tr');
  const poRows = await page.locator('#po-problems tbody tr').allTextContents();
  check((await page.locator('#po-result').textContent()).includes('Nothing was merged') &&
    poRows.some((r) => r.includes('consent.intro') && /error/.test(r) && /\d/.test(r)),
  `the upload is refused, each problem with its msgctxt and line (${poRows[0]})`);

  // ---- the editor: a menu choice's text, from the diagram ----
  await page.click('#tab-flows');
  await page.selectOption('#flow-lang', 'uk');
  await page.selectOption('#flow-select', 'menu');
  // The menu's own diagram (another flow's, drawn first, may also have a step "ask").
  await page.waitForSelector('#diagram[data-flow="menu"][data-lang="uk"] svg g#node-ask');
  check(await page.locator('#diagram svg g[id^="node-"]').count() >= 8, 'the menu flow\'s diagram is inlined as SVG, a group per step');
  await page.click('#diagram svg g#node-ask');
  await page.locator('#node-editor').waitFor();
  check((await page.locator('#ne-title').textContent()) === 'Step ask (ask)', 'clicking a step opens its editor');
  check(await page.locator('#node-form tr.choice').count() === 7, 'with its seven choices');
  check(await page.locator('#choice-next-0').inputValue() === 'rights', 'each with where it leads');
  const rightsText = page.locator('.node-text[data-key="menu.rights"] textarea');
  await rightsText.waitFor();
  check(await rightsText.inputValue() === 'Ваші права', 'the choice "menu.rights" shows its Ukrainian text');
  await rightsText.fill(NEW_LABEL);
  await page.locator('.node-text[data-key="menu.rights"] button.save').click();
  await page.waitForFunction(() => document.querySelector('.node-text[data-key="menu.rights"] .unit').dataset.state === 'fuzzy');
  check(true, 'the new text of the choice is saved to the draft');
  await page.waitForFunction((t) => document.querySelector('#diagram svg').textContent.includes(t), NEW_LABEL);
  check(true, 'and the diagram shows it');

  // Rewiring: the server checks the whole flow on save, and its problems show next to the form.
  await page.click('#diagram svg g#node-ask');
  await page.waitForSelector('#choice-next-0');
  await page.selectOption('#choice-next-0', 'screening');
  await page.click('#save-node');
  await page.waitForFunction(() => document.getElementById('node-problems').textContent.includes('rights'));
  check((await page.locator('#node-problems').textContent()).includes('not reachable') &&
    await page.locator('#flow-dirty').isVisible(),
  'leading choice 1 elsewhere is refused: step rights would be unreachable, said next to the form');
  await page.click('#revert-flow');
  await page.waitForFunction(() => document.getElementById('flow-dirty').hidden &&
    document.getElementById('choice-next-0') && document.getElementById('choice-next-0').value === 'rights');
  check(true, 'Undo unsaved changes brings the saved flow back');

  // ---- the draft, tried in the simulator ----
  await page.click('#tab-draft');
  await page.waitForSelector('#change-rows tr[data-entry="translation:uk:menu.rights"]');
  check(await page.locator('#change-rows tr[data-entry="translation:uk:consent.intro"]').count() === 1,
    'the draft lists both changes');
  check((await page.locator('#change-rows tr[data-entry="translation:uk:menu.rights"]').textContent()).includes('ed1'),
    'with who made them');
  check(await page.locator('#publish').isDisabled() && (await page.locator('#publish-blocked').textContent()).length > 0,
    `the editor cannot publish, and is told why (${await page.locator('#publish-blocked').textContent()})`);
  await page.selectOption('#sim-lang', 'uk');
  await page.fill('#sim-text', 'Привіт');
  await page.click('#sim-send');
  await page.locator('#sim-messages li.out', { hasText: 'Ми б зберігали' }).waitFor();
  check(true, 'the simulator answers from the draft: the new consent text');
  await page.fill('#sim-text', '1');
  await page.click('#sim-send');
  await page.locator('#sim-messages li.out', { hasText: NEW_LABEL }).waitFor();
  check(await page.locator('#sim-messages li.out', { hasText: NEW_LABEL }).getAttribute('lang') === 'uk',
    'and the menu with the new choice text');
  await page.click('#logout');

  // ---- the reviewer publishes ----
  await login(page, 'rev1', passphrase('rev1'));
  await page.locator('#studio').waitFor();
  await page.click('#tab-draft');
  await page.waitForSelector('#change-rows tr[data-entry="translation:uk:menu.rights"]');
  await page.waitForFunction(() => !document.getElementById('publish').disabled);
  check(true, 'the reviewer may publish');
  await page.fill('#publish-message', 'Ukrainian: shorter consent text, clearer rights option');
  await page.click('#publish');
  await page.locator('#publish-result .ok').waitFor();
  const published = Number(/version (\d+)/.exec(await page.locator('#publish-result').textContent())[1]);
  check(published > 0, `publishing makes version ${published}`);
  await page.waitForFunction(() => document.querySelectorAll('#change-rows tr').length === 0);
  check(true, 'and empties the draft');

  // ---- a person texting by SMS gets the new texts, without a restart ----
  const bodies = await ukrainianConversation(gateway, twilio, '+380501234567');
  check(bodies.some((b) => b.includes('Ми б зберігали')), 'an SMS conversation gets the published consent text');
  check(bodies.some((b) => b.includes(`1. ${NEW_LABEL}`)), 'and the new menu choice text');

  // ---- the history: the version, its diff, a rollback ----
  await page.click('#tab-history');
  await page.waitForSelector(`#version-rows tr[data-version="${published}"]`);
  const row = await page.locator(`#version-rows tr[data-version="${published}"]`).textContent();
  check(row.includes('rev1') && row.includes('clearer rights option') && row.includes('publish'),
    'the history lists the version with who, the message and its origin');
  await page.click(`#version-rows tr[data-version="${published}"] button`);
  const diff = page.locator('#vv-changes .diff[data-entry="translation:uk:menu.rights"]');
  await diff.waitFor();
  check((await diff.locator('.before').textContent()).includes('Ваші права') &&
    (await diff.locator('.after').textContent()).includes(NEW_LABEL), 'opening it shows each entry before and after');
  const previous = await page.evaluate((v) => Math.max(...[...document.querySelectorAll('#version-rows tr')]
    .map((tr) => Number(tr.dataset.version)).filter((n) => n < v)), published);
  check(previous > 0 && previous < published, `the version before it is ${previous}`);
  await page.click(`#version-rows tr[data-version="${previous}"] button`);
  await page.waitForFunction((v) => document.getElementById('version-view').dataset.version === String(v), previous);
  await page.click('#rollback-open');
  await page.fill('#rollback-message', 'Back to the reviewed wording');
  await page.click('#rollback-confirm');
  await page.waitForFunction((v) => Number(document.getElementById('version-view').dataset.version) > v, published);
  const rolled = Number(await page.locator('#version-view').getAttribute('data-version'));
  check((await page.locator(`#version-rows tr[data-version="${rolled}"]`).textContent()).includes('rollback'),
    `rolling back makes version ${rolled}, marked as a rollback`);

  const again = await ukrainianConversation(gateway, twilio, '+380501234568');
  check(again.some((b) => b.includes('Ми хотіли б зберігати')), 'the next SMS conversation gets the old consent text');
  check(again.some((b) => /^1\. Ваші права$/m.test(b)) && !again.some((b) => b.includes(NEW_LABEL)),
    'and the old menu choice text');

  // ---- a reviewer marks facts reviewed; four eyes: they may not publish it themselves ----
  await page.click('#tab-templates');
  await page.check('#filter-facts');
  await page.waitForSelector(`#template-list button[data-key="${factKey}"]`);
  await page.click(`#template-list button[data-key="${factKey}"]`);
  await page.waitForFunction((k) => document.getElementById('te-title').textContent === k, factKey);
  await page.click('#te-review-facts');
  await page.waitForSelector('#te-facts-state[data-reviewed="true"]');
  check((await page.locator('#te-facts-state').textContent()).startsWith('Facts reviewed by rev1 on '),
    'a reviewer marks the facts reviewed, and the page says who and when');
  await page.click('#tab-draft');
  const ownRow = `#change-rows tr[data-entry="template:${factKey}"]`;
  await page.waitForSelector(ownRow);
  await page.waitForSelector('#publish-blocked[data-code="four_eyes"]');
  const why = await page.locator('#publish-blocked').textContent();
  check(await page.locator('#publish').isDisabled() && why.startsWith('Four eyes') && why.includes(factKey),
    `publishing one's own edit is refused: four eyes, naming the entry (${why})`);
  await page.click(`${ownRow} button.discard`);
  await page.waitForSelector(ownRow, { state: 'detached' });
  check(await page.locator('#change-rows tr').count() === 0, 'Discard drops the edit from the draft');

  // ---- the picture for the README: a diagram beside Arabic texts ----
  await page.click('#tab-flows');
  await page.selectOption('#flow-lang', 'ar');
  await page.waitForSelector('#diagram[data-flow="menu"][data-lang="ar"] svg g#node-ask');
  check(/[\u0600-\u06FF]/.test(await page.locator('#diagram svg').textContent()), 'the diagram shows the Arabic texts');
  // By keyboard this time: a step of the diagram takes the focus and opens with Enter.
  await page.focus('#diagram svg g#node-ask');
  await page.keyboard.press('Enter');
  await page.locator('.node-text[data-key="menu.rights"] textarea[lang="ar"][dir="rtl"]').waitFor();
  check(true, 'a step opens from the keyboard; in Arabic, its texts are right-to-left');
  // Beside the binary, never in the source tree: scripts/readme-screenshot.sh
  // copies it to docs/ when the README's picture is to be refreshed.
  const shot = join(dirname(binary), 'studio-flow-arabic.png');
  await page.screenshot({ path: shot });
  check(statSync(shot).size > 10000, `a screenshot of the studio is saved to ${shot}`);

  check(csp.length === 0, `no Content Security Policy violations (${csp.join('; ')})`);
  check(pageErrors.length === 0, `no script errors on the page (${pageErrors.join('; ')})`);
} catch (e) {
  failed = true;
  console.error(e.stack || String(e));
  console.error('gateway log:\n' + gateway.stderr().slice(-4000));
} finally {
  await browser.close();
  await gateway.stop();
  await twilio.close();
}
process.exit(failed ? 1 : 0);
