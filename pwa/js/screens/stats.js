// Open data dashboard: public figures for anyone, no sign-in. Each section loads on its own, so one slow or
// refused dataset (parking allows at most 366 days) doesn't hide the others.
import { get } from '../api.js';
import { EMPTY, addCells, barChart, cell, dataTable, hbarChart, lineChart, monthLabel, num, showCell } from '../charts.js';
import { fmtDate, h, rupiah, spinner } from '../dom.js';
import { t } from '../i18n.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function presetRange(preset, today = new Date()) {
  const y = today.getFullYear();
  const m = today.getMonth();
  if (preset === 'year') return [iso(new Date(y, 0, 1)), iso(today)];
  if (preset === 'last_year') return [iso(new Date(y - 1, 0, 1)), iso(new Date(y - 1, 11, 31))];
  const months = preset === '6' ? 6 : 12;
  return [iso(new Date(y, m - months + 1, 1)), iso(today)];
}

function period() {
  const q = new URLSearchParams(location.hash.split('?')[1] || '');
  const from = q.get('from');
  const to = q.get('to');
  if (DAY.test(from || '') && DAY.test(to || '') && from <= to) return { from, to, preset: q.get('p') || 'custom' };
  const [f, tt] = presetRange('12');
  return { from: f, to: tt, preset: '12' };
}

function monthsBetween(from, to) {
  const out = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

const query = (p, extra = '') => `from=${p.from}&to=${p.to}${extra}`;

function picker(p) {
  const presets = ['12', '6', 'year', 'last_year', 'custom'];
  const choice = h('select', { id: 'stats-preset', name: 'preset' },
    presets.map((v) => h('option', { value: v, selected: v === p.preset }, t(`stats.preset.${v}`))));
  const from = h('input', { type: 'date', id: 'stats-from', name: 'from', value: p.from, required: true });
  const to = h('input', { type: 'date', id: 'stats-to', name: 'to', value: p.to, required: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const apply = (preset) => {
    if (!from.value || !to.value || from.value > to.value) { error.textContent = t('stats.bad_period'); return; }
    location.hash = `#/stats?${query({ from: from.value, to: to.value }, `&p=${preset}`)}`;
  };
  choice.addEventListener('change', () => {
    if (choice.value === 'custom') { from.focus(); return; }
    [from.value, to.value] = presetRange(choice.value);
    apply(choice.value);
  });
  const form = h('form', { class: 'card period', onsubmit: (e) => { e.preventDefault(); apply('custom'); } },
    h('div', { class: 'field' }, h('label', { for: 'stats-preset' }, t('stats.period')), choice),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'stats-from' }, t('stats.from')), from),
      h('div', { class: 'field' }, h('label', { for: 'stats-to' }, t('stats.to')), to)),
    error,
    h('button', { type: 'submit', class: 'primary' }, t('stats.show')));
  return form;
}

function figures(items) {
  return h('dl', { class: 'kpis' }, items.map(([label, value]) => h('div', { class: 'kpi' }, h('dt', {}, label), h('dd', {}, value))));
}

function section(id, titleKey, p, load) {
  const body = h('div', { class: 'section-body' }, spinner());
  const el = h('section', { class: 'card stats', id: `stats-${id}`, 'aria-labelledby': `stats-${id}-h` },
    h('h2', { id: `stats-${id}-h` }, t(titleKey)), body,
    h('p', { class: 'download' }, h('a', {
      href: `/api/v1/stats/${id}?${query(p, '&format=csv')}`, download: `${id}-${p.from}-${p.to}.csv`, class: 'btn csv',
      'aria-label': t('stats.download_named', { name: t(titleKey) }),
    }, t('stats.download'))));
  (async () => {
    try {
      const data = await get(`/stats/${id}?${query(p)}`, { anonymous: true });
      body.replaceChildren(...load(data), h('p', { class: 'hint generated' }, t('stats.generated', { time: fmtDate(data.generated_at) })));
    } catch (e) {
      // The field messages say what is wrong (e.g. parking's 366-day limit); the summary alone doesn't.
      const detail = Object.values(e.errors || {}).flat(Infinity).filter((x) => typeof x === 'string');
      body.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, [e.message || t('error.generic'), ...detail].join(' ')));
    }
  })();
  return el;
}

