// Boot, router and chrome. Screens are ES modules loaded on first use (the shell preloads home's), and the
// offline queue loads after the first screen, so the letter checker at /v fetches only what it needs.
import { auth, logout } from './api.js';
import { h, toast } from './dom.js';
import { currentLang, loadLang, preferredLang, t } from './i18n.js';

const S = (name) => () => import(`./screens/${name}.js`);
const queue = () => import('./outbox.js');
const STAFF_LETTERS = ['clerk', 'lurah'];
// [pattern, loader, export, roles (null: anyone; []: any signed-in user)]
const ROUTES = [
  ['login', S('auth'), 'renderLogin', null],
  ['signup', S('auth'), 'renderSignup', null],
  ['profile', S('profile'), 'renderProfile', []],
  ['permits', S('permits'), 'renderSearch', null],
  ['permits/:slug', S('permits'), 'renderDetail', null],
  ['verify', S('verify'), 'renderVerify', null],
  ['stats', S('stats'), 'renderStats', null],
  ['scan', S('scan'), 'renderScan', null],
  ['letters', S('letters'), 'renderList', ['resident']],
  ['letters/new', S('letters'), 'renderCatalogue', ['resident']],
  ['letters/new/:code', S('letters'), 'renderForm', ['resident']],
  ['letters/:id', S('letters'), 'renderDetail', ['resident']],
  ['brigade', S('brigade'), 'renderCall', ['resident']],
  ['brigade/:id', S('brigade'), 'renderStatus', ['resident']],
  ['parking', S('parking'), 'renderParking', ['resident']],
  ['parking/:id', S('parking'), 'renderSession', ['resident']],
  ['parking/zone/:code', S('parking'), 'renderZone', ['resident']],
  ['parking/receipt/:code', S('parking'), 'renderReceiptLink', null],
  ['wallet', S('parking'), 'renderWallet', ['resident']],
  ['inbox', S('inbox'), 'renderInbox', []],
  ['inbox/settings', S('inbox'), 'renderSettings', []],
  ['queue', S('staff-letters'), 'renderQueue', STAFF_LETTERS],
  ['queue/:id', S('staff-letters'), 'renderRequest', STAFF_LETTERS],
  ['dispatch', S('dispatch'), 'renderBoard', ['dispatcher']],
  ['dispatch/:id', S('dispatch'), 'renderCall', ['dispatcher']],
  ['medic', S('medic'), 'renderMedic', ['medic']],
  ['attendant', S('attendant'), 'renderAttendant', ['parking_attendant']],
  ['admin/permits', S('admin-permits'), 'renderList', ['permit_admin']],
  ['admin/permits/:slug', S('admin-permits'), 'renderEdit', ['permit_admin']],
  ['admin', S('admin-city'), 'renderAdmin', ['city_admin']],
];

const main = () => document.getElementById('app');
let cleanup = null;

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, loader, name, roles] of ROUTES) {
    const want = pattern.split('/');
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((w, i) => (w.startsWith(':') ? (params[w.slice(1)] = decodeURIComponent(parts[i])) : w === parts[i]))) {
      return { loader, name, roles, params };
    }
  }
  return null;
}

