import { auth, get, post } from '../api.js';
import { badge, field, fmtDate, h, input, rupiah, select, showErrors, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';
import { canvas } from '../qr.js';
import { scanner } from './scan.js';

const CLASSES = ['motorcycle', 'car', 'six_wheel', 'heavy'];

export async function renderParking(el, params = {}) {
  el.append(h('h1', { tabindex: '-1' }, t('parking.title')), spinner());
  const [zones, active] = await Promise.all([get('/parking/zones', { anonymous: true }),
    get('/parking/sessions?status=active').catch(() => ({ items: [] }))]);
  const zoneList = Array.isArray(zones) ? zones : zones.items;
  el.querySelector('.loading').remove();
  if (active.items.length) {
    el.append(h('h2', {}, t('parking.active')), h('ul', { class: 'list' }, active.items.map((s) => h('li', {},
      h('a', { href: `#/parking/${s.id}` }, h('span', { class: 'title' }, `${s.plate_number} · ${s.zone_name || s.zone_code}`),
        h('span', { class: 'meta' }, t('parking.since', { time: fmtDate(s.started_at) }), ' · ', rupiah(s.amount_total)))))));
  }
  const zone = select('zone_code', [['', t('common.choose')], ...zoneList.map((z) => [z.code, `${z.name}`])], { required: true });
  if (params.code) zone.value = params.code;
  const cls = select('vehicle_class', CLASSES.map((c) => [c, t(`vehicle.${c}`)]), { required: true });
  const tariff = h('p', { class: 'hint', role: 'status' });
  const showTariff = () => {
    const z = zoneList.find((x) => x.code === zone.value);
    tariff.textContent = z && z.tariffs ? t('parking.tariff', { amount: rupiah(z.tariffs[cls.value]) }) : '';
  };
  zone.addEventListener('change', showTariff);
  cls.addEventListener('change', showTariff);
  showTariff();
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, t('parking.start')),
    field('parking.zone', zone),
    field('parking.plate', input('plate_number', { required: true, autocapitalize: 'characters', autocomplete: 'off' }), 'parking.plate_hint'),
    field('parking.vehicle_class', cls), tariff,
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'btn primary' }, t('parking.start')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const s = await post('/parking/sessions', { zone_code: zone.value, plate_number: form.plate_number.value.trim(), vehicle_class: cls.value });
      location.hash = `#/parking/${s.id}`;
    } catch (err) { showErrors(form, err); }
  });
  const scan = scanner((text) => {
    const m = /parking\/zone\/([^/?#]+)/.exec(text);
    const code = m ? decodeURIComponent(m[1]) : text.trim();
    if (zoneList.some((z) => z.code === code)) { zone.value = code; showTariff(); form.plate_number.focus(); } else toast(t('parking.unknown_zone'));
  }, 'parking.zone_qr');
  el.append(form, h('details', { class: 'card' }, h('summary', {}, t('parking.scan_zone')), scan.el),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/wallet' }, t('parking.wallet'))));
  return scan.stop;
}

export function renderZone(el, { code }) { return renderParking(el, { code }); }

async function waitPaid(paymentId, box, onPaid) {
  let timer;
  const poll = async () => {
    try {
      const p = await get(`/parking/payments/${paymentId}`);
      if (p.status === 'paid') { box.replaceChildren(h('p', { role: 'status' }, badge('paystatus', 'paid'))); onPaid(); return; }
      if (p.status === 'failed' || p.status === 'expired') { box.replaceChildren(h('p', { role: 'alert' }, badge('paystatus', p.status))); return; }
    } catch { /* keep waiting */ }
    timer = setTimeout(poll, 3000);
  };
  timer = setTimeout(poll, 2000);
  return () => clearTimeout(timer);
}

export function qrisBox(payment) {
  return h('section', { class: 'card', id: 'qris' }, h('h2', {}, t('parking.qris_title', { amount: rupiah(payment.amount) })),
    h('div', { class: 'qr-box' }, canvas(payment.qris_payload, t('parking.qris_alt'))),
    h('p', { class: 'hint', role: 'status', id: 'qris-status' }, t('parking.qris_wait')));
}

export async function renderSession(el, { id }) {
  el.append(spinner());
  let stopPoll = () => {};
  const draw = async () => {
    const s = await get(`/parking/sessions/${encodeURIComponent(id)}`);
    el.replaceChildren(h('p', {}, h('a', { href: '#/parking' }, t('common.back'))),
      h('h1', { tabindex: '-1' }, `${s.plate_number}`),
      h('dl', { class: 'card facts' }, [['parking.zone', s.zone_name || s.zone_code], ['parking.vehicle_class', t(`vehicle.${s.vehicle_class}`)],
        ['parking.status', badge('parkstatus', s.status)], ['parking.started', fmtDate(s.started_at)], ['parking.ended', s.ended_at && fmtDate(s.ended_at)],
        ['parking.amount_due', rupiah(s.amount_due)]].filter(([, v]) => v).map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])));
    const actions = h('div', { class: 'actions' });
    if (s.status === 'active') {
      actions.append(h('button', { type: 'button', class: 'btn primary', onclick: async () => {
        try { await post(`/parking/sessions/${s.id}/stop`); draw(); } catch (e) { toast(e.message); }
      } }, t('parking.stop')));
    }
    if (s.status === 'stopped' && s.amount_due > 0) {
      const key = crypto.randomUUID();
      const pay = async (method) => {
        try {
          const p = await post(`/parking/sessions/${s.id}/payments`, { method }, { headers: { 'Idempotency-Key': `${key}-${method}` } });
          if (p.status === 'paid') { draw(); return; }
          if (p.qris_payload) {
            const box = qrisBox(p);
            actions.replaceWith(box);
            stopPoll = await waitPaid(p.id, box.querySelector('#qris-status'), () => { toast(t('parking.paid')); draw(); });
          }
        } catch (e) { toast(e.message); }
      };
      actions.append(h('button', { type: 'button', class: 'btn primary', onclick: () => pay('qris') }, t('parking.pay_qris')),
        h('button', { type: 'button', class: 'btn', onclick: () => pay('wallet') }, t('parking.pay_wallet')));
    }
    if (s.status === 'paid') {
      const r = await get(`/parking/sessions/${s.id}/receipt`);
      el.append(h('section', { class: 'card', id: 'receipt' }, h('h2', {}, t('parking.receipt')),
        h('div', { class: 'qr-box' }, canvas(r.qr, t('parking.receipt_alt'))), h('p', { class: 'hint' }, r.receipt_code)));
    }
    el.append(actions);
  };
  await draw();
  return () => stopPoll();
}