function perMonth(months, items, pick) {
  const at = new Map(months.map((m, i) => [m, i]));
  const out = months.map(() => EMPTY);
  for (const it of items) {
    const i = at.get(it.month);
    if (i !== undefined) out[i] = addCells(out[i], pick(it));
  }
  return out;
}

const sum = (cells) => cells.reduce(addCells, EMPTY);
const mins = (v) => (v === null || v === undefined ? '—' : t('stats.minutes', { n: num(v, 1) }));
const hours = (v) => (v === null || v === undefined ? '—' : num(v, 1));

function documents(months) {
  return (data) => {
    const requested = perMonth(months, data.items, (it) => cell(it.requested));
    const signed = perMonth(months, data.items, (it) => cell(it.signed));
    const rejected = perMonth(months, data.items, (it) => cell(it.rejected));
    const series = [{ label: t('stats.doc.requested'), cls: 's0', values: requested },
      { label: t('stats.doc.signed'), cls: 's1', values: signed }];
    const byKel = [...data.items].sort((a, b) => (a.month === b.month ? a.kelurahan_name.localeCompare(b.kelurahan_name) : b.month.localeCompare(a.month)));
    return [
      figures([[t('stats.doc.requested'), showCell(sum(requested))], [t('stats.doc.signed'), showCell(sum(signed))],
        [t('stats.doc.rejected'), showCell(sum(rejected))]]),
      barChart({ title: t('stats.doc.chart'), desc: describe(months, series), months, series }),
      dataTable(t('stats.doc.chart'), [t('stats.month'), t('stats.doc.requested'), t('stats.doc.signed_th'), t('stats.doc.rejected')],
        months.map((m, i) => [monthLabel(m, true), showCell(requested[i]), showCell(signed[i]), showCell(rejected[i])])),
      h('details', { class: 'data-table' }, h('summary', {}, t('stats.doc.by_kelurahan')),
        h('p', { class: 'hint', id: 'stats-kel-note' }, t('stats.doc.hours_note')),
        h('div', { class: 'table-scroll' }, h('table', { 'aria-label': t('stats.doc.by_kelurahan'), 'aria-describedby': 'stats-kel-note' },
          h('thead', {}, h('tr', {}, [t('stats.month'), t('stats.doc.kelurahan'), t('stats.doc.requested'), t('stats.doc.signed_th'),
            t('stats.doc.median_h'), t('stats.doc.p90_h'), t('stats.doc.outside')].map((x, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : null }, x)))),
          h('tbody', {}, byKel.map((it) => h('tr', {}, h('td', {}, monthLabel(it.month, true)), h('th', { scope: 'row' }, it.kelurahan_name),
            [it.requested, it.signed].map((v) => h('td', { class: 'num' }, showCell(cell(v)))),
            h('td', { class: 'num' }, hours(it.median_hours_to_sign)), h('td', { class: 'num' }, hours(it.p90_hours_to_sign)),
            h('td', { class: 'num' }, it.share_outside_home === null ? '—' : `${num(it.share_outside_home * 100)}%`))))))),
    ];
  };
}

