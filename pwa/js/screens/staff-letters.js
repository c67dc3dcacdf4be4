import { auth, get, post } from '../api.js';
import { badge, field, fmtDate, h, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';
import { authImage, download, history, requestFacts, withFieldLabels } from './letters.js';

const FILTERS = { clerk: ['submitted', 'in_review', 'needs_revision', 'approved', 'signed'], lurah: ['approved', 'signed', 'in_review'] };
// Which actions each role is offered in each status; the server has the final word (403/409).
const ACTIONS = {
  clerk: { submitted: ['review', 'reject'], in_review: ['approve', 'request_revision', 'reject'], needs_revision: ['reject'], approved: ['reject'], signed: ['mark_collected'] },
  lurah: { approved: ['sign', 'reject'], signed: ['revoke'], collected: ['revoke'] },
};
const NEEDS_NOTE = ['reject', 'request_revision', 'revoke'];

export async function renderQueue(el) {
  const role = auth.user.role;
  const wanted = new URLSearchParams(location.hash.split('?')[1] || '').get('status') || FILTERS[role][0];
  el.append(h('h1', { tabindex: '-1' }, t(role === 'lurah' ? 'service.sign_queue' : 'service.queue')),
    h('nav', { class: 'actions', 'aria-label': t('queue.filter') }, FILTERS[role].map((s) => h('a', {
      class: `btn${s === wanted ? ' primary' : ''}`, href: `#/queue?status=${s}`, 'aria-current': s === wanted ? 'page' : null,
    }, t(`docstatus.${s}`)))), spinner());
  const page = await get(`/documents/requests?status=${encodeURIComponent(wanted)}`);
  el.querySelector('.loading').remove();
  const list = h('ul', { class: 'list', id: 'queue-list' }, page.items.map((r) => h('li', {}, h('a', { href: `#/queue/${r.id}` },
    h('span', { class: 'title' }, `${r.type_name || r.type_code} · ${r.tracking_code}`),
    h('span', { class: 'meta' }, badge('docstatus', r.status), ' ', r.service_kelurahan_name || '', ' · ', fmtDate(r.created_at))))));
  if (!page.items.length) list.append(h('li', { class: 'item' }, t('queue.empty')));
  el.append(list);
}

export async function renderRequest(el, { id }) {
  el.append(spinner());
  const r = await withFieldLabels(await get(`/documents/requests/${encodeURIComponent(id)}`));
  const role = auth.user.role;
  el.replaceChildren(h('p', {}, h('a', { href: '#/queue' }, t('common.back'))), h('h1', { tabindex: '-1' }, r.type_name || r.type_code));
  const who = r.identity || {};
  el.append(h('dl', { class: 'card facts', id: 'identity' }, [['profile.name', who.full_name], ['profile.nik', who.nik || who.nik_masked],
    ['profile.birth', [who.birth_place, who.birth_date && fmtDate(who.birth_date, false)].filter(Boolean).join(', ')],
    ['profile.occupation', who.occupation], ['profile.address', [who.address, who.rt && `RT ${who.rt}`, who.rw && `RW ${who.rw}`].filter(Boolean).join(' ')],
    ['profile.kelurahan', [who.kelurahan, who.kecamatan].filter(Boolean).join(', ')]]
    .filter(([, v]) => v).map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])), requestFacts(r));
  if ((r.attachments || []).length) {
    el.append(h('section', { class: 'card' }, h('h2', {}, t('letters.attachments')), h('ul', { class: 'list' }, r.attachments.map((a) => h('li', {},
      h('button', { type: 'button', class: 'btn', onclick: () => download(`/documents/requests/${r.id}/attachments/${a.id}`, a.original_name || 'lampiran') },
        t('queue.open_attachment', { name: a.original_name || a.id })))))));
  }
  const note = h('textarea', { name: 'note', id: 'in-note' });
  const offered = (ACTIONS[role] || {})[r.status] || [];
  if (offered.length) {
    const box = h('section', { class: 'card' }, h('h2', {}, t('queue.actions')), field('common.note', note, 'queue.note_hint'),
      h('p', { class: 'form-error', role: 'alert' }));
    const row = h('div', { class: 'actions' }, offered.map((a) => h('button', {
      type: 'button', class: `btn${a === 'reject' || a === 'revoke' ? ' danger' : ' primary'}`, 'data-action-name': a,
      onclick: async () => {
        if (NEEDS_NOTE.includes(a) && !note.value.trim()) { box.querySelector('.form-error').textContent = t('queue.note_required'); note.focus(); return; }
        try {
          await post(`/documents/requests/${r.id}/actions`, { action: a, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
          toast(t(`queue.done.${a}`));
          el.replaceChildren();
          renderRequest(el, { id });
        } catch (e) { box.querySelector('.form-error').textContent = e.message; }
      },
    }, t(`action.${a}`))));
    box.append(row);
    el.append(box);
  }
  if (['signed', 'collected'].includes(r.status)) {
    el.append(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => download(`/documents/requests/${r.id}/pdf`, `${r.tracking_code || r.id}.pdf`) }, t('letters.download'))),
      h('div', { class: 'qr-box' }, await authImage(`/documents/requests/${r.id}/qr.png`, t('letters.qr_alt'))));
  }
  el.append(history(r));
}
