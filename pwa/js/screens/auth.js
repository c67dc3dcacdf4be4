import { get, login, post } from '../api.js';
import { field, formData, h, input, select, showErrors } from '../dom.js';
import { t } from '../i18n.js';

function afterLogin() {
  const next = sessionStorage.getItem('after_login');
  sessionStorage.removeItem('after_login');
  location.hash = `#/${next || ''}`;
}

export function renderLogin(el) {
  const form = h('form', { novalidate: true, class: 'card' },
    field('auth.username', input('username', { autocomplete: 'username', required: true, autocapitalize: 'none' }), 'auth.username_hint'),
    field('auth.password', input('password', { type: 'password', autocomplete: 'current-password', required: true })),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'btn primary' }, t('auth.login')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = formData(form);
    const btn = form.querySelector('[type=submit]');
    btn.disabled = true;
    try {
      await login(data.username || '', data.password || '');
      afterLogin();
    } catch (err) {
      showErrors(form, err);
    } finally { btn.disabled = false; }
  });
  el.append(h('h1', { tabindex: '-1' }, t('auth.login')), form,
    h('p', {}, t('auth.no_account'), ' ', h('a', { href: '#/signup' }, t('auth.signup'))));
}

export async function renderSignup(el) {
  const kel = select('kelurahan_code', [['', t('auth.choose_kelurahan')]], { required: true });
  const search = input('kelurahan_q', { type: 'search', autocomplete: 'off' });
  const form = h('form', { novalidate: true, class: 'card' },
    field('auth.nik', input('nik', { inputmode: 'numeric', maxlength: '16', required: true, autocomplete: 'off' }), 'auth.nik_hint'),
    field('auth.full_name', input('full_name', { required: true, autocomplete: 'name' })),
    field('auth.birth_date', input('birth_date', { type: 'date', required: true, autocomplete: 'bday' })),
    field('auth.gender', select('gender', [['', t('common.choose')], ['male', t('gender.male')], ['female', t('gender.female')]], { required: true })),
    field('auth.phone', input('phone', { type: 'tel', required: true, autocomplete: 'tel', inputmode: 'tel' }), 'auth.phone_hint'),
    field('auth.kelurahan_search', search),
    field('auth.kelurahan', kel),
    field('auth.address', input('address', { required: true, autocomplete: 'street-address' })),
    h('div', { class: 'row' },
      field('auth.rt', input('rt', { inputmode: 'numeric', maxlength: '3' })),
      field('auth.rw', input('rw', { inputmode: 'numeric', maxlength: '3' }))),
    field('auth.password', input('password', { type: 'password', required: true, autocomplete: 'new-password', minlength: '8' }), 'auth.password_hint'),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'btn primary' }, t('auth.signup')),
  );
  let all = [];
  const fill = () => {
    const q = search.value.trim().toLowerCase();
    const keep = kel.value;
    kel.replaceChildren(h('option', { value: '' }, t('auth.choose_kelurahan')),
      ...all.filter((k) => !q || k.name.toLowerCase().includes(q) || (k.kecamatan_name || '').toLowerCase().includes(q))
        .map((k) => h('option', { value: k.code }, `${k.name} (${k.kecamatan_name || k.kecamatan_code})`)));
    kel.value = keep;
  };
  search.addEventListener('input', fill);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = formData(form);
    delete data.kelurahan_q;
    const btn = form.querySelector('[type=submit]');
    btn.disabled = true;
    try {
      await post('/auth/register', data, { anonymous: true });
      await login(data.nik, data.password);
      afterLogin();
    } catch (err) {
      showErrors(form, err);
    } finally { btn.disabled = false; }
  });
  el.append(h('h1', { tabindex: '-1' }, t('auth.signup')), form);
  try {
    all = await loadKelurahan();
    fill();
  } catch (err) {
    showErrors(form, err);
  }
}

export async function loadKelurahan() {
  let res = await get('/regions/kelurahan', { anonymous: true });
  let items = res.items;
  for (let page = 2; items.length < res.total && res.items.length; page++) {
    res = await get(`/regions/kelurahan?page=${page}`, { anonymous: true });
    items = items.concat(res.items);
  }
  return items;
}
