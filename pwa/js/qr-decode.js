// A small QR reader for browsers without BarcodeDetector: finds the three finder patterns in a camera frame or
// photo, samples the grid (perspective-corrected with the alignment pattern), corrects errors (Reed–Solomon) and
// decodes numeric, alphanumeric and byte segments. Versions 1–20, any error-correction level.
const EC = [[[7,1,19,0,0],[10,1,16,0,0],[13,1,13,0,0],[17,1,9,0,0]],[[10,1,34,0,0],[16,1,28,0,0],[22,1,22,0,0],[28,1,16,0,0]],[[15,1,55,0,0],[26,1,44,0,0],[18,2,17,0,0],[22,2,13,0,0]],[[20,1,80,0,0],[18,2,32,0,0],[26,2,24,0,0],[16,4,9,0,0]],[[26,1,108,0,0],[24,2,43,0,0],[18,2,15,2,16],[22,2,11,2,12]],[[18,2,68,0,0],[16,4,27,0,0],[24,4,19,0,0],[28,4,15,0,0]],[[20,2,78,0,0],[18,4,31,0,0],[18,2,14,4,15],[26,4,13,1,14]],[[24,2,97,0,0],[22,2,38,2,39],[22,4,18,2,19],[26,4,14,2,15]],[[30,2,116,0,0],[22,3,36,2,37],[20,4,16,4,17],[24,4,12,4,13]],[[18,2,68,2,69],[26,4,43,1,44],[24,6,19,2,20],[28,6,15,2,16]],[[20,4,81,0,0],[30,1,50,4,51],[28,4,22,4,23],[24,3,12,8,13]],[[24,2,92,2,93],[22,6,36,2,37],[26,4,20,6,21],[28,7,14,4,15]],[[26,4,107,0,0],[22,8,37,1,38],[24,8,20,4,21],[22,12,11,4,12]],[[30,3,115,1,116],[24,4,40,5,41],[20,11,16,5,17],[24,11,12,5,13]],[[22,5,87,1,88],[24,5,41,5,42],[30,5,24,7,25],[24,11,12,7,13]],[[24,5,98,1,99],[28,7,45,3,46],[24,15,19,2,20],[30,3,15,13,16]],[[28,1,107,5,108],[28,10,46,1,47],[28,1,22,15,23],[28,2,14,17,15]],[[30,5,120,1,121],[26,9,43,4,44],[28,17,22,1,23],[28,2,14,19,15]],[[28,3,113,4,114],[26,3,44,11,45],[26,17,21,4,22],[26,9,13,16,14]],[[28,3,107,5,108],[26,3,41,13,42],[30,15,24,5,25],[28,15,15,10,16]]]; // eslint-disable-line
const LEVEL = { 1: 0, 0: 1, 3: 2, 2: 3 }; // format bits → L, M, Q, H
const MASKS = [(x, y) => (x + y) % 2 === 0, (x, y) => y % 2 === 0, (x) => x % 3 === 0, (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0, (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0, (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0];

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++) { EXP[i] = x; LOG[x] = i; x <<= 1; if (x & 256) x ^= 0x11d; }
for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
const mul = (a, b) => (a && b ? EXP[LOG[a] + LOG[b]] : 0);
const div = (a, b) => (a ? EXP[(LOG[a] + 255 - LOG[b]) % 255] : 0);

// ---- image → dark/light ----
function binarize({ data, width: w, height: h }) {
  const gray = new Float64Array(w * h);
  let total = 0;
  for (let i = 0; i < w * h; i++) { gray[i] = data[i * 4] * 0.299 + data[i * 4 + 1] * 0.587 + data[i * 4 + 2] * 0.114; total += gray[i]; }
  const global = total / (w * h);
  const sum = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) { row += gray[y * w + x]; sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + row; }
  }
  const r = Math.max(6, Math.round(Math.min(w, h) / 16));
  const dark = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r); const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r); const x1 = Math.min(w, x + r + 1);
      const s = sum[y1 * (w + 1) + x1] - sum[y0 * (w + 1) + x1] - sum[y1 * (w + 1) + x0] + sum[y0 * (w + 1) + x0];
      const local = s / ((x1 - x0) * (y1 - y0));
      dark[y * w + x] = gray[y * w + x] < (local + global) / 2 - 4 ? 1 : 0;
    }
  }
  return { dark, w, h, at: (x, y) => (x >= 0 && y >= 0 && x < w && y < h ? dark[(y | 0) * w + (x | 0)] : 0) };
}