function brigade(months) {
  return (data) => {
    const calls = perMonth(months, data.items, (it) => cell(it.calls));
    const row = new Map(data.items.map((it) => [it.month, it]));
    const dur = (k) => months.map((m) => (row.get(m) ? row.get(m).call_to_on_scene_minutes[k] ?? null : null));
    const median = dur('median');
    const p90 = dur('p90');
    const latest = [...data.items].reverse().find((it) => it.call_to_on_scene_minutes.median !== null);
    const callSeries = [{ label: t('stats.brigade.calls'), cls: 's3', values: calls }];
    const lineSeries = [{ label: t('stats.brigade.median'), cls: 's0', values: median }, { label: t('stats.brigade.p90'), cls: 's2', values: p90 }];
    return [
      figures([[t('stats.brigade.calls'), showCell(sum(calls))],
        [latest ? t('stats.brigade.median_in', { month: monthLabel(latest.month, true) }) : t('stats.brigade.median'), mins(latest && latest.call_to_on_scene_minutes.median)],
        [latest ? t('stats.brigade.p90_in', { month: monthLabel(latest.month, true) }) : t('stats.brigade.p90'), mins(latest && latest.call_to_on_scene_minutes.p90)]]),
      barChart({ title: t('stats.brigade.calls_chart'), desc: describe(months, callSeries), months, series: callSeries }),
      lineChart({ title: t('stats.brigade.time_chart'), desc: describeLine(months, lineSeries), months, series: lineSeries, fmt: mins }),
      h('p', { class: 'hint' }, t('stats.brigade.gap')),
      dataTable(t('stats.brigade.time_chart'), [t('stats.month'), t('stats.brigade.calls'), t('stats.brigade.dispatch'), t('stats.brigade.median'), t('stats.brigade.p90')],
        months.map((m, i) => {
          const it = row.get(m);
          return [monthLabel(m, true), showCell(calls[i]), mins(it && it.answer_to_dispatch_minutes.median), mins(median[i]), mins(p90[i])];
        })),
    ];
  };
}

function parking(months) {
  return (data) => {
    const methods = ['qris', 'wallet', 'cash'];
    const series = methods.map((k, i) => ({ label: t(`method.${k}`), cls: `s${i}`,
      values: perMonth(months, data.items, (it) => ({ n: it[`revenue_${k}`] || 0, hidden: 0 })) }));
    const sessions = perMonth(months, data.items, (it) => cell(it.sessions));
    const total = series.reduce((a, se) => a + sum(se.values).n, 0);
    return [
      figures([[t('stats.parking.revenue'), rupiah(total)], [t('stats.parking.sessions'), showCell(sum(sessions))]]),
      barChart({ title: t('stats.parking.chart'), desc: describe(months, series, rupiah), months, series, stacked: true, fmt: rupiah }),
      dataTable(t('stats.parking.chart'), [t('stats.month'), t('stats.parking.sessions'), ...series.map((se) => se.label), t('stats.parking.revenue')],
        months.map((m, i) => [monthLabel(m, true), showCell(sessions[i]), ...series.map((se) => rupiah(se.values[i].n)),
          rupiah(series.reduce((a, se) => a + se.values[i].n, 0))])),
    ];
  };
}

function permits(data) {
  const rows = data.items.map((it) => ({ label: it.sector, value: it.permits }));
  const count = data.items.reduce((a, it) => a + it.permits, 0);
  const free = data.items.reduce((a, it) => a + it.free, 0);
  return [
    figures([[t('stats.permits.count'), num(count)], [t('stats.permits.free'), num(free)]]),
    hbarChart({ title: t('stats.permits.chart'), desc: rows.map((r) => `${r.label}: ${r.value}`).join('; '), rows }),
    dataTable(t('stats.permits.chart'), [t('stats.permits.sector'), t('stats.permits.count'), t('stats.permits.free'), t('stats.permits.sla')],
      data.items.map((it) => [it.sector, num(it.permits), num(it.free), it.avg_sla_working_days === null ? '—' : num(it.avg_sla_working_days, 1)])),
  ];
}

// The chart's text alternative: every month's figures in one sentence per series.
function describe(months, series, fmt = num) {
  return series.map((se) => `${se.label}: ${months.map((m, i) => `${monthLabel(m, true)} ${showCell(se.values[i], fmt)}`).join(', ')}`).join('. ');
}

function describeLine(months, series) {
  return series.map((se) => `${se.label}: ${months.map((m, i) => `${monthLabel(m, true)} ${mins(se.values[i])}`).join(', ')}`).join('. ');
}

export function renderStats(el) {
  const p = period();
  const months = monthsBetween(p.from, p.to);
  el.append(
    h('h1', { tabindex: '-1' }, t('stats.title')),
    h('p', { class: 'lead' }, t('stats.lead')),
    picker(p),
    h('p', { class: 'hint privacy' }, t('stats.privacy')),
    section('documents', 'stats.documents', p, documents(months)),
    section('brigade', 'stats.brigade', p, brigade(months)),
    section('parking', 'stats.parking', p, parking(months)),
    section('permits', 'stats.permits', p, permits),
  );
}
