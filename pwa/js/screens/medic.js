import { auth, get, patch, post } from '../api.js';
import { badge, field, fmtDate, h, input, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';
import { categoryLabels } from './brigade.js';
import { timeline } from './dispatch.js';

const NEXT = { dispatched: ['en_route'], en_route: ['on_scene'], on_scene: ['transport', 'complete'], transporting: ['complete'] };

export async function renderMedic(el) {
  el.append(h('h1', { tabindex: '-1' }, t('medic.title')), spinner());
  let timer;
  let watch = null;
  const teamId = auth.user.team_id;
  const sendPosition = (p) => {
    if (teamId) patch(`/brigade/teams/${teamId}`, { latitude: p.coords.latitude, longitude: p.coords.longitude }).catch(() => {});
  };
  if (navigator.geolocation && teamId) watch = navigator.geolocation.watchPosition(sendPosition, () => {}, { enableHighAccuracy: true, maximumAge: 30000 });
  const labels = await categoryLabels();
  const draw = async () => {
    let page;
    try { page = await get('/brigade/calls?status=active'); } catch (e) { toast(e.message); timer = setTimeout(draw, 10000); return; }
    const c = page.items[0];
    el.replaceChildren(h('h1', { tabindex: '-1' }, t('medic.title')));
    if (!c) {
      el.append(h('p', { class: 'lead' }, t('medic.no_call')));
      if (teamId) {
        el.append(h('div', { class: 'actions' }, ['available', 'off_duty'].map((s) => h('button', { type: 'button', class: 'btn', onclick: async () => {
          try { await patch(`/brigade/teams/${teamId}`, { status: s }); toast(t('common.saved')); } catch (e) { toast(e.message); }
        } }, t(`teamstatus.${s}`)))));
      }
    } else {
      const detail = await get(`/brigade/calls/${c.id}`);
      el.append(h('section', { class: 'verdict verdict-unknown' }, h('h2', {}, t(`callstatus.${c.status}`)),
        h('p', {}, c.priority ? badge('priority', c.priority) : null, ' ', labels[c.category] || c.category)),
      h('dl', { class: 'card facts' }, [['brigade.patient_name', `${c.patient_name} (${c.patient_age})`], ['brigade.complaint', c.complaint],
        ['brigade.address', c.address], ['brigade.contact_phone', h('a', { href: `tel:${c.contact_phone}` }, c.contact_phone)],
        ['dispatch.position', h('a', { href: `geo:${c.latitude},${c.longitude}`, class: 'map-link' }, `${c.latitude}, ${c.longitude}`)],
        ['medic.received', fmtDate(c.created_at)]].map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])),
      medicActions(c, draw), timeline(detail));
    }
    timer = setTimeout(draw, 10000);
  };
  await draw();
  return () => { clearTimeout(timer); if (watch !== null) navigator.geolocation.clearWatch(watch); };
}

const OUTCOMES = ['treated_at_home', 'referred_puskesmas', 'referred_hospital'];

function medicActions(c, redraw) {
  const box = h('section', { class: 'card' });
  const act = async (body) => {
    try { await post(`/brigade/calls/${c.id}/actions`, body); redraw(); } catch (e) { toast(e.message); }
  };
  for (const a of NEXT[c.status] || []) {
    if (a === 'transport') {
      const dest = input('destination', { required: true });
      box.append(field('medic.destination', dest), h('button', { type: 'button', class: 'btn primary',
        onclick: () => { if (dest.value.trim()) act({ action: 'transport', destination: dest.value.trim() }); else dest.focus(); } }, t('action.transport')));
    } else if (a === 'complete') {
      box.append(h('h2', {}, t('action.complete')), h('div', { class: 'actions' }, OUTCOMES.map((o) => h('button', { type: 'button', class: 'btn primary',
        onclick: () => act({ action: 'complete', outcome: o }) }, t(`outcome.${o}`)))));
    } else {
      box.append(h('button', { type: 'button', class: 'btn primary big-step', onclick: () => act({ action: a }) }, t(`action.${a}`)));
    }
  }
  return box;
}
