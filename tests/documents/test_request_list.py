"""The request list is built from one prepared query's rows, not through RequestSchema: the two must agree."""

from datetime import timedelta

from sqlalchemy import select, update

from citizen_app.common.time import utcnow
from citizen_app.documents.models import IssuedLetter, LetterRequest
from citizen_app.documents.schemas import RequestSchema
from citizen_app.extensions import db
from tests.conftest import HOME


def _schema_view(ids: list[int]) -> list[dict]:
    """What RequestSchema makes of the same requests, loaded as ORM objects (the old way of listing)."""
    db.session.expire_all()
    found = {r.id: r for r in db.session.scalars(select(LetterRequest).where(LetterRequest.id.in_(ids)))}
    return RequestSchema(many=True).dump([found[i] for i in ids])


def test_list_items_equal_the_schema_dump_for_every_letter_state(app, flow):
    resident = flow.resident()
    _, valid_id, _ = flow.signed(resident)
    _, revoked_id, _ = flow.signed(resident)
    _, expired_id, _ = flow.signed(resident)
    lurah = flow.staff("lurah")
    assert flow.act(lurah, revoked_id, "revoke", note="Data keliru").status_code == 200
    open_id = flow.submit(resident, service_kelurahan_code=HOME).json["id"]
    with app.app_context():
        db.session.execute(update(IssuedLetter).where(IssuedLetter.request_id == expired_id)
                           .values(valid_until=utcnow() - timedelta(days=1)))
        db.session.commit()

    res = flow.client.get("/api/v1/documents/requests", headers=flow.auth(resident))
    assert res.status_code == 200
    items = res.json["items"]
    assert [i["id"] for i in items] == [open_id, expired_id, revoked_id, valid_id]
    assert [i["letter"] and i["letter"]["status"] for i in items] == [None, "expired", "revoked", "valid"]
    assert res.json["total"] == 4 and res.json["page"] == 1
    with app.app_context():
        assert items == _schema_view([i["id"] for i in items])


def test_staff_and_status_filtered_lists_equal_the_schema_dump(app, flow):
    resident = flow.resident()
    _, signed_id, _ = flow.signed(resident)
    other_id = flow.submit(resident).json["id"]
    clerk = flow.staff("clerk")
    everything = flow.client.get("/api/v1/documents/requests", headers=flow.auth(clerk)).json
    assert {i["id"] for i in everything["items"]} >= {signed_id, other_id}
    signed = flow.client.get("/api/v1/documents/requests?status=signed", headers=flow.auth(clerk)).json
    assert [i["id"] for i in signed["items"]] == [signed_id] and signed["total"] == 1
    with app.app_context():
        assert everything["items"] == _schema_view([i["id"] for i in everything["items"]])
        assert signed["items"] == _schema_view([signed_id])


def test_paging_and_the_total_past_the_last_page(flow):
    resident = flow.resident()
    ids = [flow.submit(resident).json["id"] for _ in range(3)]
    headers = flow.auth(resident)
    second = flow.client.get("/api/v1/documents/requests?per_page=2&page=2", headers=headers).json
    assert [i["id"] for i in second["items"]] == [ids[0]]
    assert (second["page"], second["per_page"], second["total"]) == (2, 2, 3)
    past = flow.client.get("/api/v1/documents/requests?per_page=2&page=5", headers=headers).json
    assert past["items"] == [] and past["total"] == 3
    other = flow.client.get("/api/v1/documents/requests?status=signed", headers=headers).json
    assert other == {"items": [], "page": 1, "per_page": 20, "total": 0}


def test_the_page_sqlite_writes_is_the_json_of_the_rows_with_any_text_and_timestamp(app, flow, monkeypatch):
    """On SQLite the database writes the page's JSON (services.list_requests_body); it must say what the rows
    turned into JSON in Python say, for any text a resident types and any timestamp form."""
    from sqlalchemy import text

    from citizen_app.documents import services
    from tests.conftest import is_postgres

    resident = flow.resident()
    purposes = ['Kutip "ganda" \\ garis\nbaru\ttab', "Émoji 🙂 漢字 \u2028 ok", "\x01 kendali", "biasa"]
    ids = [flow.submit(resident, purpose=p).json["id"] for p in purposes]
    ids += [flow.submit(resident).json["id"] for _ in range(21)]
    _, signed_id, _ = flow.signed(resident)
    ids.append(signed_id)
    in_python = []
    summary = services._summary
    monkeypatch.setattr(services, "_summary", lambda *a: in_python.append(1) or summary(*a))
    with app.app_context():
        # A timestamp without microseconds, as isoformat() leaves the fraction out
        db.session.execute(update(LetterRequest).where(LetterRequest.id == ids[3])
                           .values(created_at=utcnow().replace(microsecond=0)))
        db.session.commit()
    headers = flow.auth(resident)
    first = flow.client.get("/api/v1/documents/requests", headers=headers).json
    second = flow.client.get("/api/v1/documents/requests?page=2", headers=headers).json
    assert [i["id"] for i in first["items"] + second["items"]] == sorted(ids, reverse=True)
    assert (first["total"], second["total"], len(first["items"]), len(second["items"])) == (26, 26, 20, 6)
    assert {i["purpose"] for i in second["items"]} >= set(purposes)
    assert bool(in_python) is is_postgres(app)  # SQLite wrote these pages itself
    with app.app_context():
        for page in (first, second):
            assert page["items"] == _schema_view([i["id"] for i in page["items"]])
    if is_postgres(app):
        return
    # A timestamp in another form (written by hand, not by SQLAlchemy): the rows are turned into JSON in Python
    with app.app_context():
        db.session.execute(text("UPDATE letter_requests SET updated_at = '2026-12-04 10:00:00' WHERE id = :id"),
                           {"id": ids[0]})
        db.session.commit()
    odd = flow.client.get("/api/v1/documents/requests?page=2", headers=headers).json
    assert in_python and [i["id"] for i in odd["items"]] == [i["id"] for i in second["items"]]
    assert next(i for i in odd["items"] if i["id"] == ids[0])["updated_at"] == "2026-12-04T10:00:00+00:00"
    with app.app_context():
        assert odd["items"] == _schema_view([i["id"] for i in odd["items"]])
