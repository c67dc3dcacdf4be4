"""Permit search at 500 permits (variants of the 16 seed permits): server-side search time and catalogue size.

Targets (issue 4): search median < 5 ms server-side; catalogue < 150 KB gzip-compressed."""

import gzip
import json
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import bench_app, postgres_available, timed

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "citizen_app" / "data" / "cities" / "kupang"
QUERIES = [q["q"] for q in json.loads((ROOT / "tests" / "permits" / "search_queries.json").read_text())["queries"]]
PLACES = ["Alak", "Maulafa", "Oebobo", "Kelapa Lima", "Kota Raja", "Kota Lama", "Pelabuhan", "Bandara", "Pasar"]
KINDS = ["Baru", "Perpanjangan", "Perubahan", "Cabang", "Mikro", "Menengah", "Sementara", "Khusus", "Kolektif"]
TARGET = 500


def catalogue_of(n: int, distinct_texts: bool = False) -> list[dict]:
    """Variants of the seed; with distinct_texts half the words of every text are swapped for random words of the
    seed's vocabulary, so gzip can't lean on 500 near-copies (a pessimistic catalogue size)."""
    rng = random.Random(4)
    seed = json.loads((SEED / "permits.json").read_text(encoding="utf-8"))["permits"]
    vocabulary = sorted({w for p in seed for w in re.findall(r"\w+", json.dumps(p, ensure_ascii=False))})

    def scramble(text: str) -> str:
        if not distinct_texts:
            return text
        return " ".join(w if rng.random() < 0.5 else rng.choice(vocabulary) for w in text.split())

    permits = list(seed)
    i = 0
    while len(permits) < n:
        base = seed[i % len(seed)]
        kind, place = KINDS[i // len(seed) % len(KINDS)], PLACES[i // (len(seed) * len(KINDS)) % len(PLACES)]
        variant = json.loads(json.dumps(base))
        variant["slug"] = f"{base['slug']}-{i}"
        variant["name"] = f"{base['name']} {kind} {place}"
        variant["aliases"] = [f"{a} {kind.lower()}" for a in base["aliases"][:3]] + [f"{base['slug']} {place.lower()}"]
        variant["sla_working_days"] = max(1, (base["sla_working_days"] or 5) + rng.randint(-3, 5))
        variant["requirements"] = variant["requirements"] + [{"text": f"Rekomendasi camat {place}", "mandatory": False}]
        for key in ("authority", "channel", "output", "validity"):
            variant[key] = scramble(variant[key])
        variant["requirements"] = [{**r, "text": scramble(r["text"])} for r in variant["requirements"]]
        variant["procedure"] = [scramble(step) for step in variant["procedure"]]
        variant["legal_basis"] = [scramble(law) for law in variant["legal_basis"]]
        variant["fee"] = {**variant["fee"], "note": scramble(variant["fee"]["note"])}
        permits.append(variant)
        i += 1
    return permits


def load_catalogue(app, n: int, distinct_texts: bool = False) -> None:
    from citizen_app.cities.models import City
    from citizen_app.cities.pack import CityPack
    from citizen_app.extensions import db
    from citizen_app.permits import pack

    tmp = Path(tempfile.mkdtemp(prefix="permits-pack-"))
    try:
        shutil.copy(SEED / "city.json", tmp / "city.json")
        (tmp / "permits.json").write_text(json.dumps({"permits": catalogue_of(n, distinct_texts)}), encoding="utf-8")
        with app.app_context():
            pack.load(CityPack("kupang", tmp), db.session.get(City, "kupang"))
            db.session.commit()
    finally:
        shutil.rmtree(tmp)


def measure(backend: str) -> dict:
    from citizen_app.permits import catalog, services

    figures = {}
    with bench_app(backend) as app:
        load_catalogue(app, TARGET)
        with app.app_context():
            started = time.perf_counter()
            snap = catalog.snapshot()
            figures["index_build_ms"] = round((time.perf_counter() - started) * 1000, 1)
            figures["permits"] = len(snap.items)
            assert len(snap.items) == TARGET
            queries = iter(QUERIES * 20)

            def search_cold():
                snap.index._term_cache.clear()  # every term matched afresh against the vocabulary
                services.search_permits(next(queries), None, 1, 20)

            figures["search_service_cold"] = timed(search_cold, len(QUERIES) * 5)
            queries = iter(QUERIES * 20)
            figures["search_service_warm"] = timed(
                lambda: services.search_permits(next(queries), None, 1, 20), len(QUERIES) * 5)
            figures["list_all_page"] = timed(lambda: services.search_permits("", None, 3, 20), 200)
            payload = services.catalog_payload()
            figures["catalog_bytes"] = len(payload.body)
            figures["catalog_gzip_bytes"] = len(gzip.compress(payload.body))
            figures["catalog_served_gzip_bytes"] = len(payload.gzipped)
        client = app.test_client()
        queries = iter(QUERIES * 20)
        figures["search_http"] = timed(
            lambda: client.get("/api/v1/permits", query_string={"q": next(queries)}), len(QUERIES) * 5)
        etag = client.get("/api/v1/permits/catalog").headers["ETag"]
        figures["catalog_http_200"] = timed(lambda: client.get("/api/v1/permits/catalog"), 50)
        figures["catalog_http_304"] = timed(
            lambda: client.get("/api/v1/permits/catalog", headers={"If-None-Match": etag}), 200)
    figures["search_median_under_5ms"] = figures["search_service_cold"]["median_ms"] < 5
    figures["catalog_gzip_under_150kb"] = figures["catalog_gzip_bytes"] < 150 * 1024
    return figures


def distinct_catalogue_size() -> dict:
    from citizen_app.permits import services

    with bench_app("sqlite") as app:
        load_catalogue(app, TARGET, distinct_texts=True)
        with app.app_context():
            payload = services.catalog_payload()
    return {"catalog_bytes": len(payload.body), "catalog_gzip_bytes": len(payload.gzipped),
            "catalog_gzip_under_150kb": len(payload.gzipped) < 150 * 1024}


def main() -> dict:
    results = {"sqlite": measure("sqlite"), "catalog_with_distinct_texts": distinct_catalogue_size()}
    if postgres_available():
        results["postgres"] = measure("postgres")
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