export async function renderWallet(el) {
  el.append(h('h1', { tabindex: '-1' }, t('parking.wallet')), spinner());
  const w = await get('/wallet');
  el.querySelector('.loading').remove();
  const amount = select('amount', [10000, 20000, 50000, 100000].map((a) => [String(a), rupiah(a)]));
  const form = h('form', { class: 'card', novalidate: true }, field('parking.topup_amount', amount),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'btn primary' }, t('parking.topup')));
  let stopPoll = () => {};
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const p = await post('/wallet/topups', { amount: Number(amount.value) }, { headers: { 'Idempotency-Key': crypto.randomUUID() } });
      const box = qrisBox(p);
      form.replaceWith(box);
      stopPoll = await waitPaid(p.id, box.querySelector('#qris-status'), () => { el.replaceChildren(); renderWallet(el); });
    } catch (err) { showErrors(form, err); }
  });
  el.append(h('p', { class: 'lead', id: 'balance' }, t('parking.balance', { amount: rupiah(w.balance) })), form,
    h('h2', {}, t('parking.ledger')),
    h('ul', { class: 'list' }, w.items.map((x) => h('li', {}, h('div', { class: 'item' },
      h('span', { class: 'title' }, `${x.amount > 0 ? '+' : ''}${rupiah(x.amount)}`), h('span', { class: 'meta' }, t(`ledger.${x.kind}`), ' · ', fmtDate(x.created_at)))))));
  return () => stopPoll();
}

export async function renderReceiptLink(el, { code }) {
  if (auth.user && auth.user.role === 'parking_attendant') {
    location.hash = `#/attendant?receipt=${encodeURIComponent(code)}`;
    return;
  }
  el.append(h('h1', { tabindex: '-1' }, t('parking.receipt')), h('div', { class: 'qr-box' }, canvas(location.href, t('parking.receipt_alt'))),
    h('p', { class: 'hint' }, code));
}
