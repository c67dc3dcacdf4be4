"""What anyone (a resident, the PWA, another city's app) gets from the permit endpoints."""

import gzip
import json

import pytest

from citizen_app.permits.search import sort_key


def test_search_ranks_best_first_and_shows_what_matched(client):
    res = client.get("/api/v1/permits?q=izin%20bangun%20rumah")
    assert res.status_code == 200, res.json
    body = res.json
    top = body["items"][0]
    assert top["slug"] == "pbg" and top["matched"] == "izin bangun rumah" and top["matched_field"] == "alias"
    assert top["channel"].startswith("SIMBG") and top["sla_working_days"] == 28
    assert top["fee"] == {"amount": None, "kind": "tariff", "note": top["fee"]["note"]} and top["fee"]["note"]
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert body["total"] == len(body["items"]) and body["page"] == 1


@pytest.mark.parametrize(("q", "slug", "matched"), [
    ("IMB", "pbg", "imb"),
    ("siup", "nib", "siup"),
    ("TDP", "nib", "tdp"),
    ("izin lokasi", "pkkpr", "izin lokasi"),
    ("izin praktek doktr", "sip-dokter", "izin praktik dokter"),
    ("izin buka apotek", "izin-apotek", "izin apotek"),
])
def test_old_names_everyday_words_and_typos(client, q, slug, matched):
    top = client.get("/api/v1/permits", query_string={"q": q}).json["items"][0]
    assert (top["slug"], top["matched"]) == (slug, matched)


def test_old_names_are_flagged_as_such(client):
    top = client.get("/api/v1/permits?q=imb").json["items"][0]
    assert top["matched_field"] == "old_name"
    detail = client.get("/api/v1/permits/pbg").json
    assert "imb" in detail["old_names"] and "imb" not in detail["aliases"]


def test_empty_and_one_letter_queries_list_everything_alphabetically_with_pages(client):
    everything = client.get("/api/v1/permits?per_page=100").json
    assert everything["total"] == 16
    names = [i["name"] for i in everything["items"]]
    assert names == sorted(names, key=sort_key)  # by the normalised name: "Izin / Persetujuan" files under "izin p"
    assert all(i["score"] is None and i["matched"] is None for i in everything["items"])
    for q in ("", "a", "z", "izin"):
        listed = client.get("/api/v1/permits", query_string={"q": q, "per_page": 100}).json
        assert [i["slug"] for i in listed["items"]] == [i["slug"] for i in everything["items"]], q
    page2 = client.get("/api/v1/permits?per_page=5&page=2").json
    assert page2["page"] == 2 and page2["per_page"] == 5 and page2["total"] == 16
    assert [i["slug"] for i in page2["items"]] == [i["slug"] for i in everything["items"][5:10]]
    beyond = client.get("/api/v1/permits?per_page=5&page=9").json
    assert beyond["items"] == [] and beyond["total"] == 16


def test_sector_filter_by_slug_or_name(client):
    sectors = client.get("/api/v1/permits/sectors").json["items"]
    health = next(s for s in sectors if s["name"] == "Kesehatan")
    assert health == {"slug": "kesehatan", "name": "Kesehatan", "count": 6}
    assert sum(s["count"] for s in sectors) == 16
    by_slug = client.get("/api/v1/permits?sector=kesehatan&per_page=100").json
    assert by_slug["total"] == 6 and {i["sector"] for i in by_slug["items"]} == {"Kesehatan"}
    by_name = client.get("/api/v1/permits", query_string={"sector": "Pekerjaan Umum dan Penataan Ruang"}).json
    assert {i["slug"] for i in by_name["items"]} == {"pbg", "slf", "pkkpr"}
    searched = client.get("/api/v1/permits?q=izin%20praktik&sector=kesehatan").json
    assert searched["items"] and all(i["sector"] == "Kesehatan" for i in searched["items"])
    assert client.get("/api/v1/permits?sector=nothing-like-this").json["total"] == 0


def test_long_queries_are_refused_and_bad_paging_is_422(client):
    res = client.get("/api/v1/permits", query_string={"q": "a" * 1000})
    assert res.status_code == 422 and "q" in res.json["errors"]
    assert client.get("/api/v1/permits", query_string={"q": "a" * 200}).status_code == 200
    for qs in ("per_page=0", "per_page=101", "page=0", "page=x", "per_page=2.5"):
        res = client.get(f"/api/v1/permits?{qs}")
        assert res.status_code == 422, qs
        assert res.json["code"] == "validation_error"


