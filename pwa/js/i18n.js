// Every visible string comes from /i18n/<lang>.json; Bahasa Indonesia is the default.
const LANGS = ['id', 'en'];
let messages = {};
let lang = 'id';

export function currentLang() { return lang; }

export async function loadLang(wanted) {
  lang = LANGS.includes(wanted) ? wanted : 'id';
  const res = await fetch(`/i18n/${lang}.json`);
  messages = await res.json();
  document.documentElement.lang = lang;
  try { localStorage.setItem('lang', lang); } catch { /* private mode */ }
  translateStatic(document);
}

export function preferredLang() {
  try { return localStorage.getItem('lang') || 'id'; } catch { return 'id'; }
}

export function t(key, params) {
  let s = messages[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? params[k] : m));
  return s;
}

export function has(key) { return key in messages; }

// Static markup carries data-i18n (text) and data-i18n-<attr> (attributes) keys only.
export function translateStatic(root) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-aria-label]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel)));
  root.querySelectorAll('[data-i18n-content]').forEach((el) => el.setAttribute('content', t(el.dataset.i18nContent)));
}
