import { auth, get, post, request } from '../api.js';
import { badge, field, fmtDate, h, input, select, showErrors, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';
import * as outbox from '../outbox.js';
import { loadKelurahan } from './auth.js';

const ACCEPT = 'image/jpeg,image/png,application/pdf';

export async function renderList(el) {
  el.append(h('h1', { tabindex: '-1' }, t('letters.title')),
    h('p', {}, h('a', { class: 'btn primary', href: '#/letters/new' }, t('letters.new'))));
  const list = h('ul', { class: 'list', id: 'letter-list' });
  el.append(list, spinner());
  const queued = await outbox.pending('letter');
  list.append(...queued.map((item) => h('li', { class: 'pending-item', 'data-pending': item.key },
    h('div', { class: 'item' }, h('span', { class: 'title' }, item.meta.title || item.body.type_code),
      h('span', { class: 'meta' }, badge('outbox', 'pending'), ' ', fmtDate(new Date(item.created).toISOString()))))));
  try {
    const page = await get('/documents/requests');
    list.append(...page.items.map((r) => h('li', {}, h('a', { href: `#/letters/${r.id}` },
      h('span', { class: 'title' }, r.type_name || r.type_code),
      h('span', { class: 'meta' }, badge('docstatus', r.status), ' ', r.tracking_code || '', ' · ', fmtDate(r.created_at))))));
  } catch (e) {
    list.append(h('li', { class: 'item' }, e.message));
  }
  el.querySelector('.loading').remove();
  if (!list.children.length) list.append(h('li', { class: 'item' }, t('letters.none')));
  return outbox.onChange(() => { /* the pending banner refreshes; the list re-renders on the next visit */ });
}

export async function types() {
  return get('/documents/types', { anonymous: true });
}

export async function renderCatalogue(el) {
  el.append(h('h1', { tabindex: '-1' }, t('letters.choose_type')), spinner());
  const res = await types();
  const items = Array.isArray(res) ? res : res.items;
  el.querySelector('.loading').remove();
  el.append(h('ul', { class: 'list' }, items.map((ty) => h('li', {}, h('a', { href: `#/letters/new/${encodeURIComponent(ty.code)}` },
    h('span', { class: 'title' }, ty.name), h('span', { class: 'meta' }, ty.description || ''))))));
}

function control(f) {
  const name = `field_${f.name}`;
  const attrs = { required: Boolean(f.required), 'data-name': f.name };
  const opts = f.options || f.choices;
  if (opts) return select(name, [['', t('common.choose')], ...opts.map((o) => (typeof o === 'object' ? [o.value, o.label] : [o, o]))], attrs);
  if (f.type === 'text') return h('textarea', { name, id: `in-${name}`, ...attrs });
  const type = { date: 'date', integer: 'number', number: 'number' }[f.type] || 'text';
  return input(name, { type, ...attrs });
}

export async function renderForm(el, { code }) {
  el.append(spinner());
  const res = await types();
  const ty = (Array.isArray(res) ? res : res.items).find((x) => x.code === code);
  el.replaceChildren();
  if (!ty) { el.append(h('h1', { tabindex: '-1' }, t('error.not_found'))); return; }
  const home = auth.user.kelurahan_code;
  const kel = select('service_kelurahan_code', [[home || '', home || '']], { required: true });
  const files = (ty.requirements || []).map((req, i) => {
    const label = typeof req === 'string' ? req : req.name || req.text || req.label;
    const inp = h('input', { type: 'file', name: `file_${i}`, id: `in-file_${i}`, accept: ACCEPT, capture: 'environment' });
    return h('div', { class: 'field' }, h('label', { for: `in-file_${i}` }, t('letters.attach', { what: label })), inp);
  });
  const form = h('form', { class: 'card', novalidate: true },
    ty.description ? h('p', { class: 'hint' }, ty.description) : null,
    field('letters.service_kelurahan', kel, ty.any_kelurahan === false ? 'letters.home_only' : 'letters.any_kelurahan'),
    field('letters.purpose', h('textarea', { name: 'purpose', id: 'in-purpose', required: true })),
    (ty.fields || []).map((f) => field(null, control(f))),
    files.length ? h('h2', {}, t('letters.attachments')) : null, files,
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'btn primary' }, t('letters.submit')));
  // Field labels come from the letter type (server data), not from the translation files.
  form.querySelectorAll('.field').forEach((div) => {
    const c = div.querySelector('[data-name]');
    if (c) { const f = ty.fields.find((x) => x.name === c.dataset.name); div.querySelector('label').textContent = f.label || f.name; }
  });
  el.append(h('p', {}, h('a', { href: '#/letters/new' }, t('common.back'))), h('h1', { tabindex: '-1' }, ty.name), form);
  if (ty.any_kelurahan !== false) {
    loadKelurahan().then((all) => {
      kel.replaceChildren(...all.map((k) => h('option', { value: k.code }, `${k.name} (${k.kecamatan_name || ''})`)));
      kel.value = home;
    }).catch(() => { /* offline: home kelurahan only */ });
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { type_code: code, service_kelurahan_code: kel.value, purpose: form.purpose.value.trim(), fields: {} };
    for (const c of form.querySelectorAll('[data-name]')) {
      if (c.value !== '') body.fields[c.dataset.name] = c.type === 'number' ? Number(c.value) : c.value;
    }
    const missing = {};
    if (!body.purpose) missing.purpose = [t('letters.required')];
    for (const c of form.querySelectorAll('[data-name][required]')) if (!c.value) missing[c.name] = [t('letters.required')];
    if (Object.keys(missing).length) { showErrors(form, { message: t('letters.fix'), errors: missing }); return; }
    const attachments = [...form.querySelectorAll('input[type=file]')].flatMap((f) => [...f.files]);
    const btn = form.querySelector('[type=submit]');
    btn.disabled = true;
    const item = await outbox.enqueue('letter', '/documents/requests', body, attachments, { title: ty.name });
    const { sent, refused } = await outbox.flush();
    btn.disabled = false;
    const mine = sent.find((s) => s.key === item.key);
    const bad = refused.find((r) => r.item.key === item.key);
    if (mine) { toast(t('letters.sent')); location.hash = `#/letters/${mine.result.id}`; } else if (bad) {
      const err = bad.error;
      err.errors = Object.fromEntries(Object.entries(err.errors || {}).map(([k, v]) => [k === 'purpose' || k === 'service_kelurahan_code' ? k : `field_${k.replace(/^fields\.?/, '')}`, v]));
      showErrors(form, err);
    } else { toast(t('outbox.queued')); location.hash = '#/letters'; }
  });
}

