// Browser test: a person texts the helpline in Arabic by SMS (signed Twilio
// webhooks), asks for a human; an operator logs in to the console for the first
// time, changes the one-time password, sees the conversation arrive live,
// takes it, reads the Arabic history right-to-left, answers (the counter says
// UCS-2) and hands the person back to the bot. A fake Twilio REST API in this
// process (fake_twilio.mjs) records what the gateway sends.
//   node tests/e2e/browser/console.test.mjs build/gateway
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startGateway, launchBrowser, check, waitFor } from './harness.mjs';
import { startFakeTwilio, postSignedInbound } from './fake_twilio.mjs';

const binary = process.argv[2] ? resolve(process.argv[2]) : '';
if (!binary) {
  console.error('usage: console.test.mjs <path to gateway binary>');
  process.exit(2);
}

const ACCOUNT = 'AC' + randomBytes(16).toString('hex');
const TOKEN = randomBytes(16).toString('hex');
const HELPLINE = '+447700900000';
const PERSON = '+447700900123';

let inboundCount = 0;
async function textIn(gateway, body) {
  const params = {
    AccountSid: ACCOUNT, MessageSid: 'SM' + randomBytes(16).toString('hex'), From: PERSON, To: HELPLINE,
    Body: body, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
  };
  const r = await postSignedInbound(gateway, TOKEN, params);
  inboundCount += 1;
  if (r.status !== 200) throw new Error(`inbound webhook ${inboundCount} answered ${r.status}: ${await r.text()}`);
}


