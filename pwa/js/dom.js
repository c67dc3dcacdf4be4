// Tiny DOM helpers: elements are built from text nodes, never parsed from strings, so server data cannot inject markup.
import { t } from './i18n.js';

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let uid = 0;
// A labelled form control: label[for] + control + error slot announced to screen readers.
export function field(labelKey, control, hintKey) {
  const id = control.id || `f${++uid}`;
  control.id = id;
  const err = h('p', { class: 'field-error', id: `${id}-err`, 'aria-live': 'polite' });
  const hint = hintKey ? h('p', { class: 'hint', id: `${id}-hint` }, t(hintKey)) : null;
  control.setAttribute('aria-describedby', [hint && `${id}-hint`, `${id}-err`].filter(Boolean).join(' '));
  return h('div', { class: 'field', 'data-field': control.name || '' }, h('label', { for: id }, t(labelKey)), control, hint, err);
}

export function showErrors(form, error) {
  form.querySelectorAll('.field-error').forEach((p) => { p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
  for (const [name, msgs] of flatten((error && error.errors) || {})) {
    const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!control) continue;
    control.setAttribute('aria-invalid', 'true');
    const slot = form.querySelector(`#${CSS.escape(control.id)}-err`);
    if (slot) slot.textContent = [].concat(msgs).join(' ');
  }
  const first = form.querySelector('[aria-invalid=true]');
  if (first) first.focus();
  const banner = form.querySelector('.form-error');
  if (banner) banner.textContent = error ? error.message || t('error.generic') : '';
}

// Nested field errors ({"fee": {"amount": […]}}) address the control named fee_amount.
function flatten(errors, prefix = '') {
  return Object.entries(errors).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v)
    ? flatten(v, `${prefix}${k}_`) : [[`${prefix}${k}`, v]]));
}

export function formData(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === 'file' || el.type === 'submit') continue;
    if (el.type === 'radio' && !el.checked) continue;
    if (el.value === '' && !el.required) continue;
    out[el.name] = el.type === 'number' ? Number(el.value) : el.value;
  }
  return out;
}

export function input(name, attrs = {}) {
  return h('input', { name, id: attrs.id || `in-${name}`, ...attrs });
}

export function select(name, options, attrs = {}) {
  return h('select', { name, id: attrs.id || `in-${name}`, ...attrs },
    options.map(([value, label]) => h('option', { value }, label)));
}

export function button(labelKey, attrs = {}) {
  return h('button', { type: 'button', ...attrs }, t(labelKey));
}

export function screen(titleKey, ...children) {
  return [h('h1', { tabindex: '-1', id: 'screen-title' }, t(titleKey)), ...children];
}

let toastTimer;
export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 4000);
}

export function fmtDate(iso, withTime = true) {
  if (!iso) return '';
  const d = new Date(iso);
  const opts = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
  return new Intl.DateTimeFormat(document.documentElement.lang || 'id', opts).format(d);
}

export function rupiah(n) {
  return new Intl.NumberFormat('id-ID', { style: 'currency', currency: 'IDR', maximumFractionDigits: 0 }).format(n || 0);
}

export function badge(kind, value) {
  return h('span', { class: `badge badge-${value}` }, t(`${kind}.${value}`));
}

export function spinner() {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}
