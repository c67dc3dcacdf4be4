import { get } from '../api.js';
import { fmtDate, h, rupiah, spinner } from '../dom.js';
import { t } from '../i18n.js';
import { PermitIndex } from '../permit-search.js';

let loaded = null;
// The whole catalogue (cached by the service worker) so search works offline, with the server's ranking.
export function catalogue() {
  loaded = loaded || (async () => {
    const res = await fetch('/api/v1/permits/catalog');
    if (!res.ok) throw new Error(t('permits.unavailable'));
    const data = await res.json();
    const docs = data.items || data.permits || [];
    return { data, docs, index: new PermitIndex(docs, data.search) };
  })().catch((e) => { loaded = null; throw e; });
  return loaded;
}

export async function renderSearch(el) {
  const q = h('input', { type: 'search', id: 'permit-q', name: 'q', autocomplete: 'off', enterkeyhint: 'search' });
  const results = h('ul', { class: 'list', id: 'permit-results', 'aria-live': 'polite' });
  const count = h('p', { class: 'hint', role: 'status' });
  el.append(h('h1', { tabindex: '-1' }, t('permits.title')),
    h('p', { class: 'lead' }, t('permits.lead')),
    h('div', { class: 'field', role: 'search' }, h('label', { for: 'permit-q' }, t('permits.search')), q,
      h('p', { class: 'hint' }, t('permits.search_hint'))),
    count, results);
  results.append(spinner());
  let cat;
  try { cat = await catalogue(); } catch (e) { results.replaceChildren(h('li', { class: 'item' }, e.message)); return null; }
  const saved = sessionStorage.getItem('permit_q') || '';
  q.value = saved;
  const show = () => {
    sessionStorage.setItem('permit_q', q.value);
    const hits = cat.index.search(q.value);
    count.textContent = t('permits.count', { n: hits.length });
    results.replaceChildren(...hits.slice(0, 50).map((hit) => h('li', {},
      h('a', { href: `#/permits/${encodeURIComponent(hit.doc.slug)}` },
        h('span', { class: 'title' }, hit.doc.name),
        hit.matched && hit.matched !== hit.doc.name ? h('span', { class: 'meta' }, t('permits.matched', { text: hit.matched })) : null,
        h('span', { class: 'meta' }, hit.doc.sector || '')))));
    if (!hits.length) results.append(h('li', { class: 'item' }, t('permits.none')));
  };
  let timer;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(show, 80); });
  show();
  return () => clearTimeout(timer);
}

export async function renderDetail(el, { slug }) {
  el.append(spinner());
  let p = null;
  try { p = await get(`/permits/${encodeURIComponent(slug)}`, { anonymous: true }); } catch (e) {
    if (!e.offline && e.status !== undefined && e.status !== 404) throw e;
    if (e.status === 404) { el.replaceChildren(h('h1', { tabindex: '-1' }, t('error.not_found'))); return; }
  }
  if (!p) {
    const cat = await catalogue();
    p = cat.docs.find((d) => d.slug === slug);
  }
  el.replaceChildren();
  if (!p) { el.append(h('h1', { tabindex: '-1' }, t('error.not_found'))); return; }
  const fee = p.fee && typeof p.fee === 'object' ? p.fee : { amount: p.fee_amount ?? p.fee, note: p.fee_note };
  const facts = [
    ['permits.sector', p.sector], ['permits.authority', p.authority], ['permits.channel', p.channel],
    ['permits.sla', p.sla_working_days != null ? t('permits.days', { n: p.sla_working_days }) : null],
    ['permits.fee', fee.amount === 0 ? t('permits.free') : fee.amount != null ? rupiah(fee.amount) : null],
    ['permits.fee_note', fee.note], ['permits.output', p.output], ['permits.validity', p.validity],
    ['permits.updated', p.updated_at ? fmtDate(p.updated_at, false) : null],
  ].filter(([, v]) => v !== null && v !== undefined && v !== '');
  el.append(
    h('p', {}, h('a', { href: '#/permits' }, t('common.back'))),
    h('h1', { tabindex: '-1' }, p.name),
    (p.aliases || []).length || (p.old_names || []).length
      ? h('p', { class: 'hint' }, t('permits.also_known'), ' ', [...(p.old_names || []), ...(p.aliases || [])].join(', ')) : null,
    h('dl', { class: 'card facts' }, facts.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])),
    h('section', { class: 'card' }, h('h2', {}, t('permits.requirements')),
      h('ul', { class: 'steps' }, (p.requirements || []).map((r) => h('li', {}, typeof r === 'string' ? r : r.text,
        typeof r === 'object' && r.mandatory === false ? ` (${t('permits.optional')})` : '')))),
    h('section', { class: 'card' }, h('h2', {}, t('permits.procedure')),
      h('ol', { class: 'steps' }, (p.procedure || []).map((s) => h('li', {}, s)))),
    (p.legal_basis || []).length ? h('section', { class: 'card' }, h('h2', {}, t('permits.legal_basis')),
      h('ul', { class: 'steps' }, p.legal_basis.map((s) => h('li', {}, s)))) : null,
  );
}