// ---- finder patterns (1:1:3:1:1) ----
function ratioOk(c) {
  const total = c[0] + c[1] + c[2] + c[3] + c[4];
  if (total < 7) return false;
  const m = total / 7; const v = m / 1.6;
  return Math.abs(m - c[0]) < v && Math.abs(m - c[1]) < v && Math.abs(3 * m - c[2]) < 3 * v && Math.abs(m - c[3]) < v && Math.abs(m - c[4]) < v;
}

function crossCheck(img, cx, cy, vertical, limit) {
  const px = (d) => (vertical ? img.at(cx, cy + d) : img.at(cx + d, cy));
  const inside = (d) => (vertical ? cy + d >= 0 && cy + d < img.h : cx + d >= 0 && cx + d < img.w);
  const c = [0, 0, 0, 0, 0];
  let d = 0;
  while (inside(d) && px(d)) { c[2]++; d--; }
  while (inside(d) && !px(d) && c[1] <= limit) { c[1]++; d--; }
  while (inside(d) && px(d) && c[0] <= limit) { c[0]++; d--; }
  d = 1;
  while (inside(d) && px(d)) { c[2]++; d++; }
  while (inside(d) && !px(d) && c[3] <= limit) { c[3]++; d++; }
  while (inside(d) && px(d) && c[4] <= limit) { c[4]++; d++; }
  if (!ratioOk(c)) return null;
  const end = d - c[4] - c[3];
  return { center: (vertical ? cy : cx) + end - c[2] / 2, total: c.reduce((a, b) => a + b, 0) };
}

function findFinders(img) {
  const found = [];
  const add = (x, y, size) => {
    const near = found.find((f) => Math.abs(f.x - x) <= 2 * f.size && Math.abs(f.y - y) <= 2 * f.size && Math.abs(f.size - size) < f.size);
    if (near) { near.x = (near.x * near.n + x) / (near.n + 1); near.y = (near.y * near.n + y) / (near.n + 1); near.size = (near.size * near.n + size) / (near.n + 1); near.n++; } else found.push({ x, y, size, n: 1 });
  };
  const step = Math.max(1, Math.floor(img.h / 300));
  for (let y = 0; y < img.h; y += step) {
    const c = [0, 0, 0, 0, 0];
    let state = 0;
    const test = (endX) => {
      if (!ratioOk(c)) return;
      const total = c.reduce((a, b) => a + b, 0);
      const cx = Math.floor(endX - c[4] - c[3] - c[2] / 2);
      const v = crossCheck(img, cx, y, true, total);
      if (!v) return;
      const hz = crossCheck(img, cx, Math.floor(v.center), false, total);
      if (!hz) return;
      add(hz.center, v.center, (v.total + hz.total + total) / 21);
    };
    for (let x = 0; x < img.w; x++) {
      if (img.at(x, y)) { if (state & 1) state++; c[state]++; } else if (!(state & 1)) {
        if (state === 0 && c[0] === 0) continue;
        if (state === 4) { test(x); c.splice(0, 5, c[2], c[3], c[4], 1, 0); state = 3; } else { state++; c[state]++; }
      } else c[state]++;
    }
    if (state === 4) test(img.w);
  }
  return found;
}

function pickThree(found) {
  const cands = found.filter((f) => f.n >= 2).sort((a, b) => b.n - a.n).slice(0, 8);
  let best = null;
  for (let i = 0; i < cands.length; i++) for (let j = i + 1; j < cands.length; j++) for (let k = j + 1; k < cands.length; k++) {
    const tri = [cands[i], cands[j], cands[k]];
    const sizes = tri.map((f) => f.size);
    if (Math.max(...sizes) > 1.6 * Math.min(...sizes)) continue;
    const [a, b, c] = orderFinders(tri);
    const ab = Math.hypot(b.x - a.x, b.y - a.y); const ac = Math.hypot(c.x - a.x, c.y - a.y);
    if (ab / ac > 1.4 || ac / ab > 1.4) continue;
    const cos = Math.abs(((b.x - a.x) * (c.x - a.x) + (b.y - a.y) * (c.y - a.y)) / (ab * ac));
    const score = cos + Math.abs(1 - ab / ac) + (Math.max(...sizes) / Math.min(...sizes) - 1) / 2;
    if (!best || score < best.score) best = { score, tri: [a, b, c] };
  }
  return best && best.score < 0.5 ? best.tri : null;
}

// → [topLeft, topRight, bottomLeft]
function orderFinders(p) {
  const d = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
  const sides = [[d(p[1], p[2]), 0], [d(p[0], p[2]), 1], [d(p[0], p[1]), 2]].sort((a, b) => b[0] - a[0]);
  const tl = p[sides[0][1]];
  let [a, c] = p.filter((x) => x !== tl);
  if ((a.x - tl.x) * (c.y - tl.y) - (a.y - tl.y) * (c.x - tl.x) < 0) [a, c] = [c, a];
  return [tl, a, c];
}

