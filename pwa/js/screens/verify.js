import { post } from '../api.js';
import { fmtDate, h, spinner } from '../dom.js';
import { t } from '../i18n.js';
import { tokenFrom, verify } from '../cose.js';

async function loadList(path) {
  const res = await fetch(`/api/v1${path}`);
  if (!res.ok) throw new Error(String(res.status));
  return res.json();
}

export async function renderVerify(el, params) {
  const token = tokenFrom(params.token || '');
  el.append(h('h1', { tabindex: '-1' }, t('verify.title')));
  if (!token) {
    el.append(h('p', {}, t('verify.no_token')), h('a', { class: 'btn primary', href: '/#/scan' }, t('verify.scan')));
    return;
  }
  // Each box is added complete (or with its final size reserved) so nothing on screen jumps while checks finish.
  let trust = null;
  let revs = null;
  try { [trust, revs] = await Promise.all([loadList('/documents/trust-list'), loadList('/documents/revocations')]); } catch { /* no lists yet */ }
  const offlineBox = h('section', { class: 'verdict verdict-unknown', id: 'verdict-offline' });
  if (!trust) {
    offlineBox.dataset.result = 'unknown';
    offlineBox.append(h('p', {}, t('verify.no_lists')));
  } else {
    const r = await verify(token, trust, revs);
    offlineBox.className = `verdict verdict-${r.result}`;
    offlineBox.dataset.result = r.result;
    offlineBox.append(
      h('p', { class: 'hint' }, t('verify.offline_check')),
      h('h2', {}, t(`verify.result.${r.result}`)),
      h('p', {}, t(`verify.explain.${r.result}`)),
      r.claims ? details(r.claims, trust) : null,
      h('p', { class: 'hint' }, t('verify.lists_age', {
        trust: fmtDate(trust.generated_at), revocations: revs ? fmtDate(revs.generated_at) : t('verify.none'),
        version: revs ? revs.version : '-',
      })));
  }
  const onlineBox = h('section', { class: 'card online-check', 'aria-live': 'polite', id: 'verdict-online' }, spinner());
  el.append(offlineBox, onlineBox);

  try {
    const online = await post('/documents/verify', { qr: `${location.origin}/v#${token}` }, { anonymous: true });
    onlineBox.dataset.result = online.result;
    const d = online.document || {};
    const signer = [d.signer_name, d.signer_title].filter(Boolean).join(', ');
    onlineBox.replaceChildren(
      h('p', { class: 'hint' }, t('verify.online_check')),
      h('h2', { class: `result-${online.result}` }, t(`verify.result.${online.result}`)),
      signer ? h('p', {}, t('verify.signed_by', { signer, kelurahan: d.issuing_kelurahan || '' })) : null);
  } catch (e) {
    onlineBox.dataset.result = 'offline';
    onlineBox.replaceChildren(h('p', {}, e.offline ? t('verify.online_unavailable') : e.message));
  }
  el.append(h('a', { class: 'btn', href: '/#/scan' }, t('verify.scan_another')));
}

function details(c, trust) {
  const rows = [
    ['verify.type', (trust.letter_types || {})[c.type] || c.type], ['verify.number', c.number],
    ['verify.issued', c.issued && fmtDate(new Date(c.issued * 1000).toISOString(), false)],
    ['verify.valid_until', c.expires && fmtDate(new Date(c.expires * 1000).toISOString(), false)],
    ['verify.kelurahan', (trust.kelurahan || {})[c.kelurahan] || c.kelurahan], ['verify.holder', c.holder],
  ];
  return h('dl', { class: 'facts' }, rows.filter(([, v]) => v).map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)]));
}
