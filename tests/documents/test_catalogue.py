"""The catalogue a request is checked against is the city pack as the database holds it now: a type dropped or
brought back by `flask city load` counts from the next request. Tracking codes are read aloud at a counter."""

import re

from sqlalchemy import update

from citizen_app.cities.services import load_city
from citizen_app.documents.models import LetterType
from citizen_app.documents.workflow import TRACKING_ALPHABET
from citizen_app.extensions import db
from tests.documents.conftest import DOMISILI


def _set_active(app, code, active):
    with app.app_context():
        db.session.execute(update(LetterType).where(LetterType.code == code).values(active=active))
        db.session.commit()


def test_a_letter_type_changed_by_another_process_counts_from_the_next_request(app, flow):
    resident = flow.resident()
    assert flow.submit(resident).status_code == 201
    _set_active(app, "domisili", False)  # as `flask city load` in another process would
    try:
        refused = flow.submit(resident)
        assert refused.status_code == 422 and "type_code" in refused.json["errors"]
        listed = flow.client.get("/api/v1/documents/types").json["items"]
        assert "domisili" not in {t["code"] for t in listed}
    finally:
        with app.app_context():
            load_city("kupang")  # the pack brings it back
    assert flow.submit(resident).status_code == 201


def test_an_unknown_kelurahan_or_type_is_refused(flow):
    resident = flow.resident()
    res = flow.submit(resident, service_kelurahan_code="53.71.99.9999")
    assert res.status_code == 422 and "service_kelurahan_code" in res.json["errors"]
    res = flow.submit(resident, type_code="no-such-letter")
    assert res.status_code == 422 and "type_code" in res.json["errors"]


def test_tracking_codes_use_the_spoken_alphabet_and_differ(flow):
    resident = flow.resident()
    codes = {flow.submit(resident, body=DOMISILI).json["tracking_code"] for _ in range(20)}
    assert len(codes) == 20
    assert all(re.fullmatch(f"SK-[{TRACKING_ALPHABET}]{{8}}", code) for code in codes)
