// Offline queue: a letter request or brigade call is stored in IndexedDB first, then sent with its own
// Idempotency-Key, so a retry after a lost response never creates a second one.
import { auth, request } from './api.js';

const DB = 'citizen';
const STORE = 'outbox';
const listeners = new Set();

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const result = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(result && 'result' in result ? result.result : undefined); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

export const pending = async (kind) => {
  const all = await tx('readonly', (s) => s.getAll());
  const me = auth.user && auth.user.id;
  return all.filter((i) => i.user === me && (!kind || i.kind === kind)).sort((a, b) => a.created - b.created);
};

export function onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
const changed = () => listeners.forEach((fn) => fn());

// kind: 'letter' | 'brigade'; files: Blobs to upload as attachments after the request exists.
export async function enqueue(kind, path, body, files = [], meta = {}) {
  const item = { key: crypto.randomUUID(), kind, path, body, files, meta, user: auth.user.id, created: Date.now(), result: null };
  await tx('readwrite', (s) => s.put(item));
  changed();
  return item;
}

export async function clearAll() {
  await tx('readwrite', (s) => s.clear());
  changed();
}

let flushing = null;
// Sends what is queued; returns {sent: [...results], failed: [{item, error}]}. Network errors leave items queued.
export function flush() {
  flushing = flushing || doFlush().finally(() => { flushing = null; });
  return flushing;
}

async function doFlush() {
  const out = { sent: [], refused: [] };
  if (!auth.signedIn()) return out;
  for (const item of await pending()) {
    try {
      if (!item.result) {
        item.result = await request(item.path, { method: 'POST', body: item.body, headers: { 'Idempotency-Key': item.key } });
        await tx('readwrite', (s) => s.put(item));
      }
      while (item.files.length) {
        const fd = new FormData();
        fd.append('file', item.files[0], item.files[0].name || 'lampiran');
        await request(`/documents/requests/${item.result.id}/attachments`, { method: 'POST', body: fd });
        item.files.shift();
        await tx('readwrite', (s) => s.put(item));
      }
      await tx('readwrite', (s) => s.delete(item.key));
      out.sent.push(item);
    } catch (e) {
      if (e.offline || e.status >= 500 || e.status === 429 || e.status === 401) break;
      // Refused by the server (4xx): it will never succeed as is; drop it and tell the user.
      await tx('readwrite', (s) => s.delete(item.key));
      out.refused.push({ item, error: e });
    }
  }
  changed();
  return out;
}
