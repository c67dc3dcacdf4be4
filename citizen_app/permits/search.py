"""Permit search: the ranking the API serves and the PWA runs offline over the catalogue. Keep the two in step;
the constants below and the word lists in words.py travel in the catalogue (`search`), and
tests/permits/search_queries.json is the shared labelled set to check a port against.

normalize(text): NFKD; drop Unicode marks (categories M*); lowercase; every run of characters other than a-z and
  0-9 becomes one space; split on spaces; each token replaced through SPELLING (ijin→izin, praktek→praktik, …).
Entry tokens: normalize, drop STOPWORDS unless that leaves nothing, drop repeats (first kept).
Index: per permit the entries name, each alias, each old name (weight 1.0), output (0.8), sector (0.5).
  df(t) = permits having t in any entry; idf(t) = ln(1 + N/df(t)), N = permits indexed.
Query: normalize; keep the first 12 tokens; a token of 6+ letters not in the vocabulary (entry tokens, stopwords)
  that splits into two vocabulary words of 3+ letters is split (first split point from the left; "izinapotek"),
  each half then going through SPELLING. Variant 1 = those tokens with stopwords dropped. Variant 2 = SYNONYMS
  applied first (at each position the longest rule that matches, left to right, rules never overlap), then
  stopwords dropped; scored only when it differs from variant 1. If the non-stopword tokens of variant 1 have
  fewer than 2 letters together ("", "a", "izin"), every permit is listed instead (see Listing).
Token match m(q, t) in [0, 1]: 1 if equal, else the best of
  prefix  len(q) >= 2 and t starts with q: 0.6 + 0.3·len(q)/len(t)
  typo    4 <= len(q) <= 24, k = 1 if len(q) <= 7 else 2, |len(q) - len(t)| <= k and the OSA distance (edits plus
          adjacent transpositions) d <= k: 0.85 if d = 1, 0.7 if d = 2
  trigram len(q) >= 5, len(t) >= 3, sets of 3-letter slices of "#q#" and "#t#",
          dice = 2|A∩B|/(|A|+|B|) >= 0.5: 0.7·dice
Term weight w(q) = idf of the vocabulary token q matches best (ties: the higher idf); ln 2 when it matches none.
Entry score: qc = Σ_q w(q)·max_t m(q,t) / Σ_q w(q); fc = Σ_t max_q m(q,t) / (entry tokens);
  s = weight·qc·(0.7 + 0.3·fc).
Permit score per variant = best entry + 0.05·second-best entry (equal entry scores: the earlier entry in index
  order is "best"); the variant-2 score counts 0.95×; the higher wins (variant 1 on a tie; compare unrounded)
  and `matched` is the best entry's original text, `matched_field` its kind. Final score rounded to 4 decimals, kept
  when >= 0.3, ordered by score desc, then normalised name, then slug (plain code-point comparison).
Listing (no usable query): all permits ordered by normalised name, then slug; matched and score are null.
"""

import bisect
import math
import operator
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from citizen_app.permits.words import SPELLING, STOPWORDS, SYNONYMS

MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 12
MAX_FUZZY_LEN = 24
MIN_SCORE = 0.3
SYNONYM_VARIANT_FACTOR = 0.95
SECOND_ENTRY_FACTOR = 0.05
ENTRY_WEIGHTS = {"name": 1.0, "alias": 1.0, "old_name": 1.0, "output": 0.8, "sector": 0.5}

def config() -> dict:
    """What the PWA needs to run this ranking over the catalogue."""
    return {
        "algorithm": 1,
        "stopwords": sorted(STOPWORDS),
        "spelling": SPELLING,
        "synonyms": SYNONYMS,
        "entry_weights": ENTRY_WEIGHTS,
        "max_query_chars": MAX_QUERY_CHARS,
        "max_query_tokens": MAX_QUERY_TOKENS,
        "max_fuzzy_len": MAX_FUZZY_LEN,
        "min_score": MIN_SCORE,
        "synonym_variant_factor": SYNONYM_VARIANT_FACTOR,
        "second_entry_factor": SECOND_ENTRY_FACTOR,
    }


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> list[str]:
    if not text.isascii():  # ASCII has no marks and is its own NFKD
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if c.isascii() or not unicodedata.category(c).startswith("M"))
    return [SPELLING.get(t, t) for t in _NON_ALNUM.sub(" ", text.lower()).split()]


