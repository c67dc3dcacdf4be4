"""Open data on letters, checked against hand-computed figures."""

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from citizen_app.documents.models import IssuedLetter, LetterRequest, LetterType
from citizen_app.extensions import db
from tests.conftest import HOME, OTHER

_ids = itertools.count(1)


def add_request(resident_id, created, service, home, status="submitted", signed_after_hours=None):
    letter_type = db.session.scalar(select(LetterType).where(LetterType.code == "domisili"))
    n = next(_ids)
    req = LetterRequest(
        tracking_code=f"T{n:08d}", resident_id=resident_id, letter_type_id=letter_type.id, type_code="domisili",
        home_kelurahan_code=home, service_kelurahan_code=service, purpose="x", fields={}, identity={},
        status=status, created_at=created, updated_at=created,
    )
    db.session.add(req)
    db.session.flush()
    if signed_after_hours is not None:
        issued = created + timedelta(hours=signed_after_hours)
        db.session.add(IssuedLetter(
            request_id=req.id, issuing_kelurahan_code=service, year=issued.year, seq=n,
            number=f"470/{n:03d}/X/III/2026", type_code="domisili", type_name="Domisili", issued_at=issued,
            valid_until=issued + timedelta(days=30), cti=n.to_bytes(12, "big"), nonce="n", kid="k", qr_text="q",
            holder_name_masked="W***", signer_name="L", signer_title="Lurah", letterhead=[], place="Kupang",
        ))
    return req


@pytest.fixture
def fixture_letters(app, make_resident):
    resident = make_resident()
    march = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Kupang
    with app.app_context():
        # HOME, March: six requests; five signed after 1, 2, 3, 4 and 10 hours; one rejected; two from elsewhere.
        for hours, home in ((1, HOME), (2, HOME), (3, OTHER), (4, HOME), (10, OTHER)):
            add_request(resident.id, march, HOME, home, "signed", hours)
        add_request(resident.id, march, HOME, HOME, "rejected")
        # OTHER, April in Kupang time: 31 March 17:00 UTC is 1 April 01:00 WITA.
        add_request(resident.id, datetime(2026, 3, 31, 17, 0, tzinfo=UTC), OTHER, HOME, "signed", 5)
        add_request(resident.id, datetime(2026, 4, 2, 3, 0, tzinfo=UTC), OTHER, OTHER, "collected", 6)
        add_request(resident.id, datetime(2026, 4, 3, 3, 0, tzinfo=UTC), OTHER, OTHER, "submitted")
        db.session.commit()
    return resident


def test_figures_match_hand_computation(client, fixture_letters):
    res = client.get("/api/v1/stats/documents")
    assert res.status_code == 200
    body = res.json
    assert body["generated_at"] and body["from"] is None
    rows = {(r["month"], r["kelurahan_code"]): r for r in body["items"]}
    march = rows[("2026-03", HOME)]
    assert (march["requested"], march["signed"], march["rejected"]) == (6, 5, "<5")
    assert march["median_hours_to_sign"] == 3.0          # 1 2 [3] 4 10
    assert march["p90_hours_to_sign"] == 7.6             # rank 3.6: 4 + 0.6 × (10 − 4)
    assert march["share_outside_home"] == round(2 / 6, 3)
    assert march["kelurahan_name"]
    april = rows[("2026-04", OTHER)]
    assert (april["requested"], april["signed"]) == ("<5", "<5")  # small cells hidden
    assert april["median_hours_to_sign"] is None and april["share_outside_home"] is None
    assert ("2026-03", OTHER) not in rows  # the 31 March request belongs to April in city time
    assert "nik" not in str(body).lower() and "Warga" not in str(body)


def test_date_filter_and_csv_agree_with_json(client, fixture_letters):
    only_april = client.get("/api/v1/stats/documents?from=2026-04-01&to=2026-04-30").json["items"]
    assert [(r["month"], r["kelurahan_code"]) for r in only_april] == [("2026-04", OTHER)]
    res = client.get("/api/v1/stats/documents?format=csv")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    parsed = list(csv.DictReader(io.StringIO(res.get_data(as_text=True))))
    from citizen_app.stats.documents import COLUMNS

    assert list(parsed[0].keys()) == COLUMNS
    json_rows = client.get("/api/v1/stats/documents").json["items"]
    assert len(parsed) == len(json_rows)
    for from_csv, from_json in zip(parsed, json_rows, strict=True):
        assert from_csv == {k: "" if from_json[k] is None else str(from_json[k]) for k in COLUMNS}


def test_new_data_invalidates_the_cache(app, client, fixture_letters):
    before = {(r["month"], r["kelurahan_code"]): r for r in client.get("/api/v1/stats/documents").json["items"]}
    with app.app_context():
        add_request(fixture_letters.id, datetime(2026, 3, 12, 2, 0, tzinfo=UTC), HOME, HOME, "submitted")
        db.session.commit()
    after = {(r["month"], r["kelurahan_code"]): r for r in client.get("/api/v1/stats/documents").json["items"]}
    assert before[("2026-03", HOME)]["requested"] == 6 and after[("2026-03", HOME)]["requested"] == 7


def test_bad_filters_are_422(client):
    assert client.get("/api/v1/stats/documents?from=2026-05-01&to=2026-04-01").status_code == 422
    assert client.get("/api/v1/stats/documents?from=yesterday").status_code == 422
    assert client.get("/api/v1/stats/documents?format=xml").status_code == 422


def test_permit_summary(client):
    res = client.get("/api/v1/stats/permits")
    assert res.status_code == 200
    items = res.json["items"]
    assert sum(r["permits"] for r in items) == 16
    health = next(r for r in items if r["sector"] == "Kesehatan")
    assert health["permits"] >= 2 and health["free"] >= 1
    csv_text = client.get("/api/v1/stats/permits?format=csv").get_data(as_text=True)
    from citizen_app.stats.permits import COLUMNS

    assert csv_text.splitlines()[0] == ",".join(COLUMNS)
