// Small SVG charts built with DOM calls (no markup strings, no inline styles: colours come from classes in app.css).
// Every chart is an <svg role="img"> named by its <title> and <desc>, followed by a legend and a data table, so a
// screen reader gets the figures as text. Values are "cells": {n, hidden} where hidden counts published "<5"
// values; those are never plotted as numbers, only marked with a hatched stub.
import { h } from './dom.js';
import { currentLang, t } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 300;
let uid = 0;

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export const cell = (v) => (v === '<5' ? { n: 0, hidden: 1 } : { n: Number(v) || 0, hidden: 0 });
export const addCells = (a, b) => ({ n: a.n + b.n, hidden: a.hidden + b.hidden });
export const EMPTY = { n: 0, hidden: 0 };

export const num = (n, digits = 0) => new Intl.NumberFormat(currentLang() === 'en' ? 'en' : 'id-ID',
  { maximumFractionDigits: digits }).format(n);
const compact = (n) => new Intl.NumberFormat(currentLang() === 'en' ? 'en' : 'id-ID',
  { notation: 'compact', maximumFractionDigits: 1 }).format(n);

// A published count as text: exact, "<5", or a lower bound when the sum includes hidden small counts.
export function showCell(c, fmt = num) {
  if (!c.hidden) return fmt(c.n);
  if (c.hidden === 1 && c.n === 0) return '<5';
  return `≥ ${fmt(c.n + c.hidden)}`;
}

export function monthLabel(ym, withYear = false) {
  const [y, m] = ym.split('-').map(Number);
  const opts = withYear ? { month: 'short', year: 'numeric', timeZone: 'UTC' } : { month: 'short', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(currentLang(), opts).format(new Date(Date.UTC(y, m - 1, 1)));
}

function niceMax(v) {
  if (v <= 0) return 4;
  const step = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * step >= v) return f * step;
  return 10 * step;
}

function frame(title, desc, height) {
  const id = `chart${++uid}`;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-labelledby': `${id}-t`, 'aria-describedby': `${id}-d`, class: 'chart-svg' },
    s('title', { id: `${id}-t` }, title), s('desc', { id: `${id}-d` }, desc),
    s('defs', {}, s('pattern', { id: `${id}-hatch`, width: 5, height: 5, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 5, height: 5, class: 'hatch-bg' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 5, class: 'hatch-line' }))));
  return { svg, hatch: `url(#${id}-hatch)` };
}

function axis(svg, box, max, fmt) {
  for (let i = 0; i <= 4; i += 1) {
    const v = (max * i) / 4;
    const y = box.bottom - (box.bottom - box.top) * (i / 4);
    svg.append(s('line', { x1: box.left, x2: box.right, y1: y, y2: y, class: i ? 'grid' : 'baseline' }));
    if (i % 2 === 0) svg.append(s('text', { x: box.left - 4, y: y + 4, 'text-anchor': 'end', class: 'tick' }, fmt(v)));
  }
}

function monthTicks(svg, box, months, band) {
  const every = Math.ceil(months.length / 6); // at most six labels: they must not overlap on a phone
  months.forEach((m, i) => {
    if (i % every) return;
    const x = box.left + band * (i + 0.5);
    svg.append(s('text', { x, y: box.bottom + 13, 'text-anchor': 'middle', class: 'tick' }, monthLabel(m)));
    if (i === 0 || (every < 12 && months.slice(i - every + 1, i + 1).some((x) => x.endsWith('-01')))) svg.append(s('text', { x, y: box.bottom + 25, 'text-anchor': 'middle', class: 'tick year' }, m.slice(0, 4)));
  });
}

function legend(series, extra) {
  return h('ul', { class: 'legend' },
    series.map((se) => h('li', {}, h('span', { class: `swatch ${se.cls}`, 'aria-hidden': 'true' }), se.label)),
    extra.map(([cls, text]) => h('li', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), text)));
}

// The caption sits outside the scrolling box (as the table's label) so a wide table never clips its title.
export function dataTable(caption, head, rows) {
  const id = `table${++uid}`;
  return h('details', { class: 'data-table' }, h('summary', {}, t('stats.table')), h('p', { id, class: 'table-title' }, caption),
    h('div', { class: 'table-scroll' }, h('table', { 'aria-labelledby': id },
      h('thead', {}, h('tr', {}, head.map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((x, i) => (i ? h('td', { class: 'num' }, x) : h('th', { scope: 'row' }, x)))))))));
}

