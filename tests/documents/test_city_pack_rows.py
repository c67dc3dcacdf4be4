"""City-pack rows a worker remembers (common/reference.py): kept for CITY_PACK_RECHECK_SECONDS, read again after,
forgotten at once by the process that loads a pack, and never remembered when missing."""

import re

import pytest
from sqlalchemy import update

from citizen_app.cities.services import load_city
from citizen_app.common import reference
from citizen_app.documents.models import LetterType
from citizen_app.documents.services import TRACKING_ALPHABET
from citizen_app.extensions import db
from citizen_app.parking.models import ParkingZone
from tests.documents.conftest import DOMISILI


@pytest.fixture
def clock(app, monkeypatch):
    """Rows kept for 10 s, on a clock the test moves."""
    now = [1000.0]
    monkeypatch.setitem(app.config, "CITY_PACK_RECHECK_SECONDS", 10)
    monkeypatch.setattr(reference.time, "monotonic", lambda: now[0])
    with app.app_context():
        reference.forget_all()
    yield now
    with app.app_context():
        load_city("kupang")  # puts back what a test changed, and forgets


def _deactivate(app, code):
    with app.app_context():
        db.session.execute(update(LetterType).where(LetterType.code == code).values(active=False))
        db.session.commit()


def test_a_letter_type_changed_by_another_process_is_seen_after_the_recheck_interval(app, flow, clock):
    resident = flow.resident()
    assert flow.submit(resident).status_code == 201
    _deactivate(app, "domisili")  # as `flask city load` in another process would
    assert flow.submit(resident).status_code == 201  # this worker still has the row it read
    clock[0] += 10.5
    refused = flow.submit(resident)
    assert refused.status_code == 422 and "type_code" in refused.json["errors"]


def test_the_process_that_loads_a_pack_forgets_at_once(app, flow, clock):
    resident = flow.resident()
    assert flow.submit(resident).status_code == 201
    _deactivate(app, "domisili")
    with app.app_context():
        load_city("kupang")  # active again, and this process forgets what it kept
        db.session.execute(update(LetterType).where(LetterType.code == "domisili").values(active=False))
        db.session.commit()
    assert flow.submit(resident).status_code == 422


def test_what_is_missing_is_not_remembered_and_zones_are_kept_too(app, flow, clock, auth_headers):
    resident = flow.resident()
    assert flow.submit(resident, service_kelurahan_code="53.71.99.9999").status_code == 422
    with app.app_context():
        kept = app.extensions["city_pack_rows"]
        assert all(row is not None for _, row in kept["kelurahan"]._items.values())
        zone = db.session.query(ParkingZone).filter_by(city_code="kupang").first().code
    start = {"zone_code": zone, "vehicle_class": "car", "plate_number": "DH 1234 KR"}
    assert flow.client.post("/api/v1/parking/sessions", json=start, headers=auth_headers(resident)).status_code == 201
    with app.app_context():
        db.session.execute(update(ParkingZone).where(ParkingZone.code == zone).values(is_active=False))
        db.session.commit()
    second = {**start, "plate_number": "DH 1235 KR"}
    assert flow.client.post("/api/v1/parking/sessions", json=second, headers=auth_headers(resident)).status_code == 201
    clock[0] += 11
    third = {**start, "plate_number": "DH 1236 KR"}
    assert flow.client.post("/api/v1/parking/sessions", json=third, headers=auth_headers(resident)).status_code == 409


def test_tracking_codes_use_the_spoken_alphabet_and_differ(flow):
    resident = flow.resident()
    codes = {flow.submit(resident, body=DOMISILI).json["tracking_code"] for _ in range(20)}
    assert len(codes) == 20
    assert all(re.fullmatch(f"SK-[{TRACKING_ALPHABET}]{{8}}", code) for code in codes)
