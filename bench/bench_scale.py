"""Scale: the load benchmark's read endpoints (permit search, letter verification, a resident's request list) on
PostgreSQL with 10,000 and with 1,000,000 letter requests. Target (issue 10): median at 1M / median at 10k < 1.5.

For each size a fresh database gets Kupang, then residents (one per ten requests) and the requests themselves,
generated inside the database with generate_series (spread over 2025, every kelurahan, 70 % signed with their
letters rows, 10 % collected, 10 % rejected, 10 % open; a realistic identity snapshot so the table has its real
width). The measured resident makes OWN_REQUESTS requests through the API, half before the bulk rows (the oldest
ids) and half after, and one of them is signed through the API: that is the letter verified. Then ANALYZE. Both
databases stay open and the sizes take turns (warm-up, then SCALE_REPEAT requests per endpoint in ROUNDS rounds,
through the Flask test client), so a busy moment of the shared machine does not land on one size only. History
rows are not generated: none of the three endpoints reads them. Sizes: SCALE_SIZES (default "10000,1000000")."""

import os
import statistics
import time
from contextlib import ExitStack
from datetime import date, timedelta

from sqlalchemy import text

from bench.common import bench_app, postgres_available

SIZES = [int(n) for n in os.environ.get("SCALE_SIZES", "10000,1000000").split(",")]
REPEAT = int(os.environ.get("SCALE_REPEAT", "300"))
WARM_UP = 30
ROUNDS = 30  # short turns: a burst of load from elsewhere spreads over both sizes
OWN_REQUESTS = 12  # the measured resident's: the same at every size
HOME = "53.71.05.1005"
REQUEST_BODY = {"type_code": "domisili", "service_kelurahan_code": HOME, "purpose": "Melamar pekerjaan",
                "fields": {"rt": "001", "rw": "002"}}

