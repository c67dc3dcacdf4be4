import { auth } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

// Tiles per role: [route, i18n key, icon class]
const TILES = {
  guest: [['permits', 'service.permits', 'i-permit'], ['scan', 'service.verify', 'i-verify']],
  resident: [['letters', 'service.letters', 'i-letter'], ['brigade', 'service.brigade', 'i-brigade'],
    ['permits', 'service.permits', 'i-permit'], ['parking', 'service.parking', 'i-parking']],
  clerk: [['queue', 'service.queue', 'i-letter'], ['scan', 'service.verify', 'i-verify'], ['permits', 'service.permits', 'i-permit']],
  lurah: [['queue', 'service.sign_queue', 'i-letter'], ['scan', 'service.verify', 'i-verify'], ['permits', 'service.permits', 'i-permit']],
  dispatcher: [['dispatch', 'service.dispatch', 'i-brigade']],
  medic: [['medic', 'service.medic', 'i-brigade']],
  parking_attendant: [['attendant', 'service.attendant', 'i-parking']],
  permit_admin: [['admin/permits', 'service.permit_admin', 'i-permit'], ['permits', 'service.permits', 'i-permit']],
  city_admin: [['admin', 'service.city_admin', 'i-admin'], ['permits', 'service.permits', 'i-permit']],
};

export function renderHome(el) {
  const user = auth.user;
  const tiles = TILES[user ? user.role : 'guest'] || TILES.guest;
  el.append(
    h('h1', { tabindex: '-1', id: 'screen-title' }, user ? t('home.hello', { name: user.full_name }) : t('home.welcome')),
    h('p', { class: 'lead' }, t(user ? `home.lead.${user.role}` : 'home.lead.guest')),
    h('ul', { class: 'tiles', 'aria-label': t('home.services') },
      tiles.map(([path, key, icon]) => h('li', {},
        h('a', { href: `#/${path}`, class: `tile ${icon}` }, h('span', { class: 'tile-icon', 'aria-hidden': 'true' }), t(key))))),
    h('p', { class: 'open-data' }, h('a', { href: '#/stats' }, t('service.stats'))),
  );
  if (!user) {
    el.append(h('div', { class: 'actions' },
      h('a', { href: '#/login', class: 'btn primary' }, t('auth.login')),
      h('a', { href: '#/signup', class: 'btn' }, t('auth.signup'))));
  } else if (user.role === 'resident') {
    el.append(h('p', {}, h('a', { href: '#/wallet', class: 'btn' }, t('parking.wallet'))));
  }
}