// ---- geometry ----
function squareToQuad([x0, y0, x1, y1, x2, y2, x3, y3]) {
  const dx3 = x0 - x1 + x2 - x3; const dy3 = y0 - y1 + y2 - y3;
  if (Math.abs(dx3) < 1e-9 && Math.abs(dy3) < 1e-9) return [x1 - x0, x2 - x1, x0, y1 - y0, y2 - y1, y0, 0, 0, 1];
  const dx1 = x1 - x2; const dx2 = x3 - x2; const dy1 = y1 - y2; const dy2 = y3 - y2;
  const den = dx1 * dy2 - dx2 * dy1;
  const a13 = (dx3 * dy2 - dx2 * dy3) / den; const a23 = (dx1 * dy3 - dx3 * dy1) / den;
  return [x1 - x0 + a13 * x1, x3 - x0 + a23 * x3, x0, y1 - y0 + a13 * y1, y3 - y0 + a23 * y3, y0, a13, a23, 1];
}

function adjoint([a11, a21, a31, a12, a22, a32, a13, a23, a33]) {
  return [a22 * a33 - a23 * a32, a23 * a31 - a21 * a33, a21 * a32 - a22 * a31, a13 * a32 - a12 * a33, a11 * a33 - a13 * a31,
    a12 * a31 - a11 * a32, a12 * a23 - a13 * a22, a13 * a21 - a11 * a23, a11 * a22 - a12 * a21];
}

function times(a, o) {
  const [a11, a21, a31, a12, a22, a32, a13, a23, a33] = a;
  const [b11, b21, b31, b12, b22, b32, b13, b23, b33] = o;
  return [a11 * b11 + a21 * b12 + a31 * b13, a11 * b21 + a21 * b22 + a31 * b23, a11 * b31 + a21 * b32 + a31 * b33,
    a12 * b11 + a22 * b12 + a32 * b13, a12 * b21 + a22 * b22 + a32 * b23, a12 * b31 + a22 * b32 + a32 * b33,
    a13 * b11 + a23 * b12 + a33 * b13, a13 * b21 + a23 * b22 + a33 * b23, a13 * b31 + a23 * b32 + a33 * b33];
}

function transform(src, dst) {
  const m = times(squareToQuad(dst), adjoint(squareToQuad(src)));
  return (x, y) => {
    const den = m[6] * x + m[7] * y + m[8];
    return [(m[0] * x + m[1] * y + m[2]) / den, (m[3] * x + m[4] * y + m[5]) / den];
  };
}

function alignmentCenters(ver, size) {
  if (ver < 2) return [];
  const n = Math.floor(ver / 7) + 2;
  const step = Math.ceil((ver * 4 + 4) / (n * 2 - 2)) * 2;
  const pos = [6];
  for (let i = n - 2; i >= 0; i--) pos.push(size - 7 - i * step);
  return pos.sort((a, b) => a - b);
}

function findAlignment(img, tl, tr, bl, dim) {
  const ex = [(tr.x - tl.x) / (dim - 7), (tr.y - tl.y) / (dim - 7)];
  const ey = [(bl.x - tl.x) / (dim - 7), (bl.y - tl.y) / (dim - 7)];
  const f = 1 - 3 / (dim - 7);
  const est = [tl.x + f * (tr.x + bl.x - 2 * tl.x), tl.y + f * (tr.y + bl.y - 2 * tl.y)];
  const module = Math.hypot(...ex);
  let best = null;
  const step = Math.max(1, module / 3);
  for (let oy = -5 * module; oy <= 5 * module; oy += step) {
    for (let ox = -5 * module; ox <= 5 * module; ox += step) {
      let score = 0;
      for (let j = -2; j <= 2; j++) {
        for (let i = -2; i <= 2; i++) {
          const want = Math.max(Math.abs(i), Math.abs(j)) !== 1 ? 1 : 0;
          score += img.at(est[0] + ox + i * ex[0] + j * ey[0], est[1] + oy + i * ex[1] + j * ey[1]) === want ? 1 : 0;
        }
      }
      if (!best || score > best.score) best = { score, x: est[0] + ox, y: est[1] + oy };
    }
  }
  return best && best.score >= 21 ? best : null;
}