// Bars per month, one per series side by side, or stacked. values[series][month] are cells.
export function barChart({ title, desc, months, series, stacked = false, fmt = num, axisFmt = compact }) {
  const height = 190;
  const box = { left: 38, right: W - 4, top: 8, bottom: height - 30 };
  const { svg, hatch } = frame(title, desc, height);
  const totals = months.map((_, i) => (stacked ? series.reduce((a, se) => a + se.values[i].n, 0)
    : Math.max(...series.map((se) => se.values[i].n))));
  const max = niceMax(Math.max(...totals));
  axis(svg, box, max, axisFmt);
  const band = (box.right - box.left) / Math.max(months.length, 1);
  const inner = band * 0.78;
  const barW = stacked ? inner : inner / series.length;
  const scale = (v) => ((box.bottom - box.top) * v) / max;
  let anyHidden = false;
  months.forEach((m, i) => {
    let base = box.bottom;
    series.forEach((se, k) => {
      const c = se.values[i];
      const x = box.left + band * i + (band - inner) / 2 + (stacked ? 0 : barW * k);
      const y0 = stacked ? base : box.bottom;
      const hgt = scale(c.n);
      if (hgt > 0) svg.append(s('rect', { x, y: y0 - hgt, width: Math.max(barW - 1, 1), height: hgt, class: se.cls },
        s('title', {}, `${se.label}, ${monthLabel(m, true)}: ${showCell(c, fmt)}`)));
      if (c.hidden) {
        anyHidden = true;
        svg.append(s('rect', { x, y: y0 - hgt - 12, width: Math.max(barW - 1, 1), height: 12, fill: hatch, class: `hidden-mark ${se.cls}-edge` },
          s('title', {}, `${se.label}, ${monthLabel(m, true)}: ${showCell(c, fmt)}`)));
      }
      if (stacked) base -= hgt;
    });
  });
  monthTicks(svg, box, months, band);
  return h('figure', { class: 'chart' }, svg, legend(series, anyHidden ? [['swatch-hidden', t('stats.legend_hidden')]] : []));
}

// Lines per month; null values leave a gap (and are explained by the caller's legend).
export function lineChart({ title, desc, months, series, fmt = num }) {
  const height = 180;
  const box = { left: 38, right: W - 4, top: 8, bottom: height - 30 };
  const { svg } = frame(title, desc, height);
  const max = niceMax(Math.max(0, ...series.flatMap((se) => se.values.filter((v) => v !== null))));
  axis(svg, box, max, (v) => num(v, 1));
  const band = (box.right - box.left) / Math.max(months.length, 1);
  const point = (i, v) => [box.left + band * (i + 0.5), box.bottom - ((box.bottom - box.top) * v) / max];
  for (const se of series) {
    let run = [];
    const flush = () => { if (run.length > 1) svg.append(s('polyline', { points: run.map((p) => p.join(',')).join(' '), class: `line ${se.cls}` })); run = []; };
    se.values.forEach((v, i) => {
      if (v === null) { flush(); return; }
      const [x, y] = point(i, v);
      run.push([x.toFixed(1), y.toFixed(1)]);
      svg.append(s('circle', { cx: x, cy: y, r: 3, class: `dot ${se.cls}` }, s('title', {}, `${se.label}, ${monthLabel(months[i], true)}: ${fmt(v)}`)));
    });
    flush();
  }
  monthTicks(svg, box, months, band);
  return h('figure', { class: 'chart' }, svg, legend(series, []));
}

// Horizontal bars with the label above each bar: long sector names stay readable on a narrow phone.
export function hbarChart({ title, desc, rows, cls = 's0', fmt = num }) {
  const rowH = 30;
  const height = rows.length * rowH + 4;
  const { svg } = frame(title, desc, height);
  const max = niceMax(Math.max(0, ...rows.map((r) => r.value)));
  rows.forEach((r, i) => {
    const y = i * rowH;
    svg.append(s('text', { x: 0, y: y + 11, class: 'tick label' }, r.label.length > 44 ? `${r.label.slice(0, 43)}…` : r.label));
    const wdt = Math.max(((W - 40) * r.value) / max, 1);
    svg.append(s('rect', { x: 0, y: y + 15, width: wdt, height: 10, class: cls }, s('title', {}, `${r.label}: ${fmt(r.value)}`)));
    svg.append(s('text', { x: wdt + 4, y: y + 24, class: 'tick' }, fmt(r.value)));
  });
  return h('figure', { class: 'chart' }, svg);
}
