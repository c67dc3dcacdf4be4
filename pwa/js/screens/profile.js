import { auth, get, patch } from '../api.js';
import { field, formData, h, input, select, showErrors, spinner, toast } from '../dom.js';
import { t } from '../i18n.js';

const EDITABLE = ['birth_place', 'religion', 'marital_status', 'occupation', 'address', 'rt', 'rw', 'email'];

export async function renderProfile(el) {
  el.append(h('h1', { tabindex: '-1' }, t('profile.title')));
  const wait = spinner();
  el.append(wait);
  let me = auth.user;
  try { me = await get('/me'); auth.setUser(me); } catch { /* offline: show what we have */ }
  wait.remove();
  const rows = [
    ['profile.name', me.full_name], ['profile.role', t(`role.${me.role}`)], ['profile.nik', me.nik_masked],
    ['profile.phone', me.phone], ['profile.username', me.username], ['profile.kelurahan', me.kelurahan_code],
    ['profile.title_field', me.title], ['profile.nip', me.nip],
  ].filter(([, v]) => v);
  el.append(h('dl', { class: 'card facts' }, rows.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)])));

  if (me.role === 'resident') {
    const form = h('form', { class: 'card', novalidate: true },
      h('h2', {}, t('profile.edit')),
      EDITABLE.map((name) => {
        const control = name === 'marital_status'
          ? select(name, [['', t('common.choose')], ...['belum_kawin', 'kawin', 'cerai_hidup', 'cerai_mati'].map((v) => [t(`marital.${v}`), t(`marital.${v}`)])])
          : input(name, { type: name === 'email' ? 'email' : 'text', value: me[name] || '' });
        if (name === 'marital_status') control.value = me[name] || '';
        return field(`profile.${name}`, control);
      }),
      h('p', { class: 'form-error', role: 'alert' }),
      h('button', { type: 'submit', class: 'btn primary' }, t('common.save')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        auth.setUser(await patch('/me', formData(form)));
        showErrors(form, null);
        toast(t('common.saved'));
      } catch (err) { showErrors(form, err); }
    });
    el.append(form);
  }
  el.append(h('div', { class: 'actions' },
    h('a', { href: '#/inbox/settings', class: 'btn' }, t('inbox.settings')),
    h('button', { type: 'button', class: 'btn danger', 'data-action': 'logout' }, t('auth.logout'))));
}
