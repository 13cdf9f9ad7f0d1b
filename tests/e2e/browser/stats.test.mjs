// Browser test: the statistics dashboard of the console. A week of 300
// conversations reaches the helpline by SMS (signed Twilio webhooks, a fake
// Twilio REST API in this process): 50 people in each of six languages, each
// from a number of their own (+44, +39, +385, +31), pick their language from
// the shipped flows' menu, answer the consent question, and many go on to the
// rights topics, the screening questions or ask for a person. A supervisor
// opens Statistics in the console: conversations by language show the six
// languages as counts of 11 or more; every table holds exactly the figures of
// GET /api/stats; the charts draw the shown counts and leave the hidden ones
// out; the CSV behind the Download link matches the tables cell for cell; no
// cell shows a count from 1 to 10. An operator gets 403 from the API and sees
// no Statistics link.
//   node tests/e2e/browser/stats.test.mjs build/gateway
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startGateway, launchBrowser, check, repoRoot, waitFor, addUser, firstLogin } from './harness.mjs';
import { startFakeTwilio, postSignedInbound } from './fake_twilio.mjs';

const binary = process.argv[2] ? resolve(process.argv[2]) : '';
if (!binary) {
  console.error('usage: stats.test.mjs <path to gateway binary>');
  process.exit(2);
}

const ACCOUNT = 'AC' + randomBytes(16).toString('hex');
const TOKEN = randomBytes(16).toString('hex');
const HELPLINE = '+447700900000';
const PEOPLE = 300;
const IN_FLIGHT = 60;  // conversations under way at once

// The six languages: the greeting a speaker sends, the number range they text
// from (the next digits count people), and the language's name in the menu
// (templates/welcome.json, written in the language itself). Every range is of
// a country of stats.countries (GB's 07700 900xxx, IT, HR, NL), so the rights
// flow never asks for a country and moves a conversation to another one: each
// language of each country counts 50, and nothing is hidden for being small
// in one country (the report of all countries merges each country's).
const LANGUAGES = [
  { code: 'en', hello: 'Hello', prefix: '+4477009000', digits: 2, label: 'English' },
  { code: 'ar', hello: 'مرحبا', prefix: '+4477009001', digits: 2, label: 'العربية' },
  { code: 'it', hello: 'Ciao', prefix: '+3933310', digits: 5, label: 'Italiano' },
  { code: 'hr', hello: 'Bok', prefix: '+3859110', digits: 5, label: 'Hrvatski' },
  { code: 'nl', hello: 'Hallo', prefix: '+316100', digits: 5, label: 'Nederlands' },
  { code: 'uk', hello: 'Привіт', prefix: '+316200', digits: 5, label: 'Українська' },
];

// The screening's questions, in order (flows/screening.json): which ones a
// person answers yes to decides the result (weights 1 + 1: medium).
const SCREENING = Object.keys(JSON.parse(readFileSync(join(repoRoot, 'flows/screening.json'), 'utf8')).nodes)
  .filter((id) => id.startsWith('q_'));
const MEDIUM = ['q_vulnerability', 'q_deception'];


// What the fake Twilio accepted, sorted by recipient as it arrives, so that
// 300 people each wait for their own replies without scanning everything.
function mailboxes(twilio) {
  const boxes = new Map();
  let seen = 0;
  const timer = setInterval(() => {
    for (; seen < twilio.sent.length; ++seen) {
      const m = twilio.sent[seen];
      if (!boxes.has(m.To)) boxes.set(m.To, []);
      boxes.get(m.To).push(m.Body);
    }
  }, 10);
  return {
    of: (to) => boxes.get(to) || [],
    stop: () => clearInterval(timer),
  };
}

// A question of the flows: its choices are numbered lines ("1. …").
const isQuestion = (body) => /(^|\n)\s*1\.\s/.test(body);

