"""Open data at scale: 1,000,000 letter requests, 100,000 brigade calls and 1,000,000 parking sessions (with
their payments) in PostgreSQL, generated inside the database with generate_series (spread over 2025, every
Kupang kelurahan and zone, realistic mixes of statuses, categories, methods and durations). Each stats endpoint
is timed after the monthly store is built (as `flask stats warm` and the push worker do; its time is reported):
the first answer for the year, a period nobody asked before (whole months from the store, edge months live), warm
(the version-keyed cache), and for letters right after new data (stale-while-revalidate, with no staleness
allowed, and after the worker's next round). Sizes: STATS_LETTERS,
STATS_CALLS, STATS_SESSIONS."""

import os
import time

from sqlalchemy import text

from bench.common import bench_app, postgres_available
from citizen_app.stats.warm import warm_all

LETTERS = int(os.environ.get("STATS_LETTERS", "1000000"))
CALLS = int(os.environ.get("STATS_CALLS", "100000"))
SESSIONS = int(os.environ.get("STATS_SESSIONS", "1000000"))

OCTOBER_15 = 287 * 2880  # the letter generated for 15 October 2025 (one every 30 s from 1 January)
ONE_MORE = "generate_series(CAST(:n AS integer), CAST(:n AS integer))"
GENERATE = [
    # Letter requests every 30 s from 1 Jan 2025; 70 % signed, 10 % collected, 10 % rejected, 10 % open.
    """
    INSERT INTO letter_requests (tracking_code, resident_id, letter_type_id, type_code, home_kelurahan_code,
        service_kelurahan_code, purpose, fields, identity, status, created_at, updated_at)
    SELECT 'B' || lpad(i::text, 12, '0'), :resident, :letter_type, 'domisili',
           k.codes[1 + (i * 7) % array_length(k.codes, 1)], k.codes[1 + i % array_length(k.codes, 1)],
           'Keperluan', '{}', '{}',
           CASE WHEN i % 10 < 7 THEN 'signed' WHEN i % 10 = 7 THEN 'collected'
                WHEN i % 10 = 8 THEN 'rejected' ELSE 'submitted' END,
           timestamptz '2025-01-01 00:00+00' + i * interval '30 seconds',
           timestamptz '2025-01-01 00:00+00' + i * interval '30 seconds'
    FROM generate_series(1, :n) AS i, (SELECT array_agg(code ORDER BY code) AS codes FROM kelurahan
                                        WHERE city_code = 'kupang') AS k
    """,
    """
    INSERT INTO letters (request_id, issuing_kelurahan_code, year, seq, number, type_code, type_name, issued_at,
        valid_until, cti, nonce, kid, qr_text, holder_name_masked, signer_name, signer_title, letterhead, place)
    SELECT r.id, r.service_kelurahan_code, 2025, r.id, 'B/' || r.id, 'domisili', 'Surat Keterangan Domisili',
           r.created_at + (r.id % 96) * interval '1 hour' + (r.id % 60) * interval '1 minute',
           r.created_at + interval '30 days', decode(substr(md5(r.id::text), 1, 24), 'hex'), 'n', 'k', 'q',
           'W***', 'Lurah', 'Lurah', '[]', 'Kupang'
    FROM letter_requests r WHERE r.status IN ('signed', 'collected')
    """,
    # Brigade calls every 5 minutes, answered in 1–5 min, dispatched 2–12 min, on scene 8–40 min after dispatch.
    """
    INSERT INTO brigade_calls (resident_id, category, complaint, patient_name, patient_age, contact_phone, address,
        status, priority, created_at, answered_at, dispatched_at, on_scene_at, completed_at, version)
    SELECT :resident, (ARRAY['sesak_napas','nyeri_dada','kecelakaan','demam_tinggi','persalinan','pingsan',
                             'lansia','lainnya'])[1 + i % 8],
           'Keluhan', 'Pasien', 1 + i % 90, '+6281200000000', 'Alamat', 'completed',
           (ARRAY['red','yellow','green'])[1 + i % 3], t, t + (1 + i % 5) * interval '1 minute',
           t + (2 + i % 11) * interval '1 minute', t + (10 + i % 11 + i % 29) * interval '1 minute',
           t + interval '90 minutes', 1
    FROM generate_series(1, :n) AS i, LATERAL (SELECT timestamptz '2025-01-01 00:00+00'
                                               + i * interval '5 minutes' AS t) AS s
    """,
    # Parking sessions every 20 s across the zones, each paid by QRIS, wallet or cash.
    """
    INSERT INTO parking_sessions (zone_code, plate_number, vehicle_class, started_by_id, user_id, status,
        started_at, started_on)
    SELECT z.codes[1 + i % array_length(z.codes, 1)], 'DH ' || (1 + i % 9999) || ' B', 'car', :resident,
           :resident, 'paid', t, (t AT TIME ZONE 'Asia/Makassar')::date
    FROM generate_series(1, :n) AS i,
         LATERAL (SELECT timestamptz '2025-01-01 00:00+00' + i * interval '20 seconds' AS t) AS s,
         (SELECT array_agg(code ORDER BY code) AS codes FROM parking_zones) AS z
    """,
    """
    INSERT INTO parking_payments (reference, purpose, method, session_id, zone_code, user_id, created_by_id, amount,
        status, created_at, paid_at, paid_on)
    SELECT 'P' || lpad(p.id::text, 12, '0'), 'parking', (ARRAY['qris','wallet','cash'])[1 + p.id % 3], p.id,
           p.zone_code, :resident, :resident, 5000, 'paid', p.started_at, p.started_at, p.started_on
    FROM parking_sessions p
    """,
]


