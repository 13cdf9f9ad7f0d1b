// Browser test: a newcomer opens the embedded default's home page and chats
// with the flows in the phone-like simulator, in English then in Arabic, and
// sees the segment count of each reply.
//   node tests/e2e/browser/simulator.test.mjs build/gateway
import { startGateway, launchBrowser, check } from './harness.mjs';

const binary = process.argv[2] ? (await import('node:path')).resolve(process.argv[2]) : '';
if (!binary) {
  console.error('usage: simulator.test.mjs <path to gateway binary>');
  process.exit(2);
}

const gateway = await startGateway(binary);
const browser = await launchBrowser();
let failed = false;
try {
  const page = await browser.context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  await page.goto(gateway.base + '/');
  check(page.url().endsWith('/simulator/index.html'), 'the home page leads to the simulator');
  await page.waitForSelector('#language option[value="ar"]', { state: 'attached' });
  check(await page.locator('#language option[value="ar"]').textContent() === 'العربية — Arabic',
    'the language list names Arabic in its own script');

  // English, on SMS: the flow offers the language it guesses, then asks for consent.
  await page.fill('#text', 'hello');
  await page.click('#send');
  const out = page.locator('.msg.out');
  await out.nth(0).waitFor();
  const welcome = await out.nth(0).locator('.text').textContent();
  check(welcome.includes('Free, confidential helpline') && welcome.includes('1. English'),
    'the first reply is the welcome, offering the guessed language');
  check((await out.nth(0).locator('.meta').textContent()) === 'GSM-7 · 1 segment', 'each reply shows its encoding and segments');

  await page.fill('#text', '1');
  await page.press('#text', 'Enter');
  await out.nth(3).waitFor();
  const consent = await out.nth(2).locator('.text').textContent();
  const question = await out.nth(3).locator('.text').textContent();
  check(consent.includes('messages and answers') && question.includes('1. Yes'),
    'then what consent means, and the question with numbered answers');

  await page.fill('#text', '1');
  await page.press('#text', 'Enter');
  await out.nth(6).waitFor();
  const menu = await out.nth(6).locator('.text').textContent();
  check(menu.includes('1. Your rights') && menu.includes('3. Talk to a person'), 'the menu shows numbered options');

  await page.fill('#text', '3');
  await page.press('#text', 'Enter');
  await out.nth(7).waitFor();
  check((await out.nth(7).locator('.text').textContent()).includes('2. 18 or over'), 'talking to a person asks the age group');
  await page.fill('#text', '2');
  await page.press('#text', 'Enter');
  // The language choice was an event too; the handover is the last one.
  const handover = page.locator('.msg.event', { hasText: 'Handed over to a helpline operator' });
  await handover.first().waitFor({ timeout: 5000 }).catch(() => {});
  check(await handover.count() === 1, 'asking for a person hands over');

  // Arabic: a new conversation; replies right-to-left, UCS-2, answered with an Arabic-Indic digit.
  await page.selectOption('#language', 'ar');
  check(await page.locator('.msg').count() === 0, 'changing the language starts a new conversation');
  await page.fill('#text', 'مرحبا');
  await page.click('#send');
  await out.nth(0).waitFor();
  const first = out.nth(0);
  check((await first.getAttribute('dir')) === 'rtl' && (await first.getAttribute('lang')) === 'ar',
    'an Arabic reply is shown right-to-left');
  check(/[\u0600-\u06FF]/.test(await first.locator('.text').textContent()), 'what consent means is in Arabic');
  check((await first.locator('.meta').textContent()).startsWith('UCS-2 · '), 'an Arabic SMS is UCS-2');
  const segs = Number(await first.getAttribute('data-segments'));
  check(segs >= 2, 'the longer Arabic consent text is counted in several segments');
  await page.fill('#text', '١');
  await page.click('#send');
  await out.nth(4).waitFor();
  check((await out.nth(4).locator('.text').textContent()).includes('\n7. '), 'the Arabic digit one picks option 1, then the menu');

  // WhatsApp view: the channel is shown, replies still carry their would-be SMS cost.
  await page.selectOption('#channel', 'whatsapp');
  check((await page.locator('#phone-channel').textContent()) === 'WhatsApp', 'the phone shows the channel');

  check(pageErrors.length === 0, `no script errors on the page (${pageErrors.join('; ')})`);
} catch (e) {
  failed = true;
  console.error(e.stack || String(e));
  console.error('gateway log:\n' + gateway.stderr().slice(-4000));
} finally {
  await browser.close();
  await gateway.stop();
}
process.exit(failed ? 1 : 0);
