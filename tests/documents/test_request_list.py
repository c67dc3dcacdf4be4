"""The request list (GET /documents/requests): its JSON shape, which is the detail's summary, every letter state,
ordering, paging and totals, and what it costs the database."""

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, update

from citizen_app.common.time import utcnow
from citizen_app.documents.models import IssuedLetter, LetterRequest
from citizen_app.extensions import db
from tests.conftest import HOME

ITEM_KEYS = {"id", "tracking_code", "type_code", "type_name", "status", "purpose", "resident_id",
             "home_kelurahan_code", "service_kelurahan_code", "service_kelurahan_name", "created_at", "updated_at",
             "letter"}
LETTER_KEYS = {"number", "status", "issued_at", "valid_until", "issuing_kelurahan_code", "holder_name_masked",
               "signer_name", "signer_title", "signer_nip", "revoked_at", "revoke_reason", "qr_text"}


@contextmanager
def statements_on_requests(app):
    """The statements sent to the database that read letter_requests, while the block runs."""
    seen = []

    def note(_conn, _cursor, statement, *_args):
        if "letter_requests" in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_items_are_the_detail_summary_for_every_letter_state(app, flow):
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
    assert set(res.json) == {"items", "page", "per_page", "total"}
    items = res.json["items"]
    assert [i["id"] for i in items] == [open_id, expired_id, revoked_id, valid_id]
    assert [i["letter"] and i["letter"]["status"] for i in items] == [None, "expired", "revoked", "valid"]
    assert res.json["total"] == 4 and res.json["page"] == 1 and res.json["per_page"] == 20
    assert all(set(i) == ITEM_KEYS for i in items)
    assert all(set(i["letter"]) == LETTER_KEYS for i in items if i["letter"])
    assert items[0]["created_at"].endswith("+00:00") and items[2]["letter"]["revoke_reason"] == "Data keliru"
    assert items[0]["type_name"] == "Surat Keterangan Domisili" and items[0]["service_kelurahan_name"]
    for item in items:  # what the list says of a request is what its detail says
        detail = flow.get(resident, item["id"]).json
        assert item == {key: detail[key] for key in item}


def test_staff_and_status_filtered_lists(flow):
    resident = flow.resident()
    _, signed_id, _ = flow.signed(resident)
    other_id = flow.submit(resident).json["id"]
    clerk = flow.staff("clerk")
    everything = flow.client.get("/api/v1/documents/requests", headers=flow.auth(clerk)).json
    assert [i["id"] for i in everything["items"]][:2] == [other_id, signed_id]
    signed = flow.client.get("/api/v1/documents/requests?status=signed", headers=flow.auth(clerk)).json
    assert [i["id"] for i in signed["items"]] == [signed_id] and signed["total"] == 1
    admin = flow.client.get("/api/v1/documents/requests?status=signed",
                            headers=flow.auth(flow.staff("city_admin", kelurahan=None))).json
    assert [i["id"] for i in admin["items"]] == [signed_id]


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


def test_staff_totals_on_full_partial_and_past_pages(flow):
    resident, clerk = flow.resident(), flow.staff("clerk", kelurahan=HOME)
    ids = [flow.submit(resident, service_kelurahan_code=HOME).json["id"] for _ in range(5)]
    headers = flow.auth(clerk)

    def page(query):
        body = flow.client.get(f"/api/v1/documents/requests?{query}", headers=headers).json
        return [i["id"] for i in body["items"]], body["total"]

    assert page("per_page=2") == ([ids[4], ids[3]], 5)  # a full page: counted
    assert page("per_page=2&page=3") == ([ids[0]], 5)  # the last page tells it
    assert page("per_page=5") == (ids[::-1], 5)  # exactly full
    assert page("per_page=2&page=9") == ([], 5)  # past the end: counted


def test_per_page_is_bounded(flow):
    resident = flow.resident()
    flow.submit(resident)
    headers = flow.auth(resident)
    res = flow.client.get("/api/v1/documents/requests?per_page=100", headers=headers)
    assert res.status_code == 200 and res.json["per_page"] == 100
    assert flow.client.get("/api/v1/documents/requests?per_page=101", headers=headers).status_code == 422
    assert flow.client.get("/api/v1/documents/requests?per_page=0", headers=headers).status_code == 422


def test_any_text_a_resident_types_comes_back_as_typed_over_two_pages(app, flow):
    resident = flow.resident()
    purposes = ['Kutip "ganda" \\ garis\nbaru\ttab', "Émoji 🙂 漢字 \u2028 ok", "\x01 kendali", "biasa"]
    ids = [flow.submit(resident, purpose=p).json["id"] for p in purposes]
    ids += [flow.submit(resident).json["id"] for _ in range(21)]
    _, signed_id, _ = flow.signed(resident)
    ids.append(signed_id)
    with app.app_context():  # a timestamp without microseconds (isoformat() leaves the fraction out)
        db.session.execute(update(LetterRequest).where(LetterRequest.id == ids[3])
                           .values(created_at=utcnow().replace(microsecond=0)))
        db.session.commit()
    headers = flow.auth(resident)
    first = flow.client.get("/api/v1/documents/requests", headers=headers).json
    second = flow.client.get("/api/v1/documents/requests?page=2", headers=headers).json
    assert [i["id"] for i in first["items"] + second["items"]] == sorted(ids, reverse=True)
    assert (first["total"], second["total"], len(first["items"]), len(second["items"])) == (26, 26, 20, 6)
    by_id = {i["id"]: i for i in second["items"]}
    assert [by_id[i]["purpose"] for i in ids[:4]] == [p.strip() for p in purposes]
    assert "." not in by_id[ids[3]]["created_at"]


def test_a_residents_page_is_one_statement_and_a_staff_count_only_when_needed(app, flow):
    resident, clerk = flow.resident(), flow.staff("clerk", kelurahan=HOME)
    for _ in range(3):
        flow.submit(resident, service_kelurahan_code=HOME)
    flow.signed(resident)
    for user, query, expected in ((resident, "", 1), (resident, "?per_page=1&page=2", 1), (clerk, "", 1),
                                  (clerk, "?per_page=2", 2), (clerk, "?page=3", 2)):
        headers = flow.auth(user)
        with statements_on_requests(app) as seen:
            res = flow.client.get(f"/api/v1/documents/requests{query}", headers=headers)
        assert res.status_code == 200
        assert len(seen) == expected, (user.role, query, seen)
