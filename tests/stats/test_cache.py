"""Cached open data moves with the data: a new record changes the next answer."""

from datetime import UTC, datetime

from citizen_app.brigade.models import BrigadeCall
from citizen_app.extensions import db
from citizen_app.parking.models import ParkingSession

WHEN = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def add_calls(app, resident_id, n):
    with app.app_context():
        for _ in range(n):
            db.session.add(BrigadeCall(resident_id=resident_id, category="demam_tinggi", complaint="x",
                                       patient_name="P", patient_age=40, contact_phone="+6281200000000",
                                       address="x", status="received", created_at=WHEN, version=1))
        db.session.commit()


def add_sessions(app, user_id, n):
    with app.app_context():
        for i in range(n):
            db.session.add(ParkingSession(zone_code="KPG-ELTARI", plate_number=f"DH {i + 1} X", vehicle_class="car",
                                          started_by_id=user_id, user_id=user_id, status="stopped",
                                          started_at=WHEN, started_on=WHEN.date()))
        db.session.commit()


def total(rows, key):
    return sum(r[key] for r in rows if isinstance(r[key], int))


def test_brigade_figures_follow_new_calls(app, client, make_resident):
    resident = make_resident()
    add_calls(app, resident.id, 5)
    url = "/api/v1/stats/brigade?from=2026-03-01&to=2026-03-31"
    first = client.get(url).json["items"]
    assert first and total(first, "calls") == 5
    assert client.get(url).json["generated_at"] == client.get(url).json["generated_at"]  # served from the cache
    add_calls(app, resident.id, 2)
    assert total(client.get(url).json["items"], "calls") == 7


def test_parking_figures_follow_new_sessions(app, client, make_resident):
    resident = make_resident()
    add_sessions(app, resident.id, 5)
    url = "/api/v1/stats/parking?from=2026-03-01&to=2026-03-31"
    assert total(client.get(url).json["items"], "sessions") == 5
    add_sessions(app, resident.id, 1)
    assert total(client.get(url).json["items"], "sessions") == 6


def test_new_data_serves_the_last_figures_at_once_and_refreshes_them_in_the_background(app, client, make_resident):
    import time

    resident = make_resident()
    add_calls(app, resident.id, 5)
    url = "/api/v1/stats/brigade?from=2026-03-01&to=2026-03-31"
    app.config["STATS_STALE_SECONDS"] = 300
    try:
        first = client.get(url).json
        add_calls(app, resident.id, 2)
        stale = client.get(url).json  # no request waits for the recomputation
        assert stale["generated_at"] == first["generated_at"] and total(stale["items"], "calls") == 5
        for _ in range(100):
            fresh = client.get(url).json
            if total(fresh["items"], "calls") == 7:
                break
            time.sleep(0.05)
        assert total(fresh["items"], "calls") == 7 and fresh["generated_at"] > first["generated_at"]
    finally:
        app.config["STATS_STALE_SECONDS"] = 0
