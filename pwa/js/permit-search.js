// Offline permit search: a port of citizen_app/permits/search.py (same ranking, same constants, taken from the
// catalogue's `search` block). tests/pwa checks it against tests/permits/search_queries.json.
export class PermitIndex {
  constructor(docs, cfg) {
    this.cfg = cfg;
    this.stop = new Set(cfg.stopwords);
    this.spelling = cfg.spelling;
    this.rules = Object.entries(cfg.synonyms).map(([k, v]) => [k.split(' '), v.split(' ')])
      .sort((a, b) => b[0].length - a[0].length);
    this.docs = docs;
    this.entries = [];
    this.postings = new Map();
    const docTokens = docs.map(() => new Set());
    docs.forEach((doc, d) => {
      const texts = [['name', doc.name], ...(doc.aliases || []).map((a) => ['alias', a]),
        ...(doc.old_names || []).map((a) => ['old_name', a]), ['output', doc.output || ''], ['sector', doc.sector || '']];
      for (const [kind, text] of texts) {
        const tokens = this.entryTokens(text);
        if (!tokens.length) continue;
        this.entries.push({ doc: d, kind, text, tokens, weight: cfg.entry_weights[kind] });
        tokens.forEach((t) => docTokens[d].add(t));
      }
    });
    this.entries.forEach((entry, e) => entry.tokens.forEach((t) => {
      if (!this.postings.has(t)) this.postings.set(t, []);
      this.postings.get(t).push(e);
    }));
    const df = new Map();
    docTokens.forEach((set) => set.forEach((t) => df.set(t, (df.get(t) || 0) + 1)));
    this.idf = new Map([...df].map(([t, c]) => [t, Math.log(1 + docs.length / c)]));
    this.vocab = [...this.postings.keys()].sort(cmp);
    this.known = new Set([...this.vocab, ...this.stop]);
    this.tri = new Map(this.vocab.filter((t) => t.length >= 3).map((t) => [t, trigrams(t)]));
    this.order = docs.map((_, d) => d).sort((a, b) => cmp(this.sortKey(docs[a].name), this.sortKey(docs[b].name)) || cmp(docs[a].slug, docs[b].slug));
    this.cache = new Map();
  }

  normalize(text) {
    const s = String(text).normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ');
    return s.split(' ').filter(Boolean).map((t) => (Object.hasOwn(this.spelling, t) ? this.spelling[t] : t));
  }

  dropStop(tokens) { const kept = tokens.filter((t) => !this.stop.has(t)); return kept.length ? kept : tokens; }

  entryTokens(text) { return [...new Set(this.dropStop(this.normalize(text)))]; }

  sortKey(name) { return this.normalize(name).join(' '); }

  synonyms(tokens) {
    const out = [];
    let i = 0;
    while (i < tokens.length) {
      const rule = this.rules.find(([p]) => p.every((w, j) => tokens[i + j] === w));
      if (rule) { out.push(...rule[1]); i += rule[0].length; } else { out.push(tokens[i]); i += 1; }
    }
    return out;
  }

  splitCompounds(tokens) {
    const out = [];
    for (const t of tokens) {
      let done = false;
      if (t.length >= 6 && !this.known.has(t)) {
        for (let i = 3; i < t.length - 2; i++) {
          if (this.known.has(t.slice(0, i)) && this.known.has(t.slice(i))) {
            out.push(this.spell(t.slice(0, i)), this.spell(t.slice(i)));
            done = true;
            break;
          }
        }
      }
      if (!done) out.push(t);
    }
    return out;
  }

  spell(t) { return Object.hasOwn(this.spelling, t) ? this.spelling[t] : t; }