GENERATE = [
    # Residents: one per ten requests, homes spread over the kelurahan.
    """
    INSERT INTO users (role, password_hash, full_name, phone, nik_hash, nik_encrypted, nik_masked, birth_date,
        gender, nationality, address, rt, rw, kelurahan_code, is_active, created_at)
    SELECT 'resident', 'x', 'Warga Skala ' || i, '089' || lpad(i::text, 10, '0'), md5(i::text) || md5('n' || i),
           repeat('x', 140), '5371********' || lpad((i % 10000)::text, 4, '0'),
           date '1960-01-01' + (i % 15000), CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END, 'WNI',
           'Jl. Skala ' || i, '001', '002', k.codes[1 + i % array_length(k.codes, 1)], true,
           timestamptz '2024-06-01 00:00+00' + i * interval '1 minute'
    FROM generate_series(1, :residents) AS i,
         (SELECT array_agg(code ORDER BY code) AS codes FROM kelurahan WHERE city_code = 'kupang') AS k
    """,
    # Requests every 30 s through 2025 (wrapping), owned round-robin by the generated residents.
    """
    INSERT INTO letter_requests (tracking_code, resident_id, letter_type_id, type_code, home_kelurahan_code,
        service_kelurahan_code, purpose, fields, identity, status, created_at, updated_at)
    SELECT 'G' || lpad(i::text, 12, '0'), u.first + i % :residents, :letter_type, 'domisili',
           k.codes[1 + (i * 7) % array_length(k.codes, 1)], k.codes[1 + i % array_length(k.codes, 1)],
           'Keperluan administrasi', json_build_object('rt', '001', 'rw', '002'),
           json_build_object('full_name', 'Warga Skala ' || i, 'nik_encrypted', repeat('x', 140),
                             'nik_masked', '5371********0001', 'birth_place', 'Kupang', 'birth_date', '1990-01-01',
                             'gender', 'male', 'religion', 'Kristen', 'marital_status', 'Kawin',
                             'occupation', 'Wiraswasta', 'nationality', 'WNI', 'address', 'Jl. Skala ' || i,
                             'rt', '001', 'rw', '002', 'kelurahan_code', '53.71.05.1005', 'kelurahan', 'Oebobo',
                             'kecamatan', 'Oebobo'),
           CASE WHEN i % 10 < 7 THEN 'signed' WHEN i % 10 = 7 THEN 'collected'
                WHEN i % 10 = 8 THEN 'rejected' ELSE 'submitted' END,
           t, t + interval '2 days'
    FROM generate_series(1, :n) AS i,
         LATERAL (SELECT timestamptz '2025-01-01 00:00+00' + (i % 1000000) * interval '30 seconds' AS t) AS s,
         (SELECT min(id) AS first FROM users WHERE phone LIKE '089%') AS u,
         (SELECT array_agg(code ORDER BY code) AS codes FROM kelurahan WHERE city_code = 'kupang') AS k
    """,
    # Their letters: numbered in 2025 by request id (the API's own letters are numbered in the current year).
    """
    INSERT INTO letters (request_id, issuing_kelurahan_code, year, seq, number, type_code, type_name, issued_at,
        valid_until, cti, nonce, kid, qr_text, holder_name_masked, signer_name, signer_title, letterhead, place)
    SELECT r.id, r.service_kelurahan_code, 2025, r.id, 'G/' || r.id, 'domisili', 'Surat Keterangan Domisili',
           r.created_at + interval '2 days', r.created_at + interval '92 days', decode(md5('cti' || r.id), 'hex'),
           md5('nonce' || r.id), 'skala', 'https://kupang.example/v#' || md5(r.id::text), 'W***** S****',
           'Lurah Skala', 'Lurah', '["PEMERINTAH KOTA KUPANG"]', 'Kupang'
    FROM letter_requests r WHERE r.status IN ('signed', 'collected') AND r.tracking_code LIKE 'G%'
    """,
]


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _people(app) -> dict:
    """The measured resident, a clerk and a lurah of their kelurahan, with tokens."""
    from citizen_app.extensions import db
    from citizen_app.identity.models import User
    from citizen_app.identity.nik import make_nik
    from citizen_app.identity.services import create_staff, issue_tokens, register_resident

    with app.app_context():
        born = date(1990, 1, 1)
        resident = register_resident({
            "nik": make_nik("53.71.05", born, "male", 1), "full_name": "Warga Diukur", "birth_date": born,
            "gender": "male", "phone": "081200000001", "password": "kata-sandi-aman", "kelurahan_code": HOME,
            "address": "Jl. Diukur", "rt": "001", "rw": "002"})
        clerk = create_staff(None, {"username": "clerk_scale", "password": "kata-sandi-aman", "role": "clerk",
                                    "kelurahan_code": HOME})
        lurah = create_staff(None, {"username": "lurah_scale", "password": "kata-sandi-aman", "role": "lurah",
                                    "kelurahan_code": HOME, "nip": "198001012005011001", "title": "Lurah"})
        return {name: issue_tokens(db.session.get(User, user.id))["access_token"]
                for name, user in (("resident", resident), ("clerk", clerk), ("lurah", lurah))}


def _request_letters(client, tokens: dict, count: int) -> int:
    last = None
    for _ in range(count):
        res = client.post("/api/v1/documents/requests", json=REQUEST_BODY, headers=_auth(tokens["resident"]))
        assert res.status_code == 201, res.get_data(as_text=True)[:300]
        last = res.json["id"]
    return last


def _signed_qr(client, tokens: dict, request_id: int) -> str:
    for actor, action in (("clerk", "review"), ("clerk", "approve"), ("lurah", "sign")):
        res = client.post(f"/api/v1/documents/requests/{request_id}/actions", json={"action": action},
                          headers=_auth(tokens[actor]))
        assert res.status_code == 200, res.get_data(as_text=True)[:300]
    return res.json["letter"]["qr_text"]


