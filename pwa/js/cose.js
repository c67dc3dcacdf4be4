// Offline check of a letter's QR: COSE_Sign1 (tag 18), ES256 over the Sig_structure, keys from the trust list,
// revocations from the revocation list (docs/signed-qr.md).
import { b64urlDecode, b64urlEncode, decode, encode, Tagged } from './cbor.js';

export function tokenFrom(text) {
  const s = String(text || '').trim();
  const i = s.indexOf('#');
  return i >= 0 ? s.slice(i + 1) : s;
}

export function parse(token) {
  const outer = decode(b64urlDecode(token));
  const arr = outer instanceof Tagged ? (outer.tag === 18 ? outer.value : null) : outer;
  if (!Array.isArray(arr) || arr.length !== 4) throw new Error('not a COSE_Sign1');
  const [protectedBytes, , payloadBytes, signature] = arr;
  if (!(protectedBytes instanceof Uint8Array) || !(payloadBytes instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new Error('bad COSE_Sign1 items');
  }
  const header = protectedBytes.length ? decode(protectedBytes) : new Map();
  const claims = decode(payloadBytes);
  if (!(header instanceof Map) || !(claims instanceof Map)) throw new Error('bad COSE maps');
  return { protectedBytes, payloadBytes, signature, header, claims };
}

export function claimsOf(c) {
  const cti = c.get(7);
  return {
    issuer: c.get(1), expires: c.get(4), issued: c.get(6), cti: cti instanceof Uint8Array ? b64urlEncode(cti) : null,
    type: c.get(-1), number: c.get(-2), kelurahan: c.get(-3), holder: c.get(-5),
  };
}

// → {result: 'valid'|'revoked'|'expired'|'invalid', claims, key}
export async function verify(token, trustList, revocations, now = Date.now()) {
  let cose;
  try { cose = parse(token); } catch { return { result: 'invalid', reason: 'format' }; }
  if (cose.header.get(1) !== -7 || cose.signature.length !== 64) return { result: 'invalid', reason: 'alg' };
  const kidBytes = cose.header.get(4);
  const kid = kidBytes instanceof Uint8Array ? b64urlEncode(kidBytes) : null;
  const jwk = ((trustList && trustList.keys) || []).find((k) => k.kid === kid);
  if (!jwk) return { result: 'invalid', reason: 'unknown_key' };
  let ok = false;
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true },
      { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    const toSign = encode(['Signature1', cose.protectedBytes, new Uint8Array(0), cose.payloadBytes]);
    ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, cose.signature, toSign);
  } catch { ok = false; }
  if (!ok) return { result: 'invalid', reason: 'signature' };
  const claims = claimsOf(cose.claims);
  // A key signs only inside its validity; a retired key still verifies what it signed while it was active.
  if (jwk.not_after && typeof claims.issued === 'number' && claims.issued * 1000 > Date.parse(jwk.not_after)) {
    return { result: 'invalid', reason: 'key_expired' };
  }
  if (claims.issuer !== trustList.issuer && trustList.issuer) return { result: 'invalid', reason: 'issuer' };
  const revoked = ((revocations && revocations.items) || []).some((r) => r.cti === claims.cti);
  if (revoked) return { result: 'revoked', claims };
  if (typeof claims.expires === 'number' && now / 1000 > claims.expires) return { result: 'expired', claims };
  return { result: 'valid', claims };
}
