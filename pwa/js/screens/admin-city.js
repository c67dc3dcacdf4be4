import { get, post } from '../api.js';
import { field, fmtDate, h, input, rupiah, showErrors, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';
import { download } from './letters.js';

export async function renderAdmin(el) {
  el.append(h('h1', { tabindex: '-1' }, t('admin.title')));
  el.append(await broadcastForm(), await revenue(), await deposits());
}

async function broadcastForm() {
  const kec = await get('/regions/kecamatan', { anonymous: true }).catch(() => ({ items: [] }));
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, t('admin.broadcast')),
    field('admin.broadcast_title', input('title', { required: true, maxlength: '120' })),
    field('admin.broadcast_body', h('textarea', { name: 'body', id: 'in-body', required: true, maxlength: '1000' })),
    h('fieldset', {}, h('legend', {}, t('admin.target_kecamatan')), h('p', { class: 'hint' }, t('admin.target_hint')),
      kec.items.map((k) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'kecamatan', value: k.code }), k.name))),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'btn primary' }, t('admin.send_broadcast')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const codes = [...form.querySelectorAll('[name=kecamatan]:checked')].map((c) => c.value);
    try {
      const b = await post('/broadcasts', { title: form.title.value.trim(), body: form.body.value.trim(), ...(codes.length ? { kecamatan_codes: codes } : {}) });
      toast(t('admin.broadcast_sent', { n: b.targeted ?? 0 }));
      form.reset();
      showErrors(form, null);
    } catch (err) { showErrors(form, err); }
  });
  return form;
}

async function revenue() {
  const today = new Date().toISOString().slice(0, 10);
  const monthStart = `${today.slice(0, 8)}01`;
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, t('admin.revenue')),
    h('div', { class: 'row' }, field('admin.from', input('from', { type: 'date', value: monthStart })), field('admin.to', input('to', { type: 'date', value: today }))),
    field('parking.zone', input('zone', {})), h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('admin.show')),
      h('button', { type: 'button', class: 'btn', onclick: () => download(`/parking/reports/revenue?${query(form)}&format=csv`, 'pendapatan-parkir.csv') }, t('admin.csv'))),
    out);
  const query = (f) => new URLSearchParams(Object.entries({ from: f.from.value, to: f.to.value, zone: f.zone.value }).filter(([, v]) => v)).toString();
  const show = async () => {
    out.replaceChildren(spinner());
    try {
      const r = await get(`/parking/reports/revenue?${query(form)}`);
      const table = (titleKey, rows, key, label) => h('section', {}, h('h3', {}, t(titleKey)), h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t(label)), h('th', { scope: 'col' }, t('admin.payments')), h('th', { scope: 'col' }, t('admin.amount')))),
        h('tbody', {}, rows.map((x) => h('tr', {}, h('td', {}, key === 'method' ? t(`method.${x[key]}`) : String(x.attendant || x[key] || '-')),
          h('td', {}, String(x.payments)), h('td', {}, rupiah(x.amount)))))));
      out.replaceChildren(h('p', { class: 'lead' }, t('admin.total', { amount: rupiah(r.total), n: r.payments })),
        table('admin.by_zone', r.by_zone || [], 'zone_code', 'parking.zone'), table('admin.by_method', r.by_method || [], 'method', 'admin.method'),
        table('admin.by_attendant', r.by_attendant || [], 'attendant_id', 'role.parking_attendant'));
      showErrors(form, null);
    } catch (err) { out.replaceChildren(); showErrors(form, err); }
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); show(); });
  show();
  return form;
}

async function deposits() {
  const box = h('section', { class: 'card' }, h('h2', {}, t('admin.deposits')));
  const list = h('ul', { class: 'list' });
  box.append(list);
  const load = async () => {
    try {
      const page = await get('/parking/deposits?status=recorded');
      list.replaceChildren(...page.items.map((d) => h('li', {}, h('div', { class: 'item' },
        h('span', { class: 'title' }, `${rupiah(d.amount)} · ${d.attendant || d.attendant_id}`), h('span', { class: 'meta' }, fmtDate(d.deposited_on || d.created_at, false)),
        h('button', { type: 'button', class: 'btn', onclick: async () => { try { await post(`/parking/deposits/${d.id}/confirm`); load(); } catch (e) { toast(e.message); } } }, t('admin.confirm'))))));
      if (!page.items.length) list.append(h('li', { class: 'item' }, t('common.none')));
    } catch (e) { list.replaceChildren(h('li', { class: 'item' }, e.message)); }
  };
  load();
  return box;
}