// ---- grid → text ----
function functionModules(ver, size) {
  const fn = Array.from({ length: size }, () => new Uint8Array(size));
  const mark = (x, y) => { if (x >= 0 && y >= 0 && x < size && y < size) fn[y][x] = 1; };
  for (let i = 0; i < size; i++) { mark(6, i); mark(i, 6); }
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) mark(cx + dx, cy + dy);
  const pos = alignmentCenters(ver, size);
  for (const ax of pos) {
    for (const ay of pos) {
      if ((ax === 6 && ay === 6) || (ax === 6 && ay === size - 7) || (ax === size - 7 && ay === 6)) continue;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) mark(ax + dx, ay + dy);
    }
  }
  for (let i = 0; i < 9; i++) { mark(8, i); mark(i, 8); }
  for (let i = 0; i < 8; i++) { mark(size - 1 - i, 8); mark(8, size - 1 - i); }
  if (ver >= 7) for (let i = 0; i < 18; i++) { mark(size - 11 + (i % 3), Math.floor(i / 3)); mark(Math.floor(i / 3), size - 11 + (i % 3)); }
  return fn;
}

function readFormat(bit, size) {
  let a = 0; let b = 0;
  for (let i = 0; i <= 5; i++) a |= bit(8, i) << i;
  a |= bit(8, 7) << 6; a |= bit(8, 8) << 7; a |= bit(7, 8) << 8;
  for (let i = 9; i < 15; i++) a |= bit(14 - i, 8) << i;
  for (let i = 0; i < 8; i++) b |= bit(size - 1 - i, 8) << i;
  for (let i = 8; i < 15; i++) b |= bit(8, size - 15 + i) << i;
  let best = null;
  for (let data = 0; data < 32; data++) {
    let rem = data;
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    const code = ((data << 10) | rem) ^ 0x5412;
    for (const got of [a, b]) {
      let d = 0;
      for (let x = code ^ got; x; x &= x - 1) d++;
      if (!best || d < best.d) best = { d, data };
    }
  }
  return best.d <= 3 ? { level: LEVEL[best.data >> 3], mask: best.data & 7 } : null;
}

function rsCorrect(block, nsym) {
  const syn = [];
  for (let j = 0; j < nsym; j++) { let s = 0; for (const c of block) s = mul(s, EXP[j]) ^ c; syn.push(s); }
  if (syn.every((s) => s === 0)) return true;
  let C = [1]; let B = [1]; let L = 0; let m = 1; let b = 1;
  for (let n = 0; n < nsym; n++) {
    let d = syn[n];
    for (let i = 1; i <= L; i++) d ^= mul(C[i] || 0, syn[n - i]);
    if (d === 0) { m++; continue; }
    const coef = div(d, b);
    const next = C.slice();
    for (let i = 0; i < B.length; i++) next[i + m] = (next[i + m] || 0) ^ mul(coef, B[i]);
    if (2 * L <= n) { B = C; L = n + 1 - L; b = d; m = 1; } else m++;
    C = next;
  }
  const len = block.length;
  const positions = [];
  for (let i = 0; i < len; i++) {
    const inv = EXP[(255 - ((len - 1 - i) % 255)) % 255];
    let v = 0; let p = 1;
    for (const c of C) { v ^= mul(c || 0, p); p = mul(p, inv); }
    if (v === 0) positions.push(i);
  }
  if (positions.length !== L) return false;
  const omega = [];
  for (let i = 0; i < nsym; i++) { let v = 0; for (let k = 0; k <= i; k++) v ^= mul(syn[i - k], C[k] || 0); omega.push(v); }
  for (const i of positions) {
    const X = EXP[(len - 1 - i) % 255];
    const Xinv = EXP[(255 - ((len - 1 - i) % 255)) % 255];
    let num = 0; let p = 1;
    for (const o of omega) { num ^= mul(o, p); p = mul(p, Xinv); }
    let den = 0; p = 1;
    for (let k = 1; k < C.length; k += 2) { den ^= mul(C[k] || 0, p); p = mul(p, mul(Xinv, Xinv)); }
    if (!den) return false;
    block[i] ^= mul(X, div(num, den));
  }
  for (let j = 0; j < nsym; j++) { let s = 0; for (const c of block) s = mul(s, EXP[j]) ^ c; if (s) return false; }
  return true;
}