def main() -> dict:
    if not postgres_available():
        return {"skipped": "PostgreSQL is not reachable on 127.0.0.1:5432"}
    from citizen_app.extensions import db
    from tests.conftest import HOME

    results = {"letters": LETTERS, "calls": CALLS, "sessions": SESSIONS}
    with bench_app("postgres", STATS_STALE_SECONDS=300) as app:
        with app.app_context():
            from datetime import date

            from citizen_app.documents.models import LetterType
            from citizen_app.identity.nik import make_nik
            from citizen_app.identity.services import register_resident

            resident = register_resident({
                "nik": make_nik("53.71.05", date(1990, 1, 1), "male", 1), "full_name": "Warga", "gender": "male",
                "birth_date": date(1990, 1, 1), "phone": "081200000001", "password": "kata-sandi-aman",
                "kelurahan_code": HOME, "address": "x"})
            letter_type = db.session.scalar(db.select(LetterType.id).where(LetterType.code == "domisili"))
            resident_id = resident.id
            started = time.perf_counter()
            for sql, n in zip(GENERATE, (LETTERS, None, CALLS, SESSIONS, None), strict=True):
                db.session.execute(text(sql), {"resident": resident_id, "letter_type": letter_type, "n": n})
                db.session.commit()
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            results["generate_seconds"] = round(time.perf_counter() - started, 1)
        client = app.test_client()

        def get_ms(path):
            started = time.perf_counter()
            res = client.get(path)
            assert res.status_code == 200, res.get_data(as_text=True)[:300]
            return (time.perf_counter() - started) * 1000, res

        # What `flask stats warm` (after a deployment) and the push worker (each minute) do before anyone asks.
        with app.app_context():
            started = time.perf_counter()
            warm_all()
            results["store_build_seconds"] = round(time.perf_counter() - started, 2)
        for name in ("documents", "brigade", "parking", "permits"):
            # The first answer for the whole year: every month read from the store.
            first, res = get_ms(f"/api/v1/stats/{name}?from=2025-01-01&to=2025-12-31")
            # A period nobody asked before: whole months from the store, the two edge months computed live.
            new_period, _ = get_ms(f"/api/v1/stats/{name}?from=2025-02-14&to=2025-11-20")
            warm = sorted(get_ms(f"/api/v1/stats/{name}?from=2025-02-14&to=2025-11-20")[0] for _ in range(20))
            results[name] = {"first_answer_ms": round(first, 1), "new_period_ms": round(new_period, 1),
                             "warm_median_ms": round(warm[len(warm) // 2], 1), "rows": len(res.json["items"])}
        # New data arrives (a request dated mid-October, inside the period): the next answer is the last figures at
        # once, recomputed in the background; with no staleness allowed, October is recomputed, the rest read.
        for stale, key in ((300, "after_new_data_ms"), (0, "after_new_data_fresh_ms")):
            app.config["STATS_STALE_SECONDS"] = stale
            with app.app_context():
                late = GENERATE[0].replace("generate_series(1, :n)", ONE_MORE).replace("'B' ||", "'N' ||")
                db.session.execute(text(late), {"resident": resident_id, "letter_type": letter_type,
                                                "n": OCTOBER_15 + stale})
                db.session.commit()
            results["documents"][key] = round(get_ms("/api/v1/stats/documents?from=2025-02-14&to=2025-11-20")[0], 1)
        # The worker's next round recomputes the touched month; a reader then gets fresh figures from the store.
        with app.app_context():
            late = GENERATE[0].replace("generate_series(1, :n)", ONE_MORE).replace("'B' ||", "'W' ||")
            db.session.execute(text(late), {"resident": resident_id, "letter_type": letter_type, "n": OCTOBER_15 + 1})
            db.session.commit()
            started = time.perf_counter()
            warm_all()
            results["documents"]["worker_round_ms"] = round((time.perf_counter() - started) * 1000, 1)
        results["documents"]["after_worker_round_fresh_ms"] = round(
            get_ms("/api/v1/stats/documents?from=2025-02-14&to=2025-11-20")[0], 1)
    return results