def drop_stopwords(tokens: list[str]) -> list[str]:
    kept = [t for t in tokens if t not in STOPWORDS]
    return kept or tokens


def entry_tokens(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(drop_stopwords(normalize(text))))


def sort_key(name: str) -> str:
    return " ".join(normalize(name))


_SYNONYM_RULES: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _pattern, _replacement in sorted(((tuple(k.split()), tuple(v.split())) for k, v in SYNONYMS.items()),
                                     key=lambda rule: -len(rule[0])):
    _SYNONYM_RULES.setdefault(_pattern[0], []).append((_pattern, _replacement))


def apply_synonyms(tokens: list[str]) -> list[str]:
    out, i = [], 0
    while i < len(tokens):
        for pattern, replacement in _SYNONYM_RULES.get(tokens[i], ()):
            if tuple(tokens[i:i + len(pattern)]) == pattern:
                out.extend(replacement)
                i += len(pattern)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def trigrams(token: str) -> frozenset[str]:
    padded = f"#{token}#"
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def _deletes(token: str, depth: int) -> set[str]:
    found, frontier = {token}, {token}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


@dataclass(frozen=True)
class Entry:
    doc: int
    kind: str
    text: str
    tokens: tuple[str, ...]
    weight: float


@dataclass
class Hit:
    doc: dict
    score: float | None
    matched: str | None
    matched_field: str | None