// One person's SMS conversation: `say(text)` posts a signed webhook and waits
// for the helpline's next question (or, with `final`, any answer), returning
// the messages sent back in the meantime.
function person(gateway, boxes, from) {
  let read = 0;
  return async function say(text, final = false) {
    const params = {
      AccountSid: ACCOUNT, MessageSid: 'SM' + randomBytes(16).toString('hex'), From: from, To: HELPLINE,
      Body: text, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
    };
    const r = await postSignedInbound(gateway, TOKEN, params);
    if (r.status !== 200) throw new Error(`inbound webhook answered ${r.status}: ${await r.text()}`);
    const got = await waitFor(`an answer to "${text}" from ${from.slice(0, 6)}…`, () => {
      const fresh = boxes.of(from).slice(read);
      return (final ? fresh.length > 0 : fresh.some(isQuestion)) && fresh;
    }, 45000, 20);
    read += got.length;
    return got;
  };
}

// The number in front of `label` in a question, or 0.
function choiceNumber(bodies, label) {
  for (const b of bodies) {
    const m = new RegExp(`(?:^|\\n)\\s*(\\d+)\\.\\s*${label}`).exec(b);
    if (m) return m[1];
  }
  return '0';
}

// The whole script of person `i`: the language, consent (one in four
// declines: 12 of each language), then by i % 5 the rights topics, the
// screening (about 36 people, two in three low, one in three medium) or else
// the rights, or a person (an adult: the general queue, 20 of each language).
// No screening ends high: an urgent handover or two in a country would hide
// (rule 2 of docs/statistics.md) that country's general queue, and with it the
// handovers of all countries. The gateway handles messages one at a time:
// about 1,800 of them here.
async function converse(gateway, boxes, i) {
  const lang = LANGUAGES[i % LANGUAGES.length];
  const n = Math.floor(i / LANGUAGES.length);
  const from = lang.prefix + String(n).padStart(lang.digits, '0');
  const say = person(gateway, boxes, from);

  // The first question offers the guessed language, or lists them all.
  let asked = await say(lang.hello);
  let pick = choiceNumber(asked, lang.label);
  if (pick === '0') {
    // "Other languages" is the last choice of the offer.
    const last = [...asked.filter(isQuestion).pop().matchAll(/(?:^|\n)\s*(\d+)\.\s/g)].pop()[1];
    asked = await say(last);
    pick = choiceNumber(asked, lang.label);
    if (pick === '0') throw new Error(`${lang.code} is not in the list of languages`);
  }
  await say(pick);                         // the consent question
  await say(n % 4 === 3 ? '2' : '1');     // declined or given; then the main menu
  const group = i % 5 === 2 && n % 5 >= 3 ? 0 : i % 5;
  switch (group) {
    case 0:
    case 1:
      await say('1');                      // rights: the topics of the number's country
      await say(String((n % 4) + 1));      // a topic (or, without a country, a country)
      break;
    case 2: {
      await say('2');                      // screening: is it safe to answer now?
      await say('1');                      // yes; in danger now?
      await say('2');                      // no; age group?
      await say('2');                      // an adult; then the questions, yes = 1, no = 2
      const yes = n % 3 === 2 ? MEDIUM : [];
      // After the last one, the result and what next.
      for (const id of SCREENING) await say(yes.includes(id) ? '1' : '2');
      break;
    }
    default:
      await say('3');                      // a person: age group?
      await say('2', true);                // an adult: handed over to the general queue
      break;
  }
}

// Runs `count` jobs, at most `width` at once.
async function pool(count, width, job) {
  let next = 0;
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

// CSV (RFC 4180) to rows of fields.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; ++i; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}




// Everything the statistics view shows, read in one evaluation: each table's
// caption, weeks and cells (by row value and week), and each chart's data.
function readDashboard(page) {
  return page.evaluate(() => [...document.querySelectorAll('#stats-tables section.stat')].map((s) => {
    const table = s.querySelector('table');
    const canvas = s.querySelector('canvas');
    const chart = canvas && window.Chart ? window.Chart.getChart(canvas) : null;
    return {
      metric: table.dataset.metric,
      caption: table.querySelector('caption').textContent,
      weeks: [...table.querySelectorAll('thead th[data-week]')].map((th) => th.dataset.week),
      rows: [...table.querySelectorAll('tr[data-value]')].map((tr) => ({
        value: tr.dataset.value,
        headerScope: tr.querySelector('th').getAttribute('scope'),
        cells: [...tr.querySelectorAll('td')].map((td) => ({ week: td.dataset.week, text: td.textContent })),
      })),
      chart: chart ? {
        labels: chart.data.labels,
        datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })),
        indexAxis: chart.options.indexAxis || 'x',
      } : null,
    };
  }));
}

