"""Figures checked against a fixture computed by hand (percentiles as PostgreSQL's percentile_cont)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from citizen_app.brigade.models import BrigadeCall
from citizen_app.extensions import db
from citizen_app.stats.brigade import brigade_stats

JAN = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
# (created_at, seconds to dispatch, seconds dispatch→on scene, status, category, priority)
FIXTURE = [
    (JAN, 120, 600, "completed", "sesak_napas", "red"),
    (JAN + timedelta(days=1), 300, 900, "completed", "sesak_napas", "red"),
    (JAN + timedelta(days=2), 180, 1200, "completed", "sesak_napas", "red"),
    (JAN + timedelta(days=3), 600, 720, "completed", "sesak_napas", "red"),
    (JAN + timedelta(days=4), 240, 1500, "completed", "sesak_napas", "red"),
    (JAN + timedelta(days=5), 90, None, "cancelled", "nyeri_dada", "yellow"),
    # 00:30 on 1 January in Kupang (UTC+8) is still December in UTC: it belongs to January.
    (datetime(2025, 12, 31, 16, 30, tzinfo=UTC), None, None, "resolved_by_phone", "nyeri_dada", "yellow"),
    (JAN + timedelta(days=6), None, None, "cancelled", "nyeri_dada", None),
    # 01:00 on 1 February in Kupang, 31 January in UTC: February.
    (datetime(2026, 1, 31, 17, 0, tzinfo=UTC), 60, 300, "completed", "kecelakaan", "green"),
    (datetime(2026, 2, 14, 3, 0, tzinfo=UTC), None, None, "received", "lansia", None),
    (datetime(2026, 3, 2, 3, 0, tzinfo=UTC), 100, 100, "completed", "pingsan", "red"),
]
PERSONAL = ("Pasien Rahasia", "+6281200000001", "keluhan pribadi")


@pytest.fixture
def calls(app, make_resident):
    resident = make_resident()
    with app.app_context():
        for created, to_dispatch, to_scene, status, category, priority in FIXTURE:
            call = BrigadeCall(
                resident_id=resident.id, category=category, complaint="keluhan pribadi",
                patient_name="Pasien Rahasia", patient_age=40, contact_phone="+6281200000001",
                latitude=-10.17, longitude=123.6, address="Jl. Rahasia 1", status=status, priority=priority,
                created_at=created,
            )
            if to_dispatch is not None:
                call.dispatched_at = created + timedelta(seconds=to_dispatch)
            if to_scene is not None:
                call.on_scene_at = call.dispatched_at + timedelta(seconds=to_scene)
            db.session.add(call)
        db.session.commit()


def test_monthly_figures_match_the_hand_computed_fixture(app, calls):
    with app.app_context():
        rows = brigade_stats()
    assert [r["month"] for r in rows] == ["2026-01", "2026-02", "2026-03"]
    jan = rows[0]
    assert jan["calls"] == 8
    assert jan["by_category"]["sesak_napas"] == 5 and jan["by_category"]["nyeri_dada"] == "<5"
    assert jan["by_category"]["kecelakaan"] == 0
    assert jan["by_priority"] == {"red": 5, "yellow": "<5", "green": 0, "untriaged": "<5"}
    assert jan["by_status"] == {"completed": 5, "resolved_by_phone": "<5", "cancelled": "<5", "active": 0}
    # call→dispatch: 90,120,180,240,300,600 s → median (180+240)/2 = 210 s; p90 at 4.5 → 300+0.5·300 = 450 s
    assert jan["answer_to_dispatch_minutes"] == {"n": 6, "median": 3.5, "p90": 7.5}
    # dispatch→on scene: 600,720,900,1200,1500 s → median 900 s; p90 at 3.6 → 1200+0.6·300 = 1380 s
    assert jan["dispatch_to_on_scene_minutes"] == {"n": 5, "median": 15.0, "p90": 23.0}
    # call→on scene: 720,1200,1320,1380,1740 s → median 1320 s; p90 at 3.6 → 1380+0.6·360 = 1596 s
    assert jan["call_to_on_scene_minutes"] == {"n": 5, "median": 22.0, "p90": 26.6}
    feb = rows[1]
    assert feb["calls"] == "<5" and feb["by_category"]["kecelakaan"] == "<5"
    # Fewer than five measurements: no figure that could describe one person's call.
    assert feb["answer_to_dispatch_minutes"] == {"n": "<5", "median": None, "p90": None}


def test_from_and_to_are_local_dates(app, calls):
    with app.app_context():
        january = brigade_stats(date(2026, 1, 1), date(2026, 1, 31))
        assert [r["month"] for r in january] == ["2026-01"] and january[0]["calls"] == 8
        from_feb = brigade_stats(date(2026, 2, 1), None)
        assert [r["month"] for r in from_feb] == ["2026-02", "2026-03"]
        assert brigade_stats(date(2027, 1, 1), None) == []


def test_stats_over_http_json_and_csv_without_personal_data(client, calls):
    res = client.get("/api/v1/stats/brigade?from=2026-01-01&to=2026-02-28")
    assert res.status_code == 200
    body = res.json
    assert body["generated_at"] and body["from"] == "2026-01-01" and body["to"] == "2026-02-28"
    assert [r["month"] for r in body["items"]] == ["2026-01", "2026-02"]
    assert body["items"][0]["dispatch_to_on_scene_minutes"]["p90"] == 23.0
    text = res.get_data(as_text=True)
    assert not any(secret in text for secret in PERSONAL)

    res = client.get("/api/v1/stats/brigade?format=csv&from=2026-01-01&to=2026-01-31")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert row["month"] == "2026-01" and row["calls"] == "8" and row["category_nyeri_dada"] == "<5"
    assert row["answer_to_dispatch_minutes_median"] == "3.5" and row["call_to_on_scene_minutes_p90"] == "26.6"
    assert row["generated_at"]
    assert not any(secret in res.get_data(as_text=True) for secret in PERSONAL)


def test_stats_arguments_are_validated(client):
    assert client.get("/api/v1/stats/brigade?from=2026-13-01").status_code == 422
    assert client.get("/api/v1/stats/brigade?format=xml").status_code == 422
    assert client.get("/api/v1/stats/brigade?to=9999-12-31").status_code == 422
    res = client.get("/api/v1/stats/brigade?from=2026-02-01&to=2026-01-01")
    assert res.status_code == 422 and "from" in res.json["errors"]
    empty = client.get("/api/v1/stats/brigade")
    assert empty.status_code == 200 and empty.json["items"] == []