def _generate(app, size: int) -> dict:
    from citizen_app.documents.models import LetterType
    from citizen_app.extensions import db

    with app.app_context():
        letter_type = db.session.scalar(db.select(LetterType.id).where(LetterType.code == "domisili"))
        started = time.perf_counter()
        params = {"n": size, "residents": max(1, size // 10), "letter_type": letter_type}
        for sql in GENERATE:
            db.session.execute(text(sql), params)
            db.session.commit()
    return {"generate_seconds": round(time.perf_counter() - started, 1)}


def _analyze(app) -> dict:
    """Fresh planner statistics, as autovacuum would have them in production; returns the row counts."""
    from citizen_app.extensions import db

    with app.app_context():
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return db.session.execute(text("SELECT (SELECT count(*) FROM users) AS users, "
                                       "(SELECT count(*) FROM letter_requests) AS letter_requests, "
                                       "(SELECT count(*) FROM letters) AS letters")).one()._asdict()


def _ok(res) -> None:
    assert res.status_code == 200, res.get_data(as_text=True)[:300]


def _calls(client, tokens: dict, qr: str) -> dict:
    """Per endpoint: the request to time, and the check that it answered what it should at this size."""

    def verified(res):
        _ok(res)
        assert res.json["result"] == "valid", res.json

    def own_list(res):
        _ok(res)
        assert res.json["total"] == OWN_REQUESTS, res.json["total"]

    return {
        "permit_search": (lambda: client.get("/api/v1/permits", query_string={"q": "izin bangun rumah"}), _ok),
        "letter_verify": (lambda: client.post("/api/v1/documents/verify", json={"qr": qr}), verified),
        "my_requests": (lambda: client.get("/api/v1/documents/requests", headers=_auth(tokens["resident"])),
                        own_list),
    }


def prepare(app, size: int) -> tuple[dict, dict]:
    """Seed one database of `size` generated requests; returns its row figures and its endpoint calls."""
    client = app.test_client()
    tokens = _people(app)
    _request_letters(client, tokens, OWN_REQUESTS // 2)
    figures = _generate(app, size)
    qr = _signed_qr(client, tokens, _request_letters(client, tokens, OWN_REQUESTS - OWN_REQUESTS // 2))
    figures.update(_analyze(app))
    return figures, _calls(client, tokens, qr)


def _time(call, check, times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        res = call()
        samples.append((time.perf_counter() - started) * 1000)
        check(res)
    return samples


def measure(calls_by_size: dict) -> dict:
    """Warm every endpoint at every size, then time them in alternating rounds."""
    for calls in calls_by_size.values():
        for call, check in calls.values():
            _time(call, check, WARM_UP)
    samples = {size: {name: [] for name in ENDPOINTS} for size in calls_by_size}
    for _ in range(ROUNDS):
        for size, calls in calls_by_size.items():
            for name, (call, check) in calls.items():
                samples[size][name] += _time(call, check, REPEAT // ROUNDS)
    return {size: {name: _summary(values) for name, values in by_name.items()} for size, by_name in samples.items()}


def _summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {"median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2)}


ENDPOINTS = ("permit_search", "letter_verify", "my_requests")


def main() -> dict:
    if not postgres_available():
        return {"skipped": "PostgreSQL is not reachable on 127.0.0.1:5432"}
    rows, calls = {}, {}
    with ExitStack() as stack:
        for size in SIZES:
            app = stack.enter_context(bench_app("postgres", JWT_ACCESS_TOKEN_EXPIRES=timedelta(hours=6)))
            rows[size], calls[size] = prepare(app, size)
        timings = measure(calls)
    small, large = timings[min(SIZES)], timings[max(SIZES)]
    results = {"sizes": SIZES, "repeat": REPEAT, "own_requests": OWN_REQUESTS, "rows": rows}
    for name in ENDPOINTS:
        results[name] = {
            **{f"median_ms_{size}": timings[size][name]["median_ms"] for size in SIZES},
            **{f"p95_ms_{size}": timings[size][name]["p95_ms"] for size in SIZES},
            "ratio": round(large[name]["median_ms"] / small[name]["median_ms"], 2),
        }
    return results
