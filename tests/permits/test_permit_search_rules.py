"""The ranking's rules, on a small hand-made catalogue (no database)."""

import pytest

from citizen_app.permits.search import (
    SearchIndex,
    apply_synonyms,
    drop_stopwords,
    entry_tokens,
    normalize,
    osa_distance,
)


def doc(slug, name, aliases=(), old_names=(), sector="Umum", output=""):
    return {"slug": slug, "name": name, "aliases": list(aliases), "old_names": list(old_names), "sector": sector,
            "output": output}


DOCS = [
    doc("pbg", "Persetujuan Bangunan Gedung (PBG)", ["izin bangun rumah"], ["IMB", "izin mendirikan bangunan"],
        sector="Pekerjaan Umum"),
    doc("apotek", "Surat Izin Apotek", ["izin buka apotek"], sector="Kesehatan"),
    doc("apoteker", "Surat Izin Praktik Apoteker", ["izin praktik apoteker"], sector="Kesehatan"),
    doc("dokter", "Surat Izin Praktik Dokter", ["izin praktik dokter"], sector="Kesehatan"),
    doc("nib", "Nomor Induk Berusaha", ["izin usaha"], ["SIUP", "TDP"], sector="Perizinan Berusaha"),
    doc("makan", "Tanda Daftar Usaha Pariwisata", ["izin rumah makan"], sector="Pariwisata"),
    doc("reklame", "Izin Reklame", ["izin baliho"], sector="Pendapatan"),
    doc("penelitian", "Surat Keterangan Penelitian", ["izin penelitian"], sector="Kesbangpol"),
]


@pytest.fixture(scope="module")
def index():
    return SearchIndex(DOCS)


def slugs(index, q, **kw):
    return [h.doc["slug"] for h in index.search(q, **kw)]


def test_normalize_strips_accents_case_punctuation_and_canonicalises_spelling():
    assert normalize("  Ijin PRAKTEK—Dókter, (SIP)!! ") == ["izin", "praktik", "dokter", "sip"]
    assert normalize("Apotik/optik") == ["apotek", "optik"]


def test_stopwords_drop_only_when_other_words_remain():
    assert drop_stopwords(["izin", "buka", "apotek"]) == ["apotek"]
    assert drop_stopwords(["surat", "izin"]) == ["surat", "izin"]
    assert entry_tokens("izin praktik dokter dokter") == ("praktik", "dokter")


def test_osa_distance_counts_a_transposition_as_one_edit():
    assert osa_distance("dokter", "doktre") == 1
    assert osa_distance("dokter", "doktr") == 1
    assert osa_distance("apotek", "apotik") == 1
    assert osa_distance("", "abc") == 3


def test_old_names_find_the_new_permit_and_say_what_matched(index):
    hits = index.search("IMB")
    assert hits[0].doc["slug"] == "pbg"
    assert hits[0].matched == "IMB" and hits[0].matched_field == "old_name"
    assert slugs(index, "siup")[0] == "nib" and slugs(index, "tdp")[0] == "nib"


def test_typo_tolerance_depends_on_word_length(index):
    assert slugs(index, "doktr")[0] == "dokter"  # 5 letters, one edit
    assert slugs(index, "penelitan")[0] == "penelitian"  # 9 letters, one edit
    assert slugs(index, "peneltan")[0] == "penelitian"  # 8 letters, two edits
    assert "dokter" not in index.term_matches("dktrr")  # two edits in five letters: too far


def test_short_words_need_an_exact_or_prefix_match(index):
    assert index.term_matches("imb") == {"imb": 1.0}
    assert "imb" not in index.term_matches("imx")
    assert index.term_matches("apo")["apotek"] > index.term_matches("apo")["apoteker"]


def test_prefix_matching_supports_typing(index):
    assert slugs(index, "izin apot")[:2] == ["apotek", "apoteker"]
    assert slugs(index, "rekl")[0] == "reklame"


def test_exact_word_beats_a_longer_word_it_prefixes(index):
    assert slugs(index, "izin apotek")[0] == "apotek"
    assert slugs(index, "izin apoteker")[0] == "apoteker"


def test_synonyms_map_everyday_words(index):
    assert apply_synonyms(["izin", "warung", "makan"]) == ["izin", "rumah", "makan"]
    assert apply_synonyms(["buka", "toko"]) == ["buka", "izin", "usaha"]
    assert slugs(index, "izin warung makan")[0] == "makan"
    assert slugs(index, "izin buka toko")[0] == "nib"
    assert slugs(index, "mau bangun rumah")[0] == "pbg"
    assert slugs(index, "pasang iklan")[0] == "reklame"


def test_glued_words_are_split(index):
    assert slugs(index, "izinapotek")[0] == "apotek"


def test_word_order_does_not_matter(index):
    assert slugs(index, "dokter praktik")[0] == "dokter"
    assert slugs(index, "rumah bangun")[0] == "pbg"


def test_listing_when_the_query_is_empty_one_letter_or_only_stopwords(index):
    alphabetical = ["reklame", "nib", "pbg", "apotek", "apoteker", "dokter", "penelitian", "makan"]
    for q in ("", " ", "a", "izin", "surat izin", "!!!", "izin a"):
        hits = index.search(q)
        assert [h.doc["slug"] for h in hits] == alphabetical, q
        assert all(h.score is None and h.matched is None for h in hits)


def test_scores_are_ordered_and_deterministic(index):
    first = [(h.doc["slug"], h.score) for h in index.search("izin praktik")]
    assert first == [(h.doc["slug"], h.score) for h in SearchIndex(DOCS).search("izin praktik")]
    scores = [s for _, s in first]
    assert scores == sorted(scores, reverse=True)
    assert {"apoteker", "dokter"} <= {s for s, _ in first[:2]}


def test_nothing_relevant_gives_nothing(index):
    assert index.search("xqzv wplk") == []


@pytest.mark.parametrize("nasty", [
    "😀😀😀", "مرحبا بالعالم", "\x00\x00 apotek \x00", "'; DROP TABLE permits; --", "%_%", "\u202eketopa",
    "ａｐｏｔｅｋ", "apo\u0301tek", "\ud7ff" * 5, "a" * 200, "izin " * 40, "ß" * 50, "𝖆𝖕𝖔𝖙𝖊𝖐",
])
def test_any_unicode_is_safe(index, nasty):
    hits = index.search(nasty)
    assert isinstance(hits, list)


def test_fullwidth_and_styled_letters_fold_to_ascii(index):
    assert slugs(index, "ａｐｏｔｅｋ")[0] == "apotek"
    assert slugs(index, "ápótek")[0] == "apotek"


def test_allowed_keeps_only_those_docs(index):
    assert slugs(index, "izin praktik", allowed={3}) == ["dokter"]
    assert slugs(index, "", allowed={0, 4}) == ["nib", "pbg"]
    assert slugs(index, "izin praktik", allowed=set()) == []
