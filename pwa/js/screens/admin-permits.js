import { del, get, post, put } from '../api.js';
import { field, h, input, showErrors, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';

const LINES = ['aliases', 'old_names', 'procedure', 'legal_basis'];
const TEXT = ['name', 'sector', 'authority', 'channel', 'output', 'validity'];

export async function renderList(el) {
  el.append(h('h1', { tabindex: '-1' }, t('permit_admin.title')), h('p', {}, h('a', { class: 'btn primary', href: '#/admin/permits/new' }, t('permit_admin.new'))), spinner());
  const res = await get('/permits');
  el.querySelector('.loading').remove();
  el.append(h('ul', { class: 'list' }, res.items.map((p) => h('li', {}, h('a', { href: `#/admin/permits/${encodeURIComponent(p.slug)}` },
    h('span', { class: 'title' }, p.name), h('span', { class: 'meta' }, p.sector || ''))))));
}

export async function renderEdit(el, { slug }) {
  const isNew = slug === 'new';
  el.append(spinner());
  const p = isNew ? {} : await get(`/permits/${encodeURIComponent(slug)}`);
  el.replaceChildren(h('p', {}, h('a', { href: '#/admin/permits' }, t('common.back'))),
    h('h1', { tabindex: '-1' }, isNew ? t('permit_admin.new') : p.name));
  const area = (name, value, hint) => field(`permit_admin.${name}`, h('textarea', { name, id: `in-${name}` }, value), hint);
  const fee = p.fee && typeof p.fee === 'object' ? p.fee : { amount: p.fee_amount, note: p.fee_note };
  const form = h('form', { class: 'card', novalidate: true },
    isNew ? field('permit_admin.slug', input('slug', { required: true, pattern: '[a-z0-9-]+' })) : null,
    TEXT.map((name) => field(`permit_admin.${name}`, input(name, { value: p[name] || '' }))),
    field('permit_admin.sla_working_days', input('sla_working_days', { type: 'number', min: '0', value: p.sla_working_days ?? '' })),
    field('permit_admin.fee_amount', input('fee_amount', { type: 'number', min: '0', value: fee.amount ?? '' }), 'permit_admin.fee_hint'),
    field('permit_admin.fee_note', input('fee_note', { value: fee.note || '' })),
    area('requirements', (p.requirements || []).map((r) => (typeof r === 'string' ? r : `${r.mandatory === false ? '? ' : ''}${r.text}`)).join('\n'), 'permit_admin.requirements_hint'),
    LINES.map((name) => area(name, (p[name] || []).join('\n'), 'permit_admin.lines_hint')),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'btn primary' }, t('common.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const lines = (v) => v.split('\n').map((s) => s.trim()).filter(Boolean);
    const body = {};
    for (const name of TEXT) body[name] = form[name].value.trim();
    for (const name of LINES) body[name] = lines(form[name].value);
    body.requirements = lines(form.requirements.value).map((s) => (s.startsWith('? ') ? { text: s.slice(2), mandatory: false } : { text: s, mandatory: true }));
    body.sla_working_days = form.sla_working_days.value === '' ? null : Number(form.sla_working_days.value);
    body.fee = { amount: form.fee_amount.value === '' ? null : Number(form.fee_amount.value), note: form.fee_note.value.trim() };
    if (!isNew && p.version) body.expected_version = p.version;
    try {
      const saved = isNew ? await post('/permits', { slug: form.slug.value.trim(), ...body }) : await put(`/permits/${encodeURIComponent(slug)}`, body);
      toast(t('common.saved'));
      location.hash = `#/admin/permits/${encodeURIComponent(saved.slug || slug)}`;
    } catch (err) { showErrors(form, err); }
  });
  el.append(form);
  if (!isNew) {
    const retire = h('button', { type: 'button', class: 'btn danger' }, t('permit_admin.retire'));
    retire.addEventListener('click', async () => {
      if (!window.confirm(t('permit_admin.retire_confirm'))) return;
      try { await del(`/permits/${encodeURIComponent(slug)}`); toast(t('common.saved')); location.hash = '#/admin/permits'; } catch (err) { toast(err.message); }
    });
    el.append(h('div', { class: 'actions' }, retire));
  }
}