  // → [{doc, score, matched, matched_field}]
  search(query, filter) {
    const tokens = this.splitCompounds(this.normalize(String(query).slice(0, this.cfg.max_query_chars)).slice(0, this.cfg.max_query_tokens));
    const plain = this.dropStop(tokens);
    const wanted = this.docs.map((_, d) => d).filter((d) => !filter || filter(this.docs[d]));
    const letters = plain.filter((t) => !this.stop.has(t)).reduce((n, t) => n + t.length, 0);
    if (!plain.length || letters < 2) {
      const keep = new Set(wanted);
      return this.order.filter((d) => keep.has(d)).map((d) => ({ doc: this.docs[d], score: null, matched: null, matched_field: null }));
    }
    const best = this.score(plain);
    const syn = this.dropStop(this.synonyms(tokens));
    if (syn.join(' ') !== plain.join(' ') || syn.length !== plain.length) {
      for (const [d, [s, e]] of this.score(syn)) {
        const score = s * this.cfg.synonym_variant_factor;
        if (!best.has(d) || score > best.get(d)[0]) best.set(d, [score, e]);
      }
    }
    const hits = [];
    for (const d of wanted) {
      if (!best.has(d)) continue;
      const score = round4(best.get(d)[0]);
      if (score < this.cfg.min_score) continue;
      const entry = this.entries[best.get(d)[1]];
      hits.push({ doc: this.docs[d], score, matched: entry.text, matched_field: entry.kind });
    }
    return hits.sort((a, b) => b.score - a.score || cmp(this.sortKey(a.doc.name), this.sortKey(b.doc.name)) || cmp(a.doc.slug, b.doc.slug));
  }

  termMatches(q) {
    if (this.cache.has(q)) return this.cache.get(q);
    const out = new Map();
    const offer = (t, s) => { if (s > (out.get(t) || 0)) out.set(t, s); };
    if (this.postings.has(q)) out.set(q, 1.0);
    if (q.length >= 2) {
      for (let i = lowerBound(this.vocab, q); i < this.vocab.length && this.vocab[i].startsWith(q); i++) {
        const t = this.vocab[i];
        if (t !== q) offer(t, 0.6 + (0.3 * q.length) / t.length);
      }
    }
    if (q.length >= 4 && q.length <= this.cfg.max_fuzzy_len) {
      const k = q.length <= 7 ? 1 : 2;
      for (const t of this.tri.keys()) {
        if (t !== q && Math.abs(t.length - q.length) <= k) {
          const dist = osa(q, t);
          if (dist <= k) offer(t, dist === 1 ? 0.85 : 0.7);
        }
      }
    }
    if (q.length >= 5) {
      const grams = trigrams(q);
      for (const [t, tg] of this.tri) {
        let shared = 0;
        for (const g of grams) if (tg.has(g)) shared += 1;
        if (!shared) continue;
        const dice = (2 * shared) / (grams.size + tg.size);
        if (dice >= 0.5) offer(t, 0.7 * dice);
      }
    }
    if (this.cache.size > 20000) this.cache.clear();
    this.cache.set(q, out);
    return out;
  }

  score(terms) {
    const matches = terms.map((q) => this.termMatches(q));
    const weights = matches.map((m) => {
      if (!m.size) return Math.log(2);
      const top = Math.max(...m.values());
      return Math.max(...[...m].filter(([, s]) => s === top).map(([t]) => this.idf.get(t)));
    });
    const total = weights.reduce((a, b) => a + b, 0);
    const perTerm = new Map();
    const perToken = new Map();
    matches.forEach((m, i) => {
      for (const [t, s] of m) {
        for (const e of this.postings.get(t)) {
          if (!perTerm.has(e)) { perTerm.set(e, new Array(terms.length).fill(0)); perToken.set(e, new Map()); }
          const row = perTerm.get(e);
          if (s > row[i]) row[i] = s;
          const pt = perToken.get(e);
          if (s > (pt.get(t) || 0)) pt.set(t, s);
        }
      }
    });
    const top2 = new Map();
    for (const [e, row] of perTerm) {
      const entry = this.entries[e];
      let qc = 0;
      weights.forEach((w, i) => { qc += w * row[i]; });
      qc /= total;
      let fc = 0;
      for (const v of perToken.get(e).values()) fc += v;
      fc /= entry.tokens.length;
      const score = entry.weight * qc * (0.7 + 0.3 * fc);
      const slot = top2.get(entry.doc);
      if (!slot) top2.set(entry.doc, [score, e, 0]);
      else if (score > slot[0] || (score === slot[0] && e < slot[1])) { slot[2] = slot[0]; slot[0] = score; slot[1] = e; } else if (score > slot[2]) slot[2] = score;
    }
    const out = new Map();
    for (const [d, [b, e, second]] of top2) out.set(d, [b + this.cfg.second_entry_factor * second, e]);
    return out;
  }
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const round4 = (x) => Number(x.toFixed(4));

function lowerBound(arr, x) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}

function trigrams(t) {
  const p = `#${t}#`;
  const s = new Set();
  for (let i = 0; i < p.length - 2; i++) s.add(p.slice(i, i + 3));
  return s;
}

function osa(a, b) {
  let prev2 = null;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i, ...new Array(b.length).fill(0)];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}
