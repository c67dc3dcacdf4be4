// The HTTP contract client: bearer tokens with rotation on 401, the contract's error shape, offline detection.
import { currentLang, t } from './i18n.js';

const KEY = 'session';
let session = readSession();
const listeners = new Set();

function readSession() {
  try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch { return null; }
}

function writeSession(s) {
  session = s;
  if (s) localStorage.setItem(KEY, JSON.stringify(s)); else localStorage.removeItem(KEY);
  listeners.forEach((fn) => fn(s));
}

export const auth = {
  get user() { return session && session.user; },
  get token() { return session && session.access_token; },
  signedIn() { return Boolean(session && session.access_token); },
  onChange(fn) { listeners.add(fn); },
  set(pair) { writeSession({ access_token: pair.access_token, refresh_token: pair.refresh_token, user: pair.user }); },
  setUser(user) { if (session) writeSession({ ...session, user }); },
  clear() { writeSession(null); },
  get refreshToken() { return session && session.refresh_token; },
};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || t('error.generic'));
    this.status = status;
    this.code = body && body.code;
    this.errors = (body && body.errors) || {};
  }
}

export class OfflineError extends Error {
  constructor() { super(t('error.offline')); this.offline = true; }
}

let refreshing = null;
async function refresh() {
  if (!session || !session.refresh_token) return false;
  refreshing = refreshing || (async () => {
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { Authorization: `Bearer ${session.refresh_token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      if (!res.ok) { if (res.status === 401) auth.clear(); return false; }
      auth.set(await res.json());
      return true;
    } catch { return false; } finally { setTimeout(() => { refreshing = null; }, 0); }
  })();
  return refreshing;
}

// request(path, {method, body, headers, raw}) → parsed JSON (or Response when raw).
export async function request(path, opts = {}) {
  const headers = { 'Accept-Language': currentLang(), ...(opts.headers || {}) };
  let body = opts.body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  const send = () => {
    if (session && session.access_token && !opts.anonymous) headers.Authorization = `Bearer ${session.access_token}`;
    return fetch(`/api/v1${path}`, { method: opts.method || 'GET', headers, body });
  };
  let res;
  try { res = await send(); } catch { throw new OfflineError(); }
  if (res.status === 401 && session && !opts.anonymous && await refresh()) {
    try { res = await send(); } catch { throw new OfflineError(); }
  }
  if (res.status === 401 && !opts.anonymous) {
    auth.clear();
  }
  if (opts.raw) return res;
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const get = (path, opts) => request(path, opts);
export const post = (path, body, opts = {}) => request(path, { ...opts, method: 'POST', body });
export const put = (path, body, opts = {}) => request(path, { ...opts, method: 'PUT', body });
export const patch = (path, body, opts = {}) => request(path, { ...opts, method: 'PATCH', body });
export const del = (path, body, opts = {}) => request(path, { ...opts, method: 'DELETE', body });

export async function login(username, password) {
  const pair = await post('/auth/login', { username, password }, { anonymous: true });
  auth.set(pair);
  return pair.user;
}

// Authenticated API responses are cached per user by the service worker; signing out drops them all.
export async function logout() {
  if (session) {
    try { await post('/auth/logout', { refresh_token: session.refresh_token }); } catch { /* offline: still sign out here */ }
  }
  auth.clear();
  await clearUserCaches();
}

export async function clearUserCaches() {
  if (!('caches' in self)) return;
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith('api-u')).map((n) => caches.delete(n)));
}
