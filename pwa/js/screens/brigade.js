import { auth, get, post } from '../api.js';
import { badge, field, fmtDate, h, input, select, showErrors, spinner, toast } from '../dom.js';
import { currentLang, t } from '../i18n.js';
import * as outbox from '../outbox.js';

let categoryCache = null;
// Category codes → labels in the current language (from the server's checklist).
export async function categoryLabels() {
  categoryCache = categoryCache || get('/brigade/categories', { anonymous: true }).catch(() => { categoryCache = null; return []; });
  const list = await categoryCache;
  return Object.fromEntries(list.map((c) => [c.code, currentLang() === 'en' ? c.label_en : c.label]));
}

const ACTIVE = ['received', 'triaged', 'dispatched', 'en_route', 'on_scene', 'transporting'];

function locate() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition((p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude }),
      () => resolve(null), { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  });
}

export async function renderCall(el) {
  el.append(h('h1', { tabindex: '-1' }, t('brigade.title')));
  const queued = await outbox.pending('brigade');
  if (queued.length) {
    el.append(h('section', { class: 'verdict verdict-unknown', id: 'brigade-pending', role: 'status' },
      h('h2', {}, t('brigade.pending_title')), h('p', {}, t('brigade.pending_body'))));
  }
  try {
    const mine = await get('/brigade/calls?status=active');
    const active = mine.items.filter((c) => ACTIVE.includes(c.status));
    if (active.length) {
      el.append(h('p', {}, h('a', { class: 'btn primary', href: `#/brigade/${active[0].id}` }, t('brigade.see_active'))));
    }
  } catch { /* offline: the form still works and queues */ }

  const me = auth.user;
  const where = h('p', { class: 'hint', id: 'gps-status', role: 'status' }, t('brigade.locating'));
  const labels = await categoryLabels();
  const cat = Object.keys(labels).length
    ? select('category', [['', t('common.choose')], ...Object.entries(labels)], { required: true })
    : input('category', { required: true });
  const form = h('form', { class: 'card', novalidate: true },
    field('brigade.category', cat),
    field('brigade.complaint', h('textarea', { name: 'complaint', id: 'in-complaint', required: true })),
    field('brigade.patient_name', input('patient_name', { required: true, value: me.full_name || '' })),
    field('brigade.patient_age', input('patient_age', { type: 'number', inputmode: 'numeric', min: '0', max: '130', required: true })),
    field('brigade.contact_phone', input('contact_phone', { type: 'tel', required: true, value: me.phone || '' })),
    field('brigade.address', input('address', { required: true, value: me.address || '' }), 'brigade.address_hint'),
    where,
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'big-call' }, t('brigade.call')));
  el.append(form, h('p', { class: 'hint' }, t('brigade.phone_fallback')));
  let pos = null;
  locate().then((p) => { pos = p; where.textContent = p ? t('brigade.located') : t('brigade.no_gps'); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      category: form.category.value, complaint: form.complaint.value.trim(), patient_name: form.patient_name.value.trim(),
      patient_age: form.patient_age.value === '' ? null : Number(form.patient_age.value), contact_phone: form.contact_phone.value.trim(),
      address: form.address.value.trim(), ...(pos || {}),
    };
    const missing = Object.fromEntries(['category', 'complaint', 'patient_name', 'patient_age', 'contact_phone', 'address']
      .filter((k) => body[k] === '' || body[k] === null).map((k) => [k, [t('letters.required')]]));
    if (Object.keys(missing).length) { showErrors(form, { message: t('letters.fix'), errors: missing }); return; }
    // No GPS fix: the call goes out without a position and the typed address guides the team.
    form.querySelector('[type=submit]').disabled = true;
    const item = await outbox.enqueue('brigade', '/brigade/calls', body, [], { title: body.patient_name });
    const { sent, refused } = await outbox.flush();
    form.querySelector('[type=submit]').disabled = false;
    const mine = sent.find((s) => s.key === item.key);
    const bad = refused.find((r) => r.item.key === item.key);
    if (mine) { toast(t('brigade.sent')); location.hash = `#/brigade/${mine.result.id}`; } else if (bad) showErrors(form, bad.error);
    else { toast(t('outbox.queued')); el.replaceChildren(); renderCall(el); }
  });
}

export async function renderStatus(el, { id }) {
  el.append(spinner());
  let timer;
  const draw = async () => {
    let c;
    try { c = await get(`/brigade/calls/${encodeURIComponent(id)}`); } catch (e) { if (!el.children.length || el.querySelector('.loading')) el.replaceChildren(h('p', {}, e.message)); return; }
    el.replaceChildren(
      h('p', {}, h('a', { href: '#/brigade' }, t('common.back'))),
      h('h1', { tabindex: '-1' }, t('brigade.status_title')),
      h('section', { class: `verdict verdict-${c.status === 'completed' ? 'valid' : 'unknown'}`, 'aria-live': 'polite' },
        h('h2', {}, t(`callstatus.${c.status}`)),
        c.team ? h('p', {}, t('brigade.team', { name: c.team.name })) : null,
        c.eta_minutes != null && ACTIVE.includes(c.status) ? h('p', { class: 'lead' }, t('brigade.eta', { n: c.eta_minutes })) : null),
      h('dl', { class: 'card facts' }, [['brigade.patient_name', c.patient_name], ['brigade.complaint', c.complaint],
        ['brigade.address', c.address], ['brigade.priority', c.priority ? badge('priority', c.priority) : null]]
        .filter(([, v]) => v).map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])),
      h('section', { class: 'card' }, h('h2', {}, t('brigade.timeline')),
        h('ol', { class: 'steps' }, (c.timeline || []).map((x) => h('li', {}, t(`callstatus.${x.status}`), ' · ', fmtDate(x.at), x.note ? ` — ${x.note}` : '')))),
      ['received', 'triaged'].includes(c.status) ? h('button', { type: 'button', class: 'btn danger', onclick: async () => {
        try { await post(`/brigade/calls/${c.id}/actions`, { action: 'cancel' }); draw(); } catch (e) { toast(e.message); }
      } }, t('brigade.cancel')) : null);
    if (ACTIVE.includes(c.status)) timer = setTimeout(draw, 10000);
  };
  await draw();
  return () => clearTimeout(timer);
}