function decodeGrid(bit, dim) {
  const ver = (dim - 17) / 4;
  if (ver < 1 || ver > 20 || !Number.isInteger(ver)) return null;
  const fmt = readFormat(bit, dim);
  if (!fmt) return null;
  const fn = functionModules(ver, dim);
  const [ecn, b1, d1, b2, d2] = EC[ver - 1][fmt.level];
  const total = b1 * (d1 + ecn) + b2 * (d2 + ecn);
  const words = new Uint8Array(total);
  let k = 0;
  for (let right = dim - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < dim; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? dim - 1 - vert : vert;
        if (fn[y][x] || k >= total * 8) continue;
        if (bit(x, y) ^ (MASKS[fmt.mask](x, y) ? 1 : 0)) words[k >> 3] |= 0x80 >> (k & 7);
        k++;
      }
    }
  }
  const blocks = [];
  for (let i = 0; i < b1 + b2; i++) blocks.push({ len: i < b1 ? d1 : d2, data: [], ec: [] });
  let p = 0;
  for (let i = 0; i < Math.max(d1, d2); i++) for (const bl of blocks) if (i < bl.len) bl.data.push(words[p++]);
  for (let i = 0; i < ecn; i++) for (const bl of blocks) bl.ec.push(words[p++]);
  const data = [];
  for (const bl of blocks) {
    const all = [...bl.data, ...bl.ec];
    if (!rsCorrect(all, ecn)) return null;
    data.push(...all.slice(0, bl.len));
  }
  return segments(data, ver);
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function segments(bytes, ver) {
  let pos = 0;
  const read = (n) => { let v = 0; for (let i = 0; i < n; i++, pos++) v = (v << 1) | ((bytes[pos >> 3] >> (7 - (pos & 7))) & 1); return v; };
  const left = () => bytes.length * 8 - pos;
  const big = ver >= 10;
  const out = [];
  while (left() >= 4) {
    const mode = read(4);
    if (mode === 0) break;
    if (mode === 7) { read(8); continue; }
    if (mode === 1) {
      let n = read(big ? 12 : 10);
      let s = '';
      for (; n >= 3; n -= 3) s += String(read(10)).padStart(3, '0');
      if (n === 2) s += String(read(7)).padStart(2, '0'); else if (n === 1) s += String(read(4));
      out.push(new TextEncoder().encode(s));
    } else if (mode === 2) {
      let n = read(big ? 11 : 9);
      let s = '';
      for (; n >= 2; n -= 2) { const v = read(11); s += ALNUM[Math.floor(v / 45)] + ALNUM[v % 45]; }
      if (n === 1) s += ALNUM[read(6)];
      out.push(new TextEncoder().encode(s));
    } else if (mode === 4) {
      const n = read(big ? 16 : 8);
      if (left() < n * 8) return null;
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = read(8);
      out.push(b);
    } else return null;
  }
  const all = new Uint8Array(out.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of out) { all.set(b, o); o += b.length; }
  try { return new TextDecoder('utf-8', { fatal: true }).decode(all); } catch { return String.fromCharCode(...all); }
}

// imageData: {data: RGBA bytes, width, height} → the QR's text, or null
export function decodeImageData(imageData) {
  const img = binarize(imageData);
  const three = pickThree(findFinders(img));
  if (!three) return null;
  const [tl, tr, bl] = three;
  const module = (tl.size + tr.size + bl.size) / 3;
  const est = (Math.hypot(tr.x - tl.x, tr.y - tl.y) + Math.hypot(bl.x - tl.x, bl.y - tl.y)) / 2 / module + 7;
  let dim = Math.round(est);
  dim += [1, 0, -1, -2][dim & 3];
  for (const size of [dim, dim + 4, dim - 4]) {
    if (size < 21) continue;
    const ver = (size - 17) / 4;
    const align = ver >= 2 ? findAlignment(img, tl, tr, bl, size) : null;
    const src = [3.5, 3.5, size - 3.5, 3.5, align ? size - 6.5 : size - 3.5, align ? size - 6.5 : size - 3.5, 3.5, size - 3.5];
    const br = align || { x: tr.x + bl.x - tl.x, y: tr.y + bl.y - tl.y };
    const map = transform(src, [tl.x, tl.y, tr.x, tr.y, br.x, br.y, bl.x, bl.y]);
    const grid = Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => img.at(...map(x + 0.5, y + 0.5))));
    const text = decodeGrid((x, y) => grid[y][x], size);
    if (text !== null) return text;
  }
  return null;
}

// From a video frame, an image or a bitmap: scaled so the longer side is at most `max` pixels.
export function decodeSource(source, max = 800) {
  const w0 = source.videoWidth || source.naturalWidth || source.width;
  const h0 = source.videoHeight || source.naturalHeight || source.height;
  if (!w0 || !h0) return null;
  const scale = Math.min(1, max / Math.max(w0, h0));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w0 * scale);
  canvas.height = Math.round(h0 * scale);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return decodeImageData(ctx.getImageData(0, 0, canvas.width, canvas.height));
}