// The letter checker lives at /v#<token> (what the QR holds); everything else is #/route.
function currentPath() {
  if (location.pathname === '/v') return 'verify';
  return location.hash.replace(/^#\/?/, '').split('?')[0];
}

export function go(path) {
  if (location.pathname !== '/') location.href = `/#/${path}`; else location.hash = `#/${path}`;
}

async function route() {
  if (cleanup) { try { cleanup(); } catch { /* screen already gone */ } cleanup = null; }
  const path = currentPath();
  // Each visit renders into its own element: a slower earlier visit that finishes late writes into a detached
  // element instead of mixing into the screen the user is now on.
  const el = h('div', { class: 'view' });
  main().replaceChildren(el);
  let result;
  try {
    if (!path || path === 'home') {
      const { renderHome } = await import('./screens/home.js');
      result = renderHome(el);
    } else {
      const m = match(path);
      if (!m) {
        el.append(h('h1', { tabindex: '-1' }, t('error.not_found')));
      } else if (m.roles && !auth.signedIn()) {
        sessionStorage.setItem('after_login', path);
        go('login');
        return;
      } else if (m.roles && m.roles.length && !m.roles.includes(auth.user.role)) {
        el.append(h('h1', { tabindex: '-1' }, t('error.forbidden')));
      } else {
        const mod = await m.loader();
        if (currentPath() !== path) return; // the user moved on while the module loaded
        const params = path === 'verify' ? { token: location.hash.slice(1) } : m.params;
        result = await mod[m.name](el, params);
      }
    }
  } catch (e) {
    el.append(h('p', { class: 'form-error', role: 'alert' }, e.message || t('error.generic')));
  }
  if (!el.isConnected) { if (typeof result === 'function') result(); return; }
  if (typeof result === 'function') cleanup = result;
  const title = el.querySelector('h1');
  document.title = title ? `${title.textContent} · ${t('app.name')}` : t('app.name');
  if (title && document.activeElement === document.body) title.focus({ preventScroll: true });
  renderChrome();
}

function renderChrome() {
  const nav = document.getElementById('nav');
  const signed = auth.signedIn();
  nav.replaceChildren(...[
    h('a', { href: '/#/', class: 'nav-link' }, t('nav.home')),
    signed ? h('a', { href: '/#/inbox', class: 'nav-link' }, t('nav.inbox')) : null,
    signed ? h('a', { href: '/#/profile', class: 'nav-link' }, t('nav.profile'))
      : h('a', { href: '/#/login', class: 'nav-link' }, t('nav.login')),
  ].filter(Boolean));
  const lang = document.getElementById('lang');
  lang.textContent = t('lang.switch');
  lang.setAttribute('lang', currentLang() === 'id' ? 'en' : 'id');
}

async function showPending() {
  const box = document.getElementById('pending');
  const items = auth.signedIn() ? await (await queue()).pending() : [];
  box.hidden = items.length === 0;
  box.textContent = items.length ? t('outbox.pending_count', { n: items.length }) : '';
}

async function flushOutbox() {
  if (!navigator.onLine || !auth.signedIn()) return;
  const { sent, refused } = await (await queue()).flush();
  if (sent.length) toast(t('outbox.sent', { n: sent.length }));
  for (const r of refused) toast(`${t('outbox.refused')} ${r.error.message}`);
  if (sent.length || refused.length) route();
}

function showOnline() {
  document.getElementById('offline').hidden = navigator.onLine;
}

async function boot() {
  await loadLang(preferredLang());
  document.getElementById('lang').addEventListener('click', async () => {
    await loadLang(currentLang() === 'id' ? 'en' : 'id');
    route();
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('online', () => { showOnline(); flushOutbox(); });
  window.addEventListener('offline', showOnline);
  auth.onChange(() => { renderChrome(); showPending(); });
  document.addEventListener('click', async (e) => {
    if (e.target.closest('.skip')) { e.preventDefault(); main().focus(); }
    if (e.target.closest('[data-action="logout"]')) {
      await (await queue()).clearAll();
      await logout();
      go('');
    }
  });
  showOnline();
  await route();
  (await queue()).onChange(showPending);
  showPending();
  flushOutbox();
  setInterval(flushOutbox, 20000);
  if ('serviceWorker' in navigator) {
    // After the first screen is up: installing the worker fetches the whole shell, which must not compete with it.
    const register = () => navigator.serviceWorker.register('/sw.js').then(warmOfflineData).catch(() => {});
    if (document.readyState === 'complete') idle(register); else window.addEventListener('load', () => idle(register), { once: true });
  }
}

function idle(fn) {
  if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: 3000 }); else setTimeout(fn, 1000);
}

// Fetch what the offline screens need so the service worker has it before the connection drops.
function warmOfflineData() {
  idle(() => navigator.serviceWorker.ready.then(() => {
    for (const p of ['/api/v1/permits/catalog', '/api/v1/documents/trust-list', '/api/v1/documents/revocations']) {
      fetch(p).catch(() => {});
    }
  }));
}

boot();
