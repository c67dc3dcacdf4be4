// The little CBOR (RFC 8949) a COSE_Sign1 needs: definite-length items, maps as Map, tags as {tag, value}.
export class Tagged { constructor(tag, value) { this.tag = tag; this.value = value; } }

export function decode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n) => { if (pos + n > bytes.length) throw new Error('cbor: truncated'); };
  const arg = (info) => {
    if (info < 24) return info;
    const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!size) throw new Error('cbor: indefinite or reserved length');
    need(size);
    let v;
    if (size === 1) v = view.getUint8(pos);
    else if (size === 2) v = view.getUint16(pos);
    else if (size === 4) v = view.getUint32(pos);
    else {
      const big = view.getBigUint64(pos);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('cbor: integer too large');
      v = Number(big);
    }
    pos += size;
    return v;
  };
  const item = (depth) => {
    if (depth > 16) throw new Error('cbor: too deep');
    need(1);
    const first = bytes[pos++];
    const major = first >> 5;
    const info = first & 31;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
      if (info === 25 || info === 26 || info === 27) {
        const size = { 25: 2, 26: 4, 27: 8 }[info];
        need(size);
        const v = size === 2 ? half(view.getUint16(pos)) : size === 4 ? view.getFloat32(pos) : view.getFloat64(pos);
        pos += size;
        return v;
      }
      throw new Error('cbor: unsupported simple value');
    }
    const n = arg(info);
    switch (major) {
      case 0: return n;
      case 1: return -1 - n;
      case 2: need(n); pos += n; return bytes.slice(pos - n, pos);
      case 3: need(n); pos += n; return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(pos - n, pos));
      case 4: { if (n > bytes.length) throw new Error('cbor: bad length'); const a = []; for (let i = 0; i < n; i++) a.push(item(depth + 1)); return a; }
      case 5: { if (n > bytes.length) throw new Error('cbor: bad length'); const m = new Map(); for (let i = 0; i < n; i++) { const k = item(depth + 1); m.set(k, item(depth + 1)); } return m; }
      case 6: return new Tagged(n, item(depth + 1));
      default: throw new Error('cbor: bad major type');
    }
  };
  const value = item(0);
  if (pos !== bytes.length) throw new Error('cbor: trailing bytes');
  return value;
}

function half(h) {
  const exp = (h >> 10) & 31;
  const mant = h & 1023;
  const sign = h & 32768 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

function head(major, n) {
  if (n < 24) return [(major << 5) | n];
  if (n < 256) return [(major << 5) | 24, n];
  if (n < 65536) return [(major << 5) | 25, n >> 8, n & 255];
  return [(major << 5) | 26, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// Encodes arrays, text and byte strings: enough for the COSE Sig_structure.
export function encode(value) {
  const out = [];
  const put = (v) => {
    if (v instanceof Uint8Array) { out.push(...head(2, v.length)); for (const b of v) out.push(b); } else if (typeof v === 'string') {
      const b = new TextEncoder().encode(v);
      out.push(...head(3, b.length)); for (const x of b) out.push(x);
    } else if (Array.isArray(v)) { out.push(...head(4, v.length)); v.forEach(put); } else throw new Error('cbor: cannot encode');
  };
  put(value);
  return new Uint8Array(out);
}

export function b64urlDecode(s) {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('base64url: bad character');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function b64urlEncode(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
