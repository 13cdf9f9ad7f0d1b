// The console's statistics view, for supervisors and admins: the anonymised
// counts per ISO week of GET /api/stats, one table and one chart a metric. The
// tables hold exactly the figures of the API (a hidden count shows as the API's
// mark, "<11"); the charts draw a hidden count as an empty bar, never a guess.
// Chart.js (/vendor/chart.js/) is loaded the first time the view opens, so the
// operators' desk never loads it. Loaded before console.js, which opens and
// closes the view.
'use strict';

const StatsView = (() => {
  const $ = (id) => document.getElementById(id);

  // Conversations are charted week by week, stacked by value; every other
  // metric as one bar a value (its total over the period).
  const PER_WEEK = new Set(['conversations.channel', 'conversations.language', 'conversations.country']);
  const DURATIONS = {
    lt5m: 'under 5 minutes', lt15m: '5 to 15 minutes', lt60m: '15 to 60 minutes',
    lt240m: '1 to 4 hours', more: '4 hours or more',
  };
  // Okabe and Ito's palette, told apart with most kinds of colour blindness.
  const COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000',
    '#999999', '#8c510a'];

  let options = null;    // GET /api/stats/options
  let charts = [];       // the Chart instances shown
  let seq = 0;           // the latest request; older answers are dropped
  let chartLib = null;   // a promise of window.Chart

  const names = {
    language: new Intl.DisplayNames(['en'], { type: 'language' }),
    region: new Intl.DisplayNames(['en'], { type: 'region' }),
  };

  const el = Staff.el;

  function errorText(res) {
    const d = res.data || {};
    return d.message || d.error || `the request failed (${res.status})`;
  }

  // A row's name as people read it; the code stays in data-value.
  function valueLabel(metric, value) {
    if (value === 'unknown' || value === 'other') return value;
    try {
      if (metric === 'conversations.language') return `${names.language.of(value)} (${value})`;
      if (metric === 'conversations.country') return `${names.region.of(value)} (${value})`;
    } catch (e) {
      return value;
    }
    if (metric === 'handovers.first_reply' || metric === 'handovers.handling') return DURATIONS[value] || value;
    // ILO indicator codes read as words ("abuse of vulnerability").
    if (metric === 'indicator') return value.replace(/_/g, ' ');
    return value;
  }

  const shortWeek = (w) => w.replace(/^\d{4}-/, '');
  // A shown count, or null (no bar) for a hidden one.
  const drawn = (c) => (typeof c === 'number' ? c : null);

  function loadChartLib() {
    if (!chartLib) {
      chartLib = new Promise((ok, fail) => {
        if (window.Chart) return ok(window.Chart);
        const s = el('script', { src: '/vendor/chart.js/chart.umd.js' });
        s.addEventListener('load', () => ok(window.Chart));
        s.addEventListener('error', () => {
          chartLib = null;
          fail(new Error('the chart library could not be loaded'));
        });
        document.head.append(s);
      });
    }
    return chartLib;
  }

  function destroyCharts() {
    for (const c of charts) c.destroy();
    charts = [];
  }

  // The filters as the API takes them; an empty country means all.
  function filters() {
    const q = new URLSearchParams({ from: $('stats-from').value, to: $('stats-to').value });
    if ($('stats-country').value) q.set('country', $('stats-country').value);
    return q;
  }

  async function loadOptions() {
    const res = await Staff.api('GET', '/api/stats/options');
    if (res.status !== 200) {
      $('stats-error').textContent = errorText(res);
      return false;
    }
    options = res.data;
    $('stats-from').value = options.from;
    $('stats-to').value = options.to;
    const select = $('stats-country');
    select.replaceChildren(el('option', { value: '' }, 'All countries'),
      ...options.countries.map((c) => el('option', { value: c }, valueLabel('conversations.country', c))));
    return true;
  }

  // One metric's table: caption = its title, a column a week and the row
  // totals, a row a value and the week totals. Every count as the API gave it.
  function table(t, weeks) {
    const tab = el('table', { className: 'stat-table', 'data-metric': t.metric });
    tab.append(el('caption', {}, t.title));
    const head = el('tr');
    head.append(el('th', { scope: 'col' }, 'Value'));
    for (const w of weeks) {
      const th = el('th', { scope: 'col', 'data-week': w });
      th.append(el('span', { className: 'year' }, w.slice(0, 4)), document.createTextNode(` ${shortWeek(w)}`));
      head.append(th);
    }
    head.append(el('th', { scope: 'col', 'data-week': 'total' }, 'Total'));
    const cell = (count, week) => {
      const td = el('td', { 'data-week': week }, String(count));
      if (typeof count !== 'number') {
        td.className = 'hidden-count';
        td.title = 'Hidden: a small count, or one that would reveal it';
      }
      return td;
    };
    const body = el('tbody');
    for (const r of t.rows) {
      const tr = el('tr', { 'data-value': r.value });
      tr.append(el('th', { scope: 'row' }, valueLabel(t.metric, r.value)));
      r.weeks.forEach((c, i) => tr.append(cell(c, weeks[i])));
      tr.append(cell(r.total, 'total'));
      body.append(tr);
    }
    if (t.rows.length === 0) {
      const tr = el('tr', { className: 'empty' });
      tr.append(el('td', { colspan: String(weeks.length + 2) }, 'Nothing counted in this period.'));
      body.append(tr);
    }
    const foot = el('tfoot');
    const tr = el('tr', { 'data-value': 'total' });
    tr.append(el('th', { scope: 'row' }, 'Total'));
    t.total.weeks.forEach((c, i) => tr.append(cell(c, weeks[i])));
    tr.append(cell(t.total.total, 'total'));
    foot.append(tr);
    const thead = el('thead');
    thead.append(head);
    tab.append(thead, body, foot);
    return tab;
  }

  function chartConfig(t, weeks) {
    const colour = (i) => COLOURS[i % COLOURS.length];
    const common = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
    };
    if (PER_WEEK.has(t.metric)) {
      return {
        type: 'bar',
        data: {
          labels: weeks.map(shortWeek),
          datasets: t.rows.map((r, i) => ({
            label: valueLabel(t.metric, r.value), data: r.weeks.map(drawn), backgroundColor: colour(i),
          })),
        },
        options: {
          ...common,
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        },
      };
    }
    return {
      type: 'bar',
      data: {
        labels: t.rows.map((r) => valueLabel(t.metric, r.value)),
        datasets: [{
          label: 'In the period', data: t.rows.map((r) => drawn(r.total)),
          backgroundColor: t.rows.map((r, i) => colour(i)),
        }],
      },
      options: {
        ...common,
        indexAxis: 'y',
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }

  function render(report) {
    destroyCharts();
    const k = report.min_cell;
    $('stats-note').textContent = `Counts from 1 to ${k - 1} are shown as “${report.suppressed}”, and so is ` +
      'any other count or total from which one of them could be worked out. The charts leave hidden counts ' +
      'out (an empty bar); they are never estimated.';
    const country = report.country === 'all' ? 'all countries'
      : valueLabel('conversations.country', report.country);
    $('stats-period').textContent = `${report.from} to ${report.to} (${report.weeks.length} weeks), ${country}.`;
    const list = $('stats-tables');
    list.replaceChildren();
    const canvases = [];
    for (const t of report.tables) {
      // Nothing counted: no chart, the table alone.
      const section = el('section', { className: t.rows.length ? 'stat' : 'stat no-chart', 'data-metric': t.metric });
      const box = el('div', { className: 'chart-box' });
      box.hidden = t.rows.length === 0;
      // One bar a value: the chart grows with the rows (set through the DOM, as the CSP allows).
      if (!PER_WEEK.has(t.metric)) box.style.height = `${Math.max(8, 1.6 * t.rows.length + 3)}rem`;
      const canvas = el('canvas', { role: 'img', 'aria-label': `Chart: ${t.title}. The table beside it holds the figures.` });
      box.append(canvas);
      const scroll = el('div', { className: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t.title });
      scroll.append(table(t, report.weeks));
      section.append(box, scroll);
      list.append(section);
      canvases.push([canvas, t]);
    }
    return canvases;
  }

  async function drawCharts(canvases, weeks, mine) {
    let Chart;
    try {
      Chart = await loadChartLib();
    } catch (e) {
      $('stats-error').textContent = `${e.message}; the tables hold every figure.`;
      return;
    }
    if (mine !== seq) return;
    for (const [canvas, t] of canvases) {
      if (t.rows.length) charts.push(new Chart(canvas, chartConfig(t, weeks)));
    }
    $('stats').dataset.charts = String(charts.length);
  }

  async function load() {
    const mine = ++seq;
    $('stats-error').textContent = '';
    $('stats').dataset.loaded = 'false';
    const q = filters();
    const res = await Staff.api('GET', `/api/stats?${q}&format=json`);
    if (mine !== seq) return;
    if (res.status !== 200) {
      // No figures of other filters left under the error.
      showNothing();
      $('stats-error').textContent = errorText(res);
      return;
    }
    const csv = new URLSearchParams(q);
    csv.set('format', 'csv');
    $('stats-csv').href = `/api/stats?${csv}`;
    $('stats-csv').hidden = false;
    const canvases = render(res.data);
    await drawCharts(canvases, res.data.weeks, mine);
    if (mine === seq) $('stats').dataset.loaded = 'true';
  }

  // Shows the view; the filters keep what was chosen before.
  async function open() {
    if (!options && !(await loadOptions())) return;
    await load();
  }

  function showNothing() {
    destroyCharts();
    $('stats-tables').replaceChildren();
    $('stats-csv').hidden = true;
    $('stats-period').textContent = '';
  }

  // After logout: nothing of the figures stays on the page.
  function clear() {
    ++seq;
    options = null;
    showNothing();
    $('stats-error').textContent = '';
  }

  $('stats-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });

  return { open, clear };
})();
