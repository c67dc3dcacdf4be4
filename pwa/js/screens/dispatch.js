import { get, post } from '../api.js';
import { badge, field, fmtDate, h, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';
import { categoryLabels } from './brigade.js';

export async function renderBoard(el) {
  el.append(h('h1', { tabindex: '-1' }, t('dispatch.title')));
  const list = h('ul', { class: 'list', id: 'call-board', 'aria-live': 'polite' }, spinner());
  const stamp = h('p', { class: 'hint', role: 'status' });
  el.append(stamp, list);
  let timer;
  const labels = await categoryLabels();
  const draw = async () => {
    try {
      const page = await get('/brigade/calls?status=active');
      list.replaceChildren(...page.items.map((c) => h('li', {}, h('a', { href: `#/dispatch/${c.id}` },
        h('span', { class: 'title' }, c.priority ? badge('priority', c.priority) : badge('priority', 'none'), ' ', labels[c.category] || c.category, ' · ', c.patient_name, ` (${c.patient_age})`),
        h('span', { class: 'meta' }, badge('callstatus', c.status), ' ', c.address, ' · ', fmtDate(c.created_at)),
        c.possible_duplicate_of ? h('span', { class: 'meta' }, t('dispatch.duplicate', { id: c.possible_duplicate_of })) : null))));
      if (!page.items.length) list.append(h('li', { class: 'item' }, t('dispatch.empty')));
      stamp.textContent = t('dispatch.updated', { time: fmtDate(new Date().toISOString()) });
    } catch (e) { stamp.textContent = e.message; }
    timer = setTimeout(draw, 8000);
  };
  await draw();
  return () => clearTimeout(timer);
}

export async function renderCall(el, { id }) {
  el.append(spinner());
  const note = h('textarea', { name: 'note', id: 'in-note' });
  const act = async (body) => {
    try { await post(`/brigade/calls/${id}/actions`, { ...body, ...(note.value.trim() ? { note: note.value.trim() } : {}) }); toast(t('common.saved')); draw(); } catch (e) { toast(e.message); }
  };
  const labels = await categoryLabels();
  const draw = async () => {
    const c = await get(`/brigade/calls/${encodeURIComponent(id)}`);
    note.value = '';
    el.replaceChildren(h('p', {}, h('a', { href: '#/dispatch' }, t('common.back'))),
      h('h1', { tabindex: '-1' }, t('dispatch.call', { id: c.id })),
      h('dl', { class: 'card facts' }, [['callstatus.label', badge('callstatus', c.status)], ['brigade.priority', c.priority && badge('priority', c.priority)],
        ['brigade.category', labels[c.category] || c.category], ['brigade.complaint', c.complaint], ['brigade.patient_name', `${c.patient_name} (${c.patient_age})`],
        ['brigade.contact_phone', h('a', { href: `tel:${c.contact_phone}` }, c.contact_phone)], ['brigade.address', c.address],
        ['dispatch.position', h('a', { href: `geo:${c.latitude},${c.longitude}`, class: 'map-link' }, `${c.latitude}, ${c.longitude}`)],
        ['dispatch.team', c.team && c.team.name], ['brigade.eta_label', c.eta_minutes != null ? t('brigade.eta', { n: c.eta_minutes }) : null]]
        .filter(([, v]) => v).map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])));
    const open = !['completed', 'resolved_by_phone', 'cancelled'].includes(c.status);
    if (open) {
      el.append(h('section', { class: 'card' }, h('h2', {}, t('dispatch.triage')), h('div', { class: 'actions' },
        ['red', 'yellow', 'green'].map((p) => h('button', { type: 'button', class: `btn badge-${p}`, onclick: () => act({ action: 'triage', priority: p }) }, t(`priority.${p}`))))));
      if (['received', 'triaged'].includes(c.status)) {
        const teams = h('ul', { class: 'list' }, spinner());
        el.append(h('section', { class: 'card' }, h('h2', {}, t('dispatch.suggested')), teams));
        get(`/brigade/calls/${c.id}/suggested-teams`).then((list) => {
          teams.replaceChildren(...list.map((tm) => h('li', {}, h('div', { class: 'item' }, h('span', { class: 'title' }, tm.name),
            h('span', { class: 'meta' }, t('dispatch.distance', { km: tm.distance_km != null ? tm.distance_km.toFixed(1) : '?', n: tm.eta_minutes ?? '?' })),
            h('button', { type: 'button', class: 'btn primary', onclick: () => act({ action: 'assign', team_id: tm.id }) }, t('dispatch.assign'))))));
          if (!list.length) teams.append(h('li', { class: 'item' }, t('dispatch.no_team')));
        }).catch((e) => teams.replaceChildren(h('li', { class: 'item' }, e.message)));
      }
      const buttons = [['resolve_by_phone', 'action.resolve_by_phone'], ['cancel', 'action.cancel']];
      if (c.possible_duplicate_of) buttons.unshift(['merge', 'action.merge'], ['keep', 'action.keep']);
      el.append(h('section', { class: 'card' }, field('common.note', note),
        h('div', { class: 'actions' }, buttons.map(([a, k]) => h('button', { type: 'button', class: 'btn', onclick: () => act({ action: a }) }, t(k))))));
    }
    el.append(timeline(c));
  };
  await draw();
}

export function timeline(c) {
  return h('section', { class: 'card' }, h('h2', {}, t('brigade.timeline')),
    h('ol', { class: 'steps' }, (c.timeline || []).map((x) => h('li', {}, t(`callstatus.${x.status}`), ' · ', fmtDate(x.at),
      x.by && x.by.name ? ` · ${x.by.name}` : '', x.note ? ` — ${x.note}` : ''))));
}
