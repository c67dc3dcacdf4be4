import { del, get, post, put } from '../api.js';
import { fmtDate, h, input, showErrors, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';

export async function renderInbox(el) {
  el.append(h('h1', { tabindex: '-1' }, t('inbox.title')), spinner());
  const page = await get('/notifications');
  el.querySelector('.loading').remove();
  const readAll = h('button', { type: 'button', class: 'btn' }, t('inbox.read_all'));
  readAll.addEventListener('click', async () => { await post('/notifications/read-all'); el.replaceChildren(); renderInbox(el); });
  el.append(h('div', { class: 'actions' }, readAll, h('a', { class: 'btn', href: '#/inbox/settings' }, t('inbox.settings'))),
    h('p', { class: 'hint', role: 'status' }, t('inbox.unread', { n: page.unread_count || 0 })));
  const list = h('ul', { class: 'list' }, page.items.map((n) => {
    const open = async (e) => {
      e.preventDefault();
      if (!n.read) await post(`/notifications/${n.id}/read`).catch(() => {});
      if (n.url) location.href = n.url; else { el.replaceChildren(); renderInbox(el); }
    };
    return h('li', {}, h('a', { href: n.url || '#/inbox', onclick: open, class: n.read ? '' : 'unread' },
      h('span', { class: 'title' }, n.read ? '' : '● ', n.title), h('span', {}, n.body), h('span', { class: 'meta' }, fmtDate(n.created_at))));
  }));
  if (!page.items.length) list.append(h('li', { class: 'item' }, t('common.none')));
  el.append(list);
}

function b64ToBytes(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function renderSettings(el) {
  el.append(h('h1', { tabindex: '-1' }, t('inbox.settings')), spinner());
  const prefs = await get('/notifications/preferences');
  el.querySelector('.loading').remove();
  const topics = prefs.mutable_topics || [];
  const form = h('form', { class: 'card', novalidate: true },
    h('fieldset', {}, h('legend', {}, t('inbox.topics')), topics.map((topic) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'topic', value: topic, checked: !(prefs.muted_topics || []).includes(topic) }), t(`topic.${topic}`)))),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'in-quiet_start' }, t('inbox.quiet_start')),
        input('quiet_start', { type: 'time', value: prefs.quiet_hours ? prefs.quiet_hours.start : '' })),
      h('div', { class: 'field' }, h('label', { for: 'in-quiet_end' }, t('inbox.quiet_end')),
        input('quiet_end', { type: 'time', value: prefs.quiet_hours ? prefs.quiet_hours.end : '' }))),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'btn primary' }, t('common.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const muted = [...form.querySelectorAll('[name=topic]')].filter((c) => !c.checked).map((c) => c.value);
    const qs = form.quiet_start.value;
    const qe = form.quiet_end.value;
    try {
      await put('/notifications/preferences', { muted_topics: muted, quiet_hours: qs && qe ? { start: qs, end: qe } : null });
      toast(t('common.saved'));
    } catch (err) { showErrors(form, err); }
  });
  el.append(form, pushCard());
}

function pushCard() {
  const status = h('p', { role: 'status' });
  const on = h('button', { type: 'button', class: 'btn primary' }, t('push.enable'));
  const off = h('button', { type: 'button', class: 'btn' }, t('push.disable'));
  const card = h('section', { class: 'card' }, h('h2', {}, t('push.title')), status, h('div', { class: 'actions' }, on, off));
  if (!('PushManager' in window) || !navigator.serviceWorker) {
    status.textContent = t('push.unsupported');
    on.hidden = true; off.hidden = true;
    return card;
  }
  const refresh = async () => {
    const reg = await navigator.serviceWorker.ready;
    const sub = await reg.pushManager.getSubscription();
    status.textContent = sub ? t('push.on') : t('push.off');
    on.hidden = Boolean(sub); off.hidden = !sub;
  };
  on.addEventListener('click', async () => {
    try {
      if (await Notification.requestPermission() !== 'granted') { status.textContent = t('push.denied'); return; }
      const { public_key: key } = await get('/push/vapid-public-key', { anonymous: true });
      const reg = await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(key) });
      await post('/push/subscriptions', sub.toJSON());
    } catch (e) { toast(e.message); }
    refresh();
  });
  off.addEventListener('click', async () => {
    const reg = await navigator.serviceWorker.ready;
    const sub = await reg.pushManager.getSubscription();
    if (sub) { await del('/push/subscriptions', { endpoint: sub.endpoint }).catch(() => {}); await sub.unsubscribe(); }
    refresh();
  });
  refresh().catch(() => {});
  return card;
}
