import { auth, get, post } from '../api.js';
import { badge, field, fmtDate, h, input, rupiah, select, showErrors, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';
import { scanner } from './scan.js';

const CLASSES = ['motorcycle', 'car', 'six_wheel', 'heavy'];

export async function renderAttendant(el) {
  el.append(h('h1', { tabindex: '-1' }, t('attendant.title')));
  const result = h('section', { id: 'check-result', 'aria-live': 'polite' });
  const today = h('section', { class: 'card', id: 'takings' }, spinner());
  const zones = (auth.user.zone_code || '').split(',').filter(Boolean);
  const zone = zones.length > 1 ? select('zone_code', zones.map((z) => [z, z])) : input('zone_code', { value: zones[0] || '', required: true });
  const check = h('form', { class: 'card', novalidate: true }, h('h2', {}, t('attendant.check')),
    field('parking.plate', input('plate_number', { required: true, autocapitalize: 'characters', autocomplete: 'off' })),
    field('parking.zone', zone), h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'btn primary' }, t('attendant.check_button')));
  const show = (r) => {
    const s = r.session;
    result.replaceChildren(h('div', { class: `verdict verdict-${r.status === 'paid' ? 'valid' : r.status === 'active' ? 'unknown' : 'invalid'}`, 'data-status': r.status },
      h('h2', {}, t(`attendant.status.${r.status}`)),
      s ? h('p', {}, `${s.plate_number} · ${t(`vehicle.${s.vehicle_class}`)} · ${s.zone_name || s.zone_code} · ${fmtDate(s.started_at)}`) : null,
      s && s.amount_due ? h('p', { class: 'lead' }, t('parking.amount_due_is', { amount: rupiah(s.amount_due) })) : null),
    cashActions(r, () => { loadToday(); }));
  };
  check.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { show(await post('/parking/verify', { plate_number: check.plate_number.value.trim(), zone_code: zone.value })); showErrors(check, null); } catch (err) { showErrors(check, err); }
  });
  const scan = scanner(async (text) => {
    try { show(await post('/parking/verify', { qr: text })); } catch (err) { toast(err.message); }
  }, 'attendant.receipt_qr');
  const start = startForm(zone);
  el.append(result, check, h('details', { class: 'card' }, h('summary', {}, t('attendant.scan_receipt')), scan.el), start, today);
  const receipt = new URLSearchParams(location.hash.split('?')[1] || '').get('receipt');
  if (receipt) post('/parking/verify', { qr: `${location.origin}/#/parking/receipt/${receipt}` }).then(show).catch((e) => toast(e.message));
  const loadToday = async () => {
    try {
      const d = await get('/parking/attendant/today');
      today.replaceChildren(h('h2', {}, t('attendant.today')), h('dl', { class: 'facts' }, [
        ['attendant.sessions_started', String(d.sessions_started)], ['attendant.sessions_active', String(d.sessions_active)],
        ['attendant.total', rupiah(d.total)], ['attendant.cash_collected', rupiah(d.cash_collected)],
        ['attendant.cash_not_deposited', rupiah(d.cash_not_deposited)],
        ...Object.entries(d.by_method || {}).map(([m, v]) => [`method.${m}`, `${v.count ?? v.payments ?? ''} · ${rupiah(v.amount ?? v.total)}`]),
      ].map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])), depositForm(d, loadToday));
    } catch (e) { today.replaceChildren(h('p', {}, e.message)); }
  };
  loadToday();
  return scan.stop;
}

function cashActions(r, done) {
  const s = r.session;
  if (!s || r.status === 'paid') return null;
  const key = crypto.randomUUID();
  const btn = h('button', { type: 'button', class: 'btn primary' }, t('attendant.collect_cash'));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      if (s.status === 'active') await post(`/parking/sessions/${s.id}/stop`);
      const p = await post(`/parking/sessions/${s.id}/payments`, { method: 'cash' }, { headers: { 'Idempotency-Key': key } });
      toast(t('attendant.cash_recorded', { amount: rupiah(p.amount) }));
      btn.replaceWith(h('p', { role: 'status' }, badge('paystatus', p.status)));
      done();
    } catch (e) { toast(e.message); btn.disabled = false; }
  });
  return h('div', { class: 'actions' }, btn);
}

function startForm(zone) {
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, t('attendant.start')),
    field('parking.plate', input('plate_number', { id: 'in-start-plate', required: true, autocapitalize: 'characters', autocomplete: 'off' })),
    field('parking.vehicle_class', select('vehicle_class', CLASSES.map((c) => [c, t(`vehicle.${c}`)]), { id: 'in-start-class' })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'btn' }, t('parking.start')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await post('/parking/sessions', { zone_code: zone.value, plate_number: form.plate_number.value.trim(), vehicle_class: form.vehicle_class.value });
      toast(t('attendant.started'));
      form.reset();
      showErrors(form, null);
    } catch (err) { showErrors(form, err); }
  });
  return form;
}

function depositForm(d, done) {
  const form = h('form', { novalidate: true }, field('attendant.deposit_amount', input('amount', { id: 'in-deposit', type: 'number', inputmode: 'numeric', min: '1', value: String(d.cash_not_deposited || '') })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'btn' }, t('attendant.deposit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try { await post('/parking/deposits', { amount: Number(form.amount.value) }, { headers: { 'Idempotency-Key': crypto.randomUUID() } }); toast(t('common.saved')); done(); } catch (err) { showErrors(form, err); }
  });
  return form;
}