const twilio = await startFakeTwilio(ACCOUNT, TOKEN);
process.env.TWILIO_AUTH_TOKEN = TOKEN;
const gateway = await startGateway(binary, {
  public_url: 'http://helpline.test',
  channels: [{
    id: 'uk-sms', type: 'twilio', account_sid: ACCOUNT, auth_token: 'env:TWILIO_AUTH_TOKEN',
    from: HELPLINE, api_base: twilio.base, max_per_second: 2000,
  }],
});
const boxes = mailboxes(twilio);
const browser = await launchBrowser();
let failed = false;
try {
  const supOneTime = addUser(binary, gateway, 'sup1', 'supervisor', ['--languages', 'en,ar,it,hr,nl,uk',
    '--queues', 'general,urgent,safeguarding']);
  const opOneTime = addUser(binary, gateway, 'op1', 'operator', ['--languages', 'en', '--queues', 'general']);

  // The week of conversations.
  const started = Date.now();
  await pool(PEOPLE, IN_FLIGHT, (i) => converse(gateway, boxes, i));
  check(true, `${PEOPLE} people had their conversations by SMS in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(${twilio.sent.length} messages sent back)`);

  // The supervisor opens the statistics from the console.
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 900 });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const csp = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
  await page.goto(gateway.base + '/console/');
  await firstLogin(page, 'sup1', supOneTime);
  await page.locator('#desk').waitFor();
  check(await page.locator('#stats-link').isVisible(), 'a supervisor sees the Statistics link');
  await page.click('#stats-link');
  await page.waitForSelector('#stats[data-loaded="true"]', { timeout: 20000 });
  check(await page.locator('#stats').isVisible() && !(await page.locator('#desk').isVisible()),
    'which opens the statistics view in place of the desk');

  const options = await page.evaluate(async () => (await fetch('/api/stats/options')).json());
  check(await page.inputValue('#stats-from') === options.from && await page.inputValue('#stats-to') === options.to,
    `the period defaults to the one the API proposes (${options.from} to ${options.to})`);
  const countryChoices = await page.evaluate(() => [...document.querySelectorAll('#stats-country option')].map((o) => o.value));
  check(JSON.stringify(countryChoices) === JSON.stringify(['', ...options.countries]),
    `the country filter offers all countries and ${options.countries.join(', ')}`);

  // The JSON the page was built from, with the filters of its CSV link.
  const csvHref = await page.getAttribute('#stats-csv', 'href');
  check(/^\/api\/stats\?/.test(csvHref) && csvHref.includes('format=csv') && csvHref.includes(`from=${options.from}`),
    `the Download CSV link carries the filters (${csvHref})`);
  const report = await page.evaluate(async (href) =>
    (await fetch(href.replace('format=csv', 'format=json'))).json(), csvHref);
  const shown = await readDashboard(page);
  const mark = report.suppressed;
  check(mark === `<${report.min_cell}`, `the API marks hidden counts as ${mark}`);

  // Conversations by language: the six languages, each 11 or more.
  const languages = report.tables.find((t) => t.metric === 'conversations.language');
  for (const l of LANGUAGES) {
    const row = languages.rows.find((r) => r.value === l.code);
    check(row && typeof row.total === 'number' && row.total >= report.min_cell,
      `conversations in ${l.code} are counted and shown (${row && row.total})`);
  }
  const langTable = shown.find((t) => t.metric === 'conversations.language');
  for (const l of LANGUAGES) {
    const row = langTable.rows.find((r) => r.value === l.code);
    const total = row && row.cells.find((c) => c.week === 'total').text;
    check(/^\d+$/.test(total || '') && Number(total) >= 11, `the dashboard shows ${l.code} as a number (${total})`);
  }
  check(langTable.chart && langTable.chart.datasets.length === languages.rows.length &&
    LANGUAGES.every((l) => langTable.chart.datasets.some((d) => d.label.endsWith(`(${l.code})`))),
    'the language chart stacks one series a language');

  // Every table holds exactly the figures of the JSON, and the charts the shown ones.
  check(shown.length === report.tables.length && shown.every((t, i) => t.metric === report.tables[i].metric),
    `a chart and a table for each of the ${report.tables.length} metrics, in the API's order`);
  let cells = 0;
  let hidden = 0;
  for (const [i, t] of report.tables.entries()) {
    const s = shown[i];
    if (s.caption !== t.title) throw new Error(`${t.metric}: caption "${s.caption}" is not the title "${t.title}"`);
    if (JSON.stringify(s.weeks) !== JSON.stringify([...report.weeks, 'total'])) throw new Error(`${t.metric}: weeks differ`);
    const expected = [...t.rows, { value: 'total', ...t.total }];
    if (s.rows.length !== expected.length) throw new Error(`${t.metric}: ${s.rows.length} rows, the API has ${expected.length}`);
    for (const [j, r] of expected.entries()) {
      const row = s.rows[j];
      const want = [...r.weeks, r.total].map(String);
      const got = row.cells.map((c) => c.text);
      if (row.value !== r.value || row.headerScope !== 'row' || JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(`${t.metric} ${r.value}: the table shows ${JSON.stringify(got)}, the API ${JSON.stringify(want)}`);
      }
      cells += want.length;
      hidden += want.filter((c) => c === mark).length;
    }
    if (t.rows.length === 0) continue;
    // The chart: per week for conversations, else a bar a value of its total; hidden = no bar.
    const drawn = (c) => (typeof c === 'number' ? c : null);
    const data = t.metric.startsWith('conversations.')
      ? t.rows.map((r) => r.weeks.map(drawn)) : [t.rows.map((r) => drawn(r.total))];
    const charted = s.chart && s.chart.datasets.map((d) => d.data);
    if (JSON.stringify(charted) !== JSON.stringify(data)) {
      throw new Error(`${t.metric}: the chart draws ${JSON.stringify(charted)}, not the shown counts ${JSON.stringify(data)}`);
    }
  }
  check(hidden > 0, `every table holds the API's figures cell for cell (${cells} cells, ${hidden} of them hidden as ${mark})`);
  const queues = shown.find((t) => t.metric === 'handovers.queue');
  const general = queues && queues.rows.find((r) => r.value === 'general');
  check(general && general.cells.find((c) => c.week === 'total').text === String(2 * PEOPLE / 5),
    `the 120 people who asked for a person show as handovers to the general queue`);
  check(true, 'and every chart draws the shown counts, leaving the hidden ones out');

  const small = await page.evaluate(() => [...document.querySelectorAll('#stats td, #stats th')]
    .map((c) => c.textContent.trim()).filter((t) => /^(?:[1-9]|10)$/.test(t)));
  check(small.length === 0, `no cell on the page shows a count from 1 to 10 (${small.join(' ')})`);
  const note = await page.textContent('#stats-note');
  check(note.includes(mark) && note.includes(`1 to ${report.min_cell - 1}`), 'a note says what the mark hides');

  // The CSV behind the link, fetched with the page's cookie, matches the tables.
  const cookie = (await browser.context.cookies(gateway.base)).map((c) => `${c.name}=${c.value}`).join('; ');
  const csvAnswer = await fetch(gateway.base + csvHref, { headers: { Cookie: cookie } });
  check(csvAnswer.status === 200 && (csvAnswer.headers.get('content-type') || '').startsWith('text/csv') &&
    /attachment/.test(csvAnswer.headers.get('content-disposition') || ''),
    `the CSV downloads as an attachment (${csvAnswer.headers.get('content-disposition')})`);
  const csv = parseCsv(await csvAnswer.text());
  check(csv[0].join(',') === 'metric,value,week,count', 'with the header metric,value,week,count');
  const byKey = new Map(csv.slice(1).map((r) => [`${r[0]}|${r[1]}|${r[2]}`, r[3]]));
  let matched = 0;
  for (const t of shown) {
    for (const r of t.rows) {
      for (const c of r.cells) {
        const key = `${t.metric}|${r.value}|${c.week}`;
        if (byKey.get(key) !== c.text) throw new Error(`CSV ${key} is ${byKey.get(key)}, the table shows ${c.text}`);
        ++matched;
      }
    }
  }
  check(matched === csv.length - 1 && matched === cells,
    `the CSV matches the tables cell for cell (${matched} lines)`);

  // A country: the filter reaches the API, the tables and the CSV link.
  await page.selectOption('#stats-country', 'IT');
  await page.click('#stats-show');
  await page.waitForFunction(() => document.getElementById('stats-csv').getAttribute('href').includes('country=IT') &&
    document.getElementById('stats').dataset.loaded === 'true');
  const italy = await page.evaluate(async () =>
    (await fetch(document.getElementById('stats-csv').getAttribute('href').replace('format=csv', 'format=json'))).json());
  const italyShown = await readDashboard(page);
  const italyLanguages = italyShown.find((t) => t.metric === 'conversations.language');
  const italyJson = italy.tables.find((t) => t.metric === 'conversations.language');
  check(italy.country === 'IT' && JSON.stringify(italyLanguages.rows.map((r) => r.value)) ===
    JSON.stringify([...italyJson.rows.map((r) => r.value), 'total']),
    `Italy alone: the tables follow (${italyJson.rows.map((r) => `${r.value} ${r.total}`).join(', ')})`);
  check((await page.textContent('#stats-period')).includes('Italy'), 'and the period line names the country');

  // Back to all countries, the picture for the README.
  await page.selectOption('#stats-country', '');
  await page.click('#stats-show');
  await page.waitForFunction(() => !document.getElementById('stats-csv').getAttribute('href').includes('country=') &&
    document.getElementById('stats').dataset.loaded === 'true');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the view fits a 1366 pixel wide screen without scrolling sideways (${overflow})`);
  const shot = join(dirname(binary), 'stats-dashboard.png');
  await page.screenshot({ path: shot });
  check(statSync(shot).size > 10000, `a screenshot of the dashboard is saved to ${shot}`);

  check(csp.length === 0, `no Content Security Policy violations (${csp.join('; ')})`);
  check(pageErrors.length === 0, `no script errors on the page (${pageErrors.join('; ')})`);

  // An operator, on the same page at the same address (#statistics): no link,
  // no view, nothing left from the supervisor, and the API refuses.
  await page.click('#logout');
  await page.locator('#login-screen').waitFor();
  check(await page.locator('#stats-tables table').count() === 0 && !(await page.locator('#stats').isVisible()),
    'logging out clears the figures');
  await page.reload();
  check(page.url().endsWith('#statistics'), 'the page is opened again at #statistics');
  await firstLogin(page, 'op1', opOneTime);
  await page.locator('#desk').waitFor();
  check(!(await page.locator('#stats-link').isVisible()) && !(await page.locator('#views').isVisible()),
    'an operator sees no Statistics link');
  check(await page.locator('#desk').isVisible() && !(await page.locator('#stats').isVisible()),
    'and #statistics shows the desk');
  const refused = await page.evaluate(async () => {
    const r = await fetch('/api/stats?format=json');
    return { status: r.status, body: await r.json() };
  });
  check(refused.status === 403 && typeof refused.body.error === 'string', `the operator gets 403 from /api/stats (${refused.body.error})`);
  const csvRefused = await page.evaluate(async (href) => (await fetch(href)).status, csvHref);
  check(csvRefused === 403, 'and from the CSV link');
} catch (e) {
  failed = true;
  console.error(e.stack || String(e));
  console.error('gateway log:\n' + gateway.stderr().slice(-4000));
} finally {
  boxes.stop();
  await browser.close();
  await gateway.stop();
  await twilio.close();
}
process.exit(failed ? 1 : 0);