@pytest.mark.parametrize("q", [
    "😀", "مرحبا", "\x00", "apotek\x00", "'; DROP TABLE permits; --", "%", "\u202eketopa", "ａｐｏｔｅｋ",
    "\ufeff", "𝖆𝖕𝖔𝖙𝖊𝖐", "../../etc/passwd", "<script>alert(1)</script>",
])
def test_any_unicode_query_is_safe(client, q):
    res = client.get("/api/v1/permits", query_string={"q": q})
    assert res.status_code == 200, res.get_data(as_text=True)
    assert isinstance(res.json["items"], list)


def test_detail_has_the_service_standard(client):
    res = client.get("/api/v1/permits/sip-dokter")
    assert res.status_code == 200
    p = res.json
    assert p["name"].startswith("Surat Izin Praktik") and p["sector"] == "Kesehatan"
    assert {"text": "Fotokopi e-KTP", "mandatory": True} in p["requirements"]
    assert any(r["mandatory"] is False for r in p["requirements"])
    assert p["procedure"][0] and p["sla_working_days"] == 9
    assert p["fee"] == {"amount": 0, "note": "Tidak dipungut biaya", "kind": "free"}
    assert p["output"] and p["validity"] and p["legal_basis"] and p["channel"] and p["authority"]
    assert p["status"] == "active" and p["version"] == 1 and p["updated_at"].endswith("+00:00")


@pytest.mark.parametrize("slug", ["no-such-permit", "PBG", "pbg%00", "%F0%9F%98%80", "a" * 200, "-pbg"])
def test_unknown_or_malformed_slug_is_404(client, slug):
    res = client.get(f"/api/v1/permits/{slug}")
    assert res.status_code == 404 and res.json["code"] == "not_found"


def test_catalog_carries_everything_the_offline_search_needs(client):
    res = client.get("/api/v1/permits/catalog")
    assert res.status_code == 200 and res.mimetype == "application/json"
    doc = json.loads(res.data)
    assert doc["city"] == "kupang" and doc["count"] == 16 and len(doc["items"]) == 16
    assert {"stopwords", "spelling", "synonyms", "entry_weights", "min_score"} <= set(doc["search"])
    item = next(i for i in doc["items"] if i["slug"] == "pbg")
    assert {"name", "aliases", "old_names", "sector", "output", "requirements", "procedure", "fee",
            "sla_working_days", "legal_basis", "channel", "updated_at"} <= set(item)
    assert "status" not in item
    assert res.data == json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()  # compact
    assert {s["slug"] for s in doc["sectors"]} >= {"kesehatan", "pariwisata"}


def test_catalog_etag_revalidates_with_304_and_no_body(client):
    first = client.get("/api/v1/permits/catalog")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "no-cache" in first.headers["Cache-Control"] and "no-store" not in first.headers["Cache-Control"]
    again = client.get("/api/v1/permits/catalog", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get("/api/v1/permits/catalog", headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get("/api/v1/permits/catalog", headers={"If-None-Match": f'"x", {etag}'}).status_code == 304
    assert client.get("/api/v1/permits/catalog").headers["ETag"] == etag  # stable while nothing changes


def test_catalog_is_gzipped_when_the_client_accepts_it(client):
    plain = client.get("/api/v1/permits/catalog")
    zipped = client.get("/api/v1/permits/catalog", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 3
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    # Either representation's tag revalidates.
    for tag in (zipped.headers["ETag"], plain.headers["ETag"]):
        res = client.get("/api/v1/permits/catalog", headers={"If-None-Match": tag, "Accept-Encoding": "gzip"})
        assert res.status_code == 304
    assert "Content-Encoding" not in client.get("/api/v1/permits/catalog",
                                                headers={"Accept-Encoding": "gzip;q=0"}).headers


def test_openapi_documents_the_permit_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/permits", "/api/v1/permits/{slug}", "/api/v1/permits/catalog", "/api/v1/permits/sectors",
                 "/api/v1/permits/{slug}/history"):
        assert path in paths, path
    assert {"get", "put", "delete"} <= set(paths["/api/v1/permits/{slug}"])
