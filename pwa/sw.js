// Service worker: versioned app shell, network-first API reads with a per-user cached fallback,
// stale-while-revalidate for the offline data (permit catalogue, trust list, revocation list).
const VERSION = 'v1'; // replaced by the server with a hash of the app's files
const SHELL = `shell-${VERSION}`;
const DATA = 'data-v1';
const PUBLIC = 'api-public';
const SHELL_FILES = [
  '/', '/manifest.webmanifest', '/css/app.css', '/i18n/id.json', '/i18n/en.json',
  '/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-512.png',
  '/js/app.js', '/js/api.js', '/js/dom.js', '/js/i18n.js', '/js/outbox.js', '/js/cbor.js', '/js/cose.js',
  '/js/permit-search.js', '/js/qr.js', '/js/qr-decode.js', '/js/charts.js',
  ...['home', 'auth', 'profile', 'permits', 'verify', 'scan', 'letters', 'brigade', 'parking', 'inbox',
    'staff-letters', 'dispatch', 'medic', 'attendant', 'admin-permits', 'admin-city', 'stats'].map((s) => `/js/screens/${s}.js`),
];
const SWR = ['/api/v1/permits/catalog', '/api/v1/documents/trust-list', '/api/v1/documents/revocations',
  '/api/v1/documents/types', '/api/v1/regions/kecamatan', '/api/v1/regions/kelurahan', '/api/v1/city'];
const WARM = SWR.slice(0, 3);

self.addEventListener('install', (event) => {
  // cache: 'reload' skips the HTTP cache so a new version never stores yesterday's files.
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES.map((u) => new Request(u, { cache: 'reload' }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL, DATA, PUBLIC]);
    for (const name of await caches.keys()) {
      if (!keep.has(name) && !name.startsWith('api-u')) await caches.delete(name);
    }
    await self.clients.claim();
    await Promise.all(WARM.map((url) => revalidate(new Request(url)).catch(() => null)));
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== location.origin || req.method !== 'GET') return;
  if (req.mode === 'navigate') {
    event.respondWith(fetch(req).catch(() => caches.match('/', { cacheName: SHELL })));
  } else if (url.pathname.startsWith('/api/')) {
    if (SWR.includes(url.pathname) && !req.headers.has('Authorization')) event.respondWith(staleWhileRevalidate(event, req));
    else event.respondWith(networkFirst(req));
  } else {
    event.respondWith(caches.match(req, { cacheName: SHELL, ignoreSearch: true }).then((hit) => hit || fetch(req)));
  }
});

// The cache for a response: public data is shared; an authenticated response goes in that user's own cache,
// so one person's letters are never shown to the next person signing in on the same phone.
function cacheFor(req) {
  const authz = req.headers.get('Authorization');
  if (!authz) return PUBLIC;
  try {
    const payload = authz.split(' ')[1].split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const sub = JSON.parse(atob(payload)).sub;
    return sub ? `api-u${sub}` : null;
  } catch { return null; }
}

async function networkFirst(req) {
  const name = cacheFor(req);
  try {
    const res = await fetch(req);
    if (res.ok && name) (await caches.open(name)).put(req, res.clone());
    return res;
  } catch (err) {
    const hit = name && await (await caches.open(name)).match(req);
    if (hit) return hit;
    throw err;
  }
}

async function revalidate(req) {
  const cache = await caches.open(DATA);
  const old = await cache.match(req);
  const headers = {};
  if (old && old.headers.get('ETag')) headers['If-None-Match'] = old.headers.get('ETag');
  const res = await fetch(req.url, { headers, cache: 'no-store' });
  if (res.status === 304 && old) return old;
  if (res.ok) await cache.put(req, res.clone());
  return res;
}

async function staleWhileRevalidate(event, req) {
  const hit = await (await caches.open(DATA)).match(req);
  const fresh = revalidate(req);
  if (hit) {
    event.waitUntil(fresh.catch(() => null));
    return hit;
  }
  return fresh;
}

self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { title: event.data && event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || '', {
    body: data.body || '', icon: '/icons/icon-192.png', badge: '/icons/icon-192.png', data: { url: data.url || '/' },
    tag: data.tag, requireInteraction: data.urgency === 'high',
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/', location.origin).href;
  event.waitUntil((async () => {
    const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const w of wins) { if ('focus' in w) { await w.navigate(url).catch(() => null); return w.focus(); } }
    return self.clients.openWindow(url);
  })());
});
