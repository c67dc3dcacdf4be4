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
  const offlineBox = h('section', { class: 'verdict verdict-unknown', 'aria-live': 'polite', id: 'verdict-offline' }, spinner());
  const onlineBox = h('section', { class: 'card', 'aria-live': 'polite', id: 'verdict-online' }, spinner());
  el.append(offlineBox, onlineBox, h('a', { class: 'btn', href: '/#/scan' }, t('verify.scan_another')));

  let trust = null;
  let revs = null;
  try { [trust, revs] = await Promise.all([loadList('/documents/trust-list'), loadList('/documents/revocations')]); } catch { /* no lists yet */ }
  if (!trust) {
    offlineBox.replaceChildren(h('p', {}, t('verify.no_lists')));
  } else {
    const r = await verify(token, trust, revs);
    offlineBox.className = `verdict verdict-${r.result}`;
    offlineBox.dataset.result = r.result;
    offlineBox.replaceChildren(
      h('p', { class: 'hint' }, t('verify.offline_check')),
      h('h2', {}, t(`verify.result.${r.result}`)),
      h('p', {}, t(`verify.explain.${r.result}`)),
      r.claims ? details(r.claims, trust) : null,
      h('p', { class: 'hint' }, t('verify.lists_age', {
        trust: fmtDate(trust.generated_at), revocations: revs ? fmtDate(revs.generated_at) : t('verify.none'),
        version: revs ? revs.version : '-',
      })));
  }

  try {
    const online = await post('/documents/verify', { qr: `${location.origin}/v#${token}` }, { anonymous: true });
    onlineBox.dataset.result = online.result;
    const d = online.document || {};
    onlineBox.replaceChildren(
      h('p', { class: 'hint' }, t('verify.online_check')),
      h('h2', {}, t(`verify.result.${online.result}`)),
      online.document ? h('dl', { class: 'facts' }, [
        ['verify.type', d.type_name], ['verify.number', d.number], ['verify.issued', fmtDate(d.issued_at, false)],
        ['verify.valid_until', fmtDate(d.valid_until, false)], ['verify.kelurahan', d.issuing_kelurahan],
        ['verify.holder', d.holder_name_masked], ['verify.signer', [d.signer_name, d.signer_title].filter(Boolean).join(', ')],
      ].filter(([, v]) => v).map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])) : null);
  } catch (e) {
    onlineBox.dataset.result = 'offline';
    onlineBox.replaceChildren(h('p', {}, e.offline ? t('verify.online_unavailable') : e.message));
  }
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
