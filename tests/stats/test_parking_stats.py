import csv
import io
from datetime import UTC, date, datetime

import pytest

from citizen_app.extensions import db
from citizen_app.parking.models import ParkingSession, Payment
from citizen_app.stats.parking import parking_stats
from tests.parking.conftest import SURCHARGE_ZONE, ZONE


@pytest.fixture
def resident(make_resident):
    return make_resident()


@pytest.fixture
def attendant(make_user):
    return make_user("parking_attendant", zone_code=f"{ZONE},{SURCHARGE_ZONE}")


@pytest.fixture
def history(app, resident, attendant):
    with app.app_context():
        def session(zone, day, status="paid", n=[0]):  # noqa: B006 - a counter for unique plates
            n[0] += 1
            row = ParkingSession(zone_code=zone, plate_number=f"DH {n[0]} S", vehicle_class="car", status=status,
                                 user_id=resident.id, started_by_id=resident.id, started_on=day,
                                 started_at=datetime.combine(day, datetime.min.time(), UTC))
            db.session.add(row)
            db.session.flush()
            return row

        def payment(s, method, amount, status="paid", purpose="parking"):
            db.session.add(Payment(reference=f"T{s.id}{method}{status}", purpose=purpose, method=method,
                                   session_id=s.id if purpose == "parking" else None, zone_code=s.zone_code,
                                   user_id=resident.id, created_by_id=resident.id, amount=amount, status=status,
                                   attendant_id=attendant.id if method == "cash" else None,
                                   paid_on=s.started_on if status == "paid" else None))

        sept, octo = date(2026, 9, 14), date(2026, 10, 2)
        for i in range(6):
            s = session(ZONE, sept)
            payment(s, "qris" if i < 4 else "cash", 5000 if i < 4 else 2000)
        payment(session(ZONE, sept, status="stopped"), "qris", 5000, status="failed")
        session(ZONE, sept, status="cancelled")
        payment(session(ZONE, sept), "qris", 50000, purpose="topup")
        for _ in range(3):
            payment(session(SURCHARGE_ZONE, octo), "wallet", 10000)
        session(ZONE, date(2026, 11, 1))  # outside the range asked for
        db.session.commit()


def test_stats_per_zone_and_month(app, history):
    with app.app_context():
        figures = parking_stats(date(2026, 9, 1), date(2026, 10, 31))
    assert figures["items"] == [
        {"month": "2026-09", "zone_code": ZONE, "zone_name": "Jl. Soeharto, Naikoten", "sessions": 8,
         "revenue": 24000, "revenue_qris": 20000, "revenue_wallet": 0, "revenue_cash": 4000},
        {"month": "2026-10", "zone_code": SURCHARGE_ZONE, "zone_name": "RSUD S.K. Lerik (parkir khusus)",
         "sessions": "<5", "revenue": 30000, "revenue_qris": 0, "revenue_wallet": 30000, "revenue_cash": 0},
    ]


def test_stats_over_http_as_json_and_csv_without_personal_data(client, history, resident):
    res = client.get("/api/v1/stats/parking?from=2026-09-01&to=2026-10-31")
    assert res.status_code == 200
    body = res.json
    assert body["from"] == "2026-09-01" and body["to"] == "2026-10-31" and body["generated_at"]
    assert [i["sessions"] for i in body["items"]] == [8, "<5"]
    text = res.get_data(as_text=True)
    assert "DH 1 S" not in text and resident.full_name not in text and "user" not in text
    csv_res = client.get("/api/v1/stats/parking?from=2026-09-01&to=2026-10-31&format=csv")
    assert csv_res.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(csv_res.get_data(as_text=True))))
    assert [(r["month"], r["zone_code"], r["sessions"], r["revenue"]) for r in rows] == [
        ("2026-09", ZONE, "8", "24000"), ("2026-10", SURCHARGE_ZONE, "<5", "30000")]
    assert client.get("/api/v1/stats/parking?from=2026-11-01&to=2026-11-30").json["items"][0]["sessions"] == "<5"
    assert client.get("/api/v1/stats/parking?from=nope").status_code == 422
    assert client.get("/api/v1/stats/parking?format=xml").status_code == 422
