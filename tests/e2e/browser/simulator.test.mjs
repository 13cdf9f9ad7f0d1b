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

  // English, on SMS.
  await page.fill('#text', 'hello');
  await page.click('#send');
  const out = page.locator('.msg.out');
  await out.nth(1).waitFor();
  check((await out.nth(0).locator('.text').textContent()).includes('free and confidential helpline'),
    'the first reply is the welcome');
  const menu = await out.nth(1).locator('.text').textContent();
  check(menu.includes('1. About this helpline') && menu.includes('2. Talk to a person'), 'the menu shows numbered options');
  check((await out.nth(0).locator('.meta').textContent()) === 'GSM-7 · 1 segment', 'each reply shows its encoding and segments');

  await page.fill('#text', '2');
  await page.press('#text', 'Enter');
  await page.locator('.msg.event').first().waitFor();
  check((await page.locator('.msg.event').first().textContent()).includes('Handed over to a helpline operator'),
    'asking for a person hands over');

  // Arabic: a new conversation; replies right-to-left, UCS-2, answered with an Arabic-Indic digit.
  await page.selectOption('#language', 'ar');
  check(await page.locator('.msg').count() === 0, 'changing the language starts a new conversation');
  await page.fill('#text', 'مرحبا');
  await page.click('#send');
  await out.nth(1).waitFor();
  const first = out.nth(0);
  check((await first.getAttribute('dir')) === 'rtl' && (await first.getAttribute('lang')) === 'ar',
    'an Arabic reply is shown right-to-left');
  check((await first.locator('.text').textContent()).includes('خط مساعدة'), 'the welcome is in Arabic');
  check((await first.locator('.meta').textContent()).startsWith('UCS-2 · '), 'an Arabic SMS is UCS-2');
  await page.fill('#text', '١');
  await page.click('#send');
  await out.nth(3).waitFor();
  check((await out.nth(2).locator('.text').textContent()).includes('حقوقك'), 'the Arabic digit one picks option 1');
  const segs = Number(await out.nth(2).getAttribute('data-segments'));
  check(segs === 2, 'the longer Arabic reply is counted as 2 segments');

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