export async function renderDetail(el, { id }) {
  el.append(spinner());
  const r = await get(`/documents/requests/${encodeURIComponent(id)}`);
  await withFieldLabels(r);
  el.replaceChildren(h('p', {}, h('a', { href: '#/letters' }, t('common.back'))), h('h1', { tabindex: '-1' }, r.type_name || r.type_code));
  el.append(requestFacts(r));
  const actions = h('div', { class: 'actions' });
  if (['signed', 'collected'].includes(r.status)) {
    const dl = h('button', { type: 'button', class: 'btn primary' }, t('letters.download'));
    dl.addEventListener('click', () => download(`/documents/requests/${r.id}/pdf`, `${r.tracking_code || r.id}.pdf`));
    actions.append(dl);
    el.append(h('div', { class: 'qr-box' }, await authImage(`/documents/requests/${r.id}/qr.png`, t('letters.qr_alt'))));
  }
  const act = async (action) => {
    try { await post(`/documents/requests/${r.id}/actions`, { action }); toast(t('common.saved')); el.replaceChildren(); renderDetail(el, { id }); } catch (e) { toast(e.message); }
  };
  if (r.status === 'needs_revision') actions.append(h('button', { type: 'button', class: 'btn primary', onclick: () => act('resubmit') }, t('action.resubmit')));
  if (['submitted', 'in_review', 'needs_revision'].includes(r.status)) actions.append(h('button', { type: 'button', class: 'btn danger', onclick: () => act('cancel') }, t('action.cancel')));
  el.append(actions);
  if (['submitted', 'in_review', 'needs_revision'].includes(r.status)) el.append(uploadForm(r, () => { el.replaceChildren(); renderDetail(el, { id }); }));
  el.append(history(r));
}

export function requestFacts(r) {
  return h('dl', { class: 'card facts' }, [
    ['letters.status', badge('docstatus', r.status)], ['letters.tracking', r.tracking_code],
    ['letters.number', r.letter && r.letter.number], ['letters.valid_until', r.letter && fmtDate(r.letter.valid_until, false)],
    ['letters.letter_status', r.letter && badge('verify.result', r.letter.status)], ['letters.service_kelurahan', r.service_kelurahan_name || r.service_kelurahan_code],
    ['letters.purpose', r.purpose], ['letters.created', fmtDate(r.created_at)],
    ...Object.entries(r.fields || {}).map(([k, v]) => [null, String(v), (r.field_labels || {})[k] || k]),
  ].filter(([, v]) => v).map(([k, v, raw]) => [h('dt', {}, k ? t(k) : raw), h('dd', {}, v)]));
}

// The type's own fields are labelled by the letter catalogue (server data, already in the city's language).
export async function withFieldLabels(r) {
  try {
    const res = await types();
    const ty = (Array.isArray(res) ? res : res.items).find((x) => x.code === r.type_code);
    r.field_labels = Object.fromEntries(((ty && ty.fields) || []).map((f) => [f.name, f.label || f.name]));
  } catch { r.field_labels = {}; }
  return r;
}

export function history(r) {
  return h('section', { class: 'card' }, h('h2', {}, t('letters.history')),
    h('ol', { class: 'steps' }, (r.history || []).map((x) => h('li', {}, t(`action.${x.action}`), ' → ', badge('docstatus', x.to_status), ' · ',
      fmtDate(x.created_at), x.actor_name ? ` · ${x.actor_name}` : '', x.note ? ` — ${x.note}` : ''))),
    (r.attachments || []).length ? [h('h2', {}, t('letters.attachments')),
      h('ul', { class: 'steps' }, r.attachments.map((a) => h('li', {}, a.original_name || a.id)))] : null);
}

function uploadForm(r, done) {
  const inp = h('input', { type: 'file', name: 'file', id: 'in-upload', accept: ACCEPT, capture: 'environment' });
  const form = h('form', { class: 'card', novalidate: true }, field('letters.add_attachment', inp),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'btn' }, t('letters.upload')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!inp.files.length) return;
    const fd = new FormData();
    fd.append('file', inp.files[0]);
    try { await request(`/documents/requests/${r.id}/attachments`, { method: 'POST', body: fd }); toast(t('common.saved')); done(); } catch (err) { showErrors(form, err); }
  });
  return form;
}

export async function download(path, filename) {
  try {
    const res = await request(path, { raw: true });
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).message || t('error.generic'));
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) { toast(e.message); }
}

export async function authImage(path, alt) {
  try {
    const res = await request(path, { raw: true });
    if (!res.ok) return h('p', {}, t('error.generic'));
    return h('img', { src: URL.createObjectURL(await res.blob()), alt, width: '240', height: '240' });
  } catch { return h('p', {}, t('error.offline')); }
}