const twilio = await startFakeTwilio(ACCOUNT, TOKEN);
process.env.TWILIO_AUTH_TOKEN = TOKEN;
// Twilio was given the helpline's public address; the gateway listens on a port of its own.
const gateway = await startGateway(binary, {
  public_url: 'http://helpline.test',
  channels: [{
    id: 'uk-sms', type: 'twilio', account_sid: ACCOUNT, auth_token: 'env:TWILIO_AUTH_TOKEN',
    from: HELPLINE, api_base: twilio.base, max_per_second: 100,
  }],
});
const browser = await launchBrowser();
let failed = false;
try {
  // An operator account, as an administrator creates it.
  const added = spawnSync(binary, ['user', 'add', 'op1', '--role', 'operator', '--languages', 'ar,en',
    '--queues', 'general,urgent,safeguarding', '--config', gateway.configPath], { encoding: 'utf8' });
  check(added.status === 0, `gateway user add creates the operator (${added.stderr.trim()})`);
  const oneTime = added.stdout.trim().split('\n').pop().trim();
  check(oneTime.length >= 12 && !oneTime.includes(' '), 'and prints a one-time password');

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const csp = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });

  const first = await page.goto(gateway.base + '/console');
  check(page.url().endsWith('/console/index.html'), '/console leads to the console page');
  check((first.headers()['content-security-policy'] || '').includes("script-src 'self'"), 'the page is served with a strict CSP');
  await page.locator('#login-screen').waitFor();

  // First login: the one-time password must be changed before anything else.
  await page.fill('#login-username', 'op1');
  await page.fill('#login-password', 'not the password');
  await page.click('#login-submit');
  await page.waitForFunction(() => document.getElementById('login-error').textContent !== '');
  check(await page.locator('#login-screen').isVisible(), 'a wrong password keeps the login screen, with a message');
  await page.fill('#login-password', oneTime);
  await page.click('#login-submit');
  await page.locator('#password-screen').waitFor();
  check(true, 'logging in with the one-time password asks for a new password');
  const fresh = 'a long passphrase of my own 2026';
  await page.fill('#password-current', oneTime);
  await page.fill('#password-new', fresh);
  await page.fill('#password-confirm', fresh);
  await page.click('#password-submit');
  await page.locator('#desk').waitFor();
  await page.waitForSelector('#live[data-live="true"]');
  check(await page.locator('#whoami').textContent() === 'op1 (operator)', 'then the desk opens, with the live feed connected');
  check(await page.locator('#conversation-list li').count() === 0, 'nobody is waiting yet');

  // The person: Arabic greeting, picks Arabic (1), consents (1), asks for a human.
  await textIn(gateway, 'مرحبا');
  await textIn(gateway, '1');
  await textIn(gateway, '1');
  await waitFor('the Arabic menu at the fake Twilio', () => twilio.sent.some((m) => m.To === PERSON && /[\u0600-\u06FF]/.test(m.Body)));
  await textIn(gateway, 'HUMAN');

  // Live: the conversation appears without a reload (the page only reloads the list on an event).
  const item = page.locator('#conversation-list button[data-state="waiting"]');
  await item.first().waitFor({ timeout: 10000 });
  const itemText = await item.first().textContent();
  check(itemText.includes('general') && itemText.includes('ar'), 'the handover appears live in the queue, in general, in Arabic');
  check(itemText.includes('asked to talk to someone'), 'with the reason as text');
  check((await page.locator('#queue-figures li[data-queue="general"]').textContent()).includes('1 waiting'),
    'the queue figures count it');

  await page.click('#take-next');
  await page.locator('#conversation').waitFor();
  await page.waitForSelector('#history li.msg');
  check((await page.locator('#conv-state').textContent()).startsWith('assigned'), 'Take next assigns it to the operator');
  check((await page.locator('#address').textContent()) === '+44 •••• ••• 123', 'the address is masked');

  // One snapshot of the history, taken in a single evaluation: the console redraws
  // it when an update arrives, so elements looked up one call apart may be gone.
  const shown = await page.evaluate(() => [...document.querySelectorAll('#history li.msg')].map((e) => ({
    author: e.dataset.author,
    incoming: e.classList.contains('in'),
    dir: e.getAttribute('dir'),
    direction: getComputedStyle(e).direction,
    text: e.querySelector('.text').textContent.trim(),
  })));
  check(shown.length >= 8, `the whole history is shown, the bot part too (${shown.length} messages)`);
  check(shown.filter((m) => m.author === 'bot').length >= 4, 'the bot messages are marked as the bot');
  const greeting = shown.find((m) => m.incoming && m.text.includes('مرحبا'));
  check(greeting && greeting.dir === 'auto', 'message bubbles carry dir="auto"');
  check(greeting.direction === 'rtl', 'the Arabic message reads right-to-left');
  const arabicBots = shown.filter((m) => m.author === 'bot' && /^[\u0600-\u06FF]/.test(m.text)).map((m) => m.direction);
  check(arabicBots.length >= 3 && arabicBots.every((d) => d === 'rtl'), `and so do the bot's Arabic replies (${arabicBots.join(' ')})`);
  check(shown.find((m) => m.author === 'bot').direction === 'ltr', 'while the English welcome reads left-to-right');

  // Canned replies, previewed in the person's language.
  await page.waitForSelector('#canned option[value="emergency.numbers"]', { state: 'attached' });
  await page.selectOption('#canned', 'emergency.numbers');
  check((await page.locator('#canned-preview').getAttribute('lang')) === 'ar', 'a canned reply is previewed in Arabic');
  check((await page.locator('#canned-meta').textContent()).includes('SMS'), 'with its SMS count');

  // The reply, with the live segment counter.
  const reply = 'مرحبا، أنا من فريق المساعدة. كيف يمكنني أن أساعدك اليوم؟';
  await page.fill('#reply-text', reply);
  await page.waitForFunction(() => document.getElementById('segment-counter').dataset.encoding === 'UCS-2');
  check(await page.locator('#segment-counter').textContent() === '1 SMS · UCS-2', 'the counter shows an Arabic reply as 1 SMS in UCS-2');
  await page.fill('#reply-text', reply + ' ' + reply);
  await page.waitForFunction(() => document.getElementById('segment-counter').textContent === '2 SMS · UCS-2');
  check(true, 'and counts a longer one as 2 SMS');
  await page.fill('#reply-text', reply);
  await page.click('#send-reply');
  const delivered = await waitFor('the operator reply at the fake Twilio', () => twilio.sent.find((m) => m.Body === reply));
  check(delivered.To === PERSON && delivered.From === HELPLINE, 'the reply reaches Twilio, to the person\'s number');
  await page.waitForSelector('#history li.msg[data-author="operator"]');
  check((await page.locator('#history li.msg[data-author="operator"]').last().locator('.text').textContent()) === reply,
    'and shows in the history as the operator\'s');

  // Beside the binary, never in the source tree: scripts/readme-screenshot.sh
  // copies it to docs/ when the README's picture is to be refreshed.
  const shot = join(dirname(binary), 'console-arabic.png');
  await page.screenshot({ path: shot, fullPage: true });
  check(statSync(shot).size > 10000, `a screenshot of the console is saved to ${shot}`);

  // Back to the bot: the person's next message is answered by the flows.
  await page.click('#close-bot');
  await page.waitForFunction(() => document.getElementById('conv-state').textContent.startsWith('closed'));
  check(true, 'closing hands the conversation back to the bot');
  const before = twilio.sent.length;
  await textIn(gateway, 'مرحبا');
  const botAgain = await waitFor('a bot reply after the close', () => twilio.sent.slice(before).find((m) => m.To === PERSON));
  check(botAgain.Body !== reply && /[\u0600-\u06FF]/.test(botAgain.Body), 'the person\'s next message gets the bot\'s Arabic reply');
  await page.waitForFunction(() => document.querySelectorAll('#conversation-list li').length === 0);
  check(true, 'and the queue is empty again');

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