@dataclass
class SearchIndex:
    """Built once per catalogue version; `docs` are dicts with slug, name, aliases, old_names, sector, output."""

    docs: list[dict]
    entries: list[Entry] = field(default_factory=list)

    def __post_init__(self):
        self.postings: dict[str, list[int]] = {}
        doc_tokens: list[set[str]] = [set() for _ in self.docs]
        for d, doc in enumerate(self.docs):
            texts = [("name", doc["name"])] + [("alias", a) for a in doc.get("aliases") or []]
            texts += [("old_name", a) for a in doc.get("old_names") or []]
            texts += [("output", doc.get("output") or ""), ("sector", doc.get("sector") or "")]
            for kind, text in texts:
                tokens = entry_tokens(text)
                if not tokens:
                    continue
                self.entries.append(Entry(d, kind, text, tokens, ENTRY_WEIGHTS[kind]))
                doc_tokens[d].update(tokens)
        for e, entry in enumerate(self.entries):
            for t in entry.tokens:
                self.postings.setdefault(t, []).append(e)
        self.entry_doc = [entry.doc for entry in self.entries]
        self.entry_factor = [entry.weight for entry in self.entries]
        self.entry_len = [len(entry.tokens) for entry in self.entries]
        df = Counter(t for tokens in doc_tokens for t in tokens)
        n = len(self.docs)
        self.idf = {t: math.log(1 + n / c) for t, c in df.items()}
        self.vocab = sorted(self.postings)
        self.known = set(self.vocab) | STOPWORDS
        self.deletes: dict[str, set[str]] = {}
        self.tri: dict[str, frozenset[str]] = {}
        self.tri_postings: dict[str, list[str]] = {}
        for t in self.vocab:
            if len(t) >= 3:
                for d in _deletes(t, 2):
                    self.deletes.setdefault(d, set()).add(t)
                self.tri[t] = trigrams(t)
                for g in self.tri[t]:
                    self.tri_postings.setdefault(g, []).append(t)
        self.sort_keys = [(sort_key(doc["name"]), doc["slug"]) for doc in self.docs]
        self.order = sorted(range(n), key=self.sort_keys.__getitem__)
        self._term_cache: dict[str, dict[str, float]] = {}

    def search(self, query: str, allowed: set[int] | None = None) -> list[Hit]:
        """Ranked hits; `allowed` limits them to those positions in `docs` (a sector filter)."""
        tokens = self._split_compounds(normalize(query)[:MAX_QUERY_TOKENS])
        plain = drop_stopwords(tokens)
        if not plain or sum(len(t) for t in plain if t not in STOPWORDS) < 2:
            return [Hit(self.docs[d], None, None, None) for d in self.order if allowed is None or d in allowed]
        best = self._score(plain)
        synonym = drop_stopwords(apply_synonyms(tokens))
        if synonym != plain:
            for d, (score, entry) in self._score(synonym).items():
                score *= SYNONYM_VARIANT_FACTOR
                if d not in best or score > best[d][0]:
                    best[d] = (score, entry)
        ranked = []
        for d, (score, e) in best.items():
            score = round(score, 4)
            if score >= MIN_SCORE and (allowed is None or d in allowed):
                ranked.append((-score, self.sort_keys[d], d, e))
        ranked.sort()
        entries = self.entries
        return [Hit(self.docs[d], -neg, entries[e].text, entries[e].kind) for neg, _, d, e in ranked]

    def _split_compounds(self, tokens: list[str]) -> list[str]:
        out = []
        for t in tokens:
            if len(t) >= 6 and t not in self.known:
                for i in range(3, len(t) - 2):
                    if t[:i] in self.known and t[i:] in self.known:
                        out.extend([SPELLING.get(t[:i], t[:i]), SPELLING.get(t[i:], t[i:])])
                        break
                else:
                    out.append(t)
            else:
                out.append(t)
        return out

    def term_matches(self, q: str) -> dict[str, float]:
        cached = self._term_cache.get(q)
        if cached is not None:
            return cached
        out: dict[str, float] = {}

        def offer(t: str, score: float) -> None:
            if score > out.get(t, 0.0):
                out[t] = score

        if q in self.postings:
            out[q] = 1.0
        if len(q) >= 2:
            i = bisect.bisect_left(self.vocab, q)
            while i < len(self.vocab) and self.vocab[i].startswith(q):
                t = self.vocab[i]
                if t != q:
                    offer(t, 0.6 + 0.3 * len(q) / len(t))
                i += 1
        if 4 <= len(q) <= MAX_FUZZY_LEN:
            k = 1 if len(q) <= 7 else 2
            candidates = set()
            for d in _deletes(q, k):
                candidates |= self.deletes.get(d, set())
            for t in candidates:
                if t != q and abs(len(t) - len(q)) <= k:
                    dist = osa_distance(q, t)
                    if dist <= k:
                        offer(t, 0.85 if dist == 1 else 0.7)
        if len(q) >= 5:
            grams = trigrams(q)
            shared = Counter(t for g in grams for t in self.tri_postings.get(g, ()))
            for t, count in shared.items():
                dice = 2 * count / (len(grams) + len(self.tri[t]))
                if dice >= 0.5:
                    offer(t, 0.7 * dice)
        if len(self._term_cache) > 20000:
            self._term_cache.clear()
        self._term_cache[q] = out
        return out

    def _score(self, terms: list[str]) -> dict[int, tuple[float, int]]:
        matches = [self.term_matches(q) for q in terms]
        weights = []
        for m in matches:
            if not m:
                weights.append(math.log(2))
                continue
            top = max(m.values())
            weights.append(max(self.idf[t] for t, s in m.items() if s == top))
        total = sum(weights)
        # token -> the terms it answers, with scores; each entry holds a token once, so fc sums without repeats
        by_token: dict[str, list[tuple[int, float]]] = {}
        for i, m in enumerate(matches):
            for t, score in m.items():
                by_token.setdefault(t, []).append((i, score))
        per_term: dict[int, list[float]] = {}
        token_sum: dict[int, float] = {}
        for t, pairs in by_token.items():
            best = max(score for _, score in pairs)
            for e in self.postings[t]:
                row = per_term.get(e)
                if row is None:
                    row = per_term[e] = [0.0] * len(terms)
                    token_sum[e] = 0.0
                token_sum[e] += best
                for i, score in pairs:
                    if score > row[i]:
                        row[i] = score
        top2: dict[int, list] = {}  # doc -> [best score, best entry, second score]
        entry_doc, entry_factor, entry_len = self.entry_doc, self.entry_factor, self.entry_len
        for e, row in per_term.items():
            qc = sum(map(operator.mul, weights, row)) / total
            score = entry_factor[e] * qc * (0.7 + 0.3 * token_sum[e] / entry_len[e])
            slot = top2.get(entry_doc[e])
            if slot is None:
                top2[entry_doc[e]] = [score, e, 0.0]
            elif score > slot[0] or (score == slot[0] and e < slot[1]):
                slot[2] = slot[0]
                slot[0], slot[1] = score, e
            elif score > slot[2]:
                slot[2] = score
        return {d: (best + SECOND_ENTRY_FACTOR * second, e) for d, (best, e, second) in top2.items()}
