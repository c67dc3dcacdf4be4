import threading
import time

import pytest
from sqlalchemy import func, select

from citizen_app.audit.models import AuditEntry
from citizen_app.cities.services import load_city
from citizen_app.documents.models import LetterRequest, LetterType, RequestEvent
from citizen_app.extensions import db
from citizen_app.notifications.models import Notification
from tests.documents.conftest import DOMISILI, HOME, OTHER


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_catalogue_has_the_pack_types_with_fields_and_requirements(client):
    res = client.get("/api/v1/documents/types")
    assert res.status_code == 200
    types = {t["code"]: t for t in res.json["items"]}
    assert res.json["total"] == 15 and len(types) == 15
    domisili = types["domisili"]
    assert domisili["name"] == "Surat Keterangan Domisili" and domisili["validity_days"] == 30
    assert domisili["any_kelurahan"] is True and "Foto e-KTP" in domisili["requirements"]
    assert {"name": "rt", "label": "RT", "type": "string", "required": True} in domisili["fields"]
    assert types["kelahiran"]["any_kelurahan"] is False
    assert {"code", "name", "description", "fields", "requirements", "validity_days", "any_kelurahan"} <= set(domisili)


def test_pack_load_is_idempotent_and_ternate_falls_back_to_kupang(app):
    with app.app_context():
        load_city("kupang")
        load_city("kupang")
        assert db.session.scalar(select(func.count()).select_from(LetterType)
                                 .where(LetterType.city_code == "kupang")) == 15
        load_city("ternate")
        ternate = db.session.scalars(select(LetterType.code).where(LetterType.city_code == "ternate")).all()
        assert len(ternate) == 15 and "sktm" in ternate


def test_resident_requests_at_another_kelurahan_with_profile_identity(app, flow):
    resident = flow.resident(full_name="Maria Goreti Ndolu")
    res = flow.submit(resident)
    assert res.status_code == 201, res.json
    body = res.json
    assert body["status"] == "submitted" and body["tracking_code"].startswith("SK-")
    assert body["home_kelurahan_code"] == HOME and body["service_kelurahan_code"] == OTHER
    assert body["letter"] is None
    identity = body["identity"]
    assert identity["full_name"] == "Maria Goreti Ndolu" and identity["nik"] == resident.nik_plain
    assert identity["birth_place"] == "Kupang" and identity["religion"] == "Kristen"
    assert identity["kelurahan_code"] == HOME and identity["kelurahan"] and identity["kecamatan"]
    assert body["fields"] == {"rt": "004", "rw": "002", "lived_since": "2015-07-01"}
    assert [h["to_status"] for h in body["history"]] == ["submitted"]
    with app.app_context():
        stored = db.session.get(LetterRequest, body["id"])
        assert resident.nik_plain not in str(stored.identity)  # the NIK is kept encrypted


@pytest.mark.parametrize("fields, field, fragment", [
    ({"rw": "002"}, "rt", "Wajib"),
    ({"rt": "1", "rw": "2", "color": "red"}, "color", "tidak dikenal"),
    ({"rt": 4, "rw": "2"}, "rt", "teks"),
    ({"rt": "1", "rw": "2", "lived_since": "01-07-2015"}, "lived_since", "Tanggal"),
    ({"rt": "1", "rw": "2", "lived_since": "2015-02-30"}, "lived_since", "Tanggal"),
    ({"rt": "x" * 201, "rw": "2"}, "rt", "200"),
])
def test_type_fields_are_validated_against_the_definition(app, flow, fields, field, fragment):
    res = flow.submit(flow.resident(), fields=fields)
    assert res.status_code == 422, res.json
    assert fragment in res.json["errors"]["fields"][field][0]
    assert count(app, LetterRequest) == 0


@pytest.mark.parametrize("value, ok", [(3, True), ("3", False), (True, False), (2.5, False), (-1, False)])
def test_integer_fields(flow, value, ok):
    body = {"type_code": "sktm", "service_kelurahan_code": HOME, "purpose": "Keringanan biaya sekolah",
            "fields": {"household_members": value, "monthly_income": 1500000}}
    res = flow.submit(flow.resident(), body=body)
    assert res.status_code == (201 if ok else 422), res.json
    if not ok:
        assert "household_members" in res.json["errors"]["fields"]


def test_home_only_types_are_refused_elsewhere(flow):
    body = {"type_code": "kelahiran", "service_kelurahan_code": OTHER, "purpose": "Akta kelahiran anak",
            "fields": {"baby_name": "Yosua", "baby_gender": "Laki-laki", "birth_date": "2026-11-01",
                       "birth_place": "RSUD Kupang", "father_name": "Yan", "mother_name": "Ani",
                       "reporter_relation": "Ayah"}}
    resident = flow.resident()
    refused = flow.submit(resident, body=body, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert "home kelurahan" in refused.json["errors"]["service_kelurahan_code"][0]
    assert flow.submit(resident, body={**body, "service_kelurahan_code": HOME}).status_code == 201


@pytest.mark.parametrize("override, field", [
    ({"type_code": "izin-tambang"}, "type_code"),
    ({"service_kelurahan_code": "53.71.99.9999"}, "service_kelurahan_code"),
    ({"service_kelurahan_code": "82.71.01.1001"}, "service_kelurahan_code"),  # not this city
    ({"purpose": ""}, "purpose"),
    ({"fields": "rt=1"}, "fields"),
    ({"extra": 1}, "extra"),
])
def test_bad_requests_name_the_field(app, flow, override, field):
    res = flow.submit(flow.resident(), **override)
    assert res.status_code == 422 and field in res.json["errors"], res.json
    assert count(app, LetterRequest) == 0


def test_only_residents_request(flow):
    assert flow.submit(flow.staff("clerk")).status_code == 403
    assert flow.client.post("/api/v1/documents/requests", json=DOMISILI).status_code == 401


def test_idempotency_key_replays_and_refuses_other_bodies(app, flow):
    resident = flow.resident()
    key = {"Idempotency-Key": "req-1"}
    first = flow.submit(resident, headers=key)
    again = flow.submit(resident, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.headers.get("Idempotent-Replayed") == "true"
    other = flow.submit(resident, headers=key, purpose="Sesuatu yang lain")
    assert other.status_code == 409
    assert count(app, LetterRequest) == 1


def test_a_concurrent_repeat_of_a_key_waits_and_is_answered_with_the_first(app, flow, monkeypatch):
    """The key row is written before the work: a repeat sent while the first request is in its view waits on the
    key, never makes a second request, and answers with the first one's letter request."""
    from citizen_app.documents import workflow

    resident = flow.resident()
    headers = {**flow.auth(resident), "Idempotency-Key": "req-race"}
    create = workflow.create_request
    main, repeat = threading.current_thread(), {}

    def create_while_a_repeat_is_sent(actor, data):
        if threading.current_thread() is main and "thread" not in repeat:
            repeat["thread"] = threading.Thread(target=lambda: repeat.update(answer=flow.client.post(
                "/api/v1/documents/requests", json=DOMISILI, headers=headers)))
            repeat["thread"].start()
            time.sleep(0.3)  # the repeat reaches the key and waits on it
        return create(actor, data)

    monkeypatch.setattr(workflow, "create_request", create_while_a_repeat_is_sent)
    first = flow.submit(resident, headers={"Idempotency-Key": "req-race"})
    repeat["thread"].join(timeout=60)
    second = repeat["answer"]
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert second.status_code == 201 and second.headers.get("Idempotent-Replayed") == "true"
    assert second.json["id"] == first.json["id"]
    assert count(app, LetterRequest) == 1 and count(app, RequestEvent) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "document_request.submit")) == 1


def test_a_refused_keyed_request_leaves_no_key(app, flow):
    resident = flow.resident()
    key = {"Idempotency-Key": "req-refused"}
    refused = flow.submit(resident, headers=key, type_code="no-such-letter")
    assert refused.status_code == 422
    fixed = flow.submit(resident, headers=key)  # the corrected retry may use the same key
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers


def test_full_flow_with_revision_history_audit_and_notifications(app, flow):
    resident = flow.resident()
    clerk, lurah = flow.staff("clerk"), flow.staff("lurah")
    rid = flow.submit(resident).json["id"]
    assert flow.act(clerk, rid, "review").json["status"] == "in_review"
    no_note = flow.act(clerk, rid, "request_revision")
    assert no_note.status_code == 422 and "note" in no_note.json["errors"]
    sent_back = flow.act(clerk, rid, "request_revision", note="Foto KK buram")
    assert sent_back.json["status"] == "needs_revision"
    fixed = flow.act(resident, rid, "resubmit", fields={"rt": "005", "rw": "002"}, purpose="Melamar kerja")
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["status"] == "submitted" and fixed.json["fields"] == {"rt": "005", "rw": "002"}
    for action, status in (("review", "in_review"), ("approve", "approved")):
        assert flow.act(clerk, rid, action).json["status"] == status
    signed = flow.act(lurah, rid, "sign")
    assert signed.json["status"] == "signed" and signed.json["letter"]["status"] == "valid"
    collected = flow.act(clerk, rid, "mark_collected")
    assert collected.json["status"] == "collected"

    history = flow.get(resident, rid).json["history"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("submit", None, "submitted"), ("review", "submitted", "in_review"),
        ("request_revision", "in_review", "needs_revision"), ("resubmit", "needs_revision", "submitted"),
        ("review", "submitted", "in_review"), ("approve", "in_review", "approved"), ("sign", "approved", "signed"),
        ("mark_collected", "signed", "collected")]
    assert history[2]["note"] == "Foto KK buram" and history[2]["actor_id"] == clerk.id
    assert history[6]["actor_id"] == lurah.id and all(h["created_at"] for h in history)
    with app.app_context():
        audited = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "letter_request")
                                     .order_by(AuditEntry.id)).all()
        assert audited == [f"document_request.{h['action']}" for h in history]
        events = db.session.scalars(select(Notification.event).where(Notification.user_id == resident.id)
                                    .order_by(Notification.id)).all()
        assert events == ["document.reviewed", "document.revision_requested", "document.reviewed",
                          "document.approved", "document.signed"]
        note = db.session.scalar(select(Notification).where(Notification.event == "document.signed"))
        assert note.url == f"/#/letters/{rid}" and note.topic == "documents"


def test_reject_needs_a_reason_and_notifies(app, flow):
    resident, clerk = flow.resident(), flow.staff("clerk")
    rid = flow.submit(resident).json["id"]
    assert flow.act(clerk, rid, "reject", note="  ").status_code == 422
    res = flow.act(clerk, rid, "reject", note="Bukan warga kota")
    assert res.json["status"] == "rejected"
    assert count(app, Notification, Notification.event == "document.rejected") == 1
    assert flow.act(clerk, rid, "review").status_code == 409


@pytest.mark.parametrize("path, action", [
    ([], "approve"), ([], "sign"), ([], "resubmit"), ([], "mark_collected"), ([], "revoke"),
    (["review"], "sign"), (["review"], "review"), (["review", "approve"], "request_revision"),
    (["review", "approve", "sign"], "cancel"), (["review", "approve", "sign"], "approve"),
])
def test_illegal_transitions_are_409(app, flow, path, action):
    resident, clerk, lurah = flow.resident(), flow.staff("clerk"), flow.staff("lurah")
    rid = flow.submit(resident).json["id"]
    for step in path:
        actor = lurah if step == "sign" else clerk
        assert flow.act(actor, rid, step).status_code == 200
    actor = {"resubmit": resident, "cancel": resident, "sign": lurah, "revoke": lurah}.get(action, clerk)
    before = count(app, RequestEvent)
    res = flow.act(actor, rid, action, note="catatan")
    assert res.status_code == 409, res.json
    assert count(app, RequestEvent) == before


def test_roles_and_scopes(flow):
    resident, stranger = flow.resident(), flow.resident()
    clerk, lurah = flow.staff("clerk"), flow.staff("lurah")
    other_clerk = flow.staff("clerk", kelurahan=HOME)  # the resident's home, not the serving kelurahan
    rid = flow.submit(resident).json["id"]
    assert flow.act(resident, rid, "review").status_code == 403
    assert flow.act(lurah, rid, "review").status_code == 403
    assert flow.act(other_clerk, rid, "review").status_code == 403
    assert flow.act(flow.staff("dispatcher"), rid, "review").status_code == 403
    assert flow.act(clerk, rid, "cancel").status_code == 403
    assert flow.act(stranger, rid, "cancel").status_code == 404
    assert flow.get(stranger, rid).status_code == 404
    assert flow.get(other_clerk, rid).status_code == 403
    assert flow.get(clerk, rid).status_code == 200
    assert flow.act(resident, 999999, "cancel").status_code == 404
    flow.act(clerk, rid, "review")
    flow.act(clerk, rid, "approve")
    assert flow.act(clerk, rid, "sign").status_code == 403
    assert flow.act(flow.staff("lurah", kelurahan=HOME), rid, "sign").status_code == 403
    assert flow.act(lurah, rid, "sign").status_code == 200


def test_owner_cancels_while_open(flow):
    resident = flow.resident()
    rid = flow.submit(resident).json["id"]
    res = flow.act(resident, rid, "cancel")
    assert res.status_code == 200 and res.json["status"] == "cancelled"
    assert flow.act(resident, rid, "cancel").status_code == 409


def test_lists_are_scoped(flow):
    resident, neighbour = flow.resident(), flow.resident()
    clerk, home_clerk = flow.staff("clerk"), flow.staff("clerk", kelurahan=HOME)
    mine = flow.submit(resident).json["id"]
    theirs = flow.submit(neighbour, service_kelurahan_code=HOME).json["id"]
    flow.act(clerk, mine, "review")

    def ids(user, query=""):
        res = flow.client.get(f"/api/v1/documents/requests{query}", headers=flow.auth(user))
        assert res.status_code == 200, res.json
        return [item["id"] for item in res.json["items"]]

    assert ids(resident) == [mine] and ids(neighbour) == [theirs]
    assert ids(clerk) == [mine]  # served by OTHER, whatever the resident's home
    assert ids(home_clerk) == [theirs]
    assert ids(clerk, "?status=in_review") == [mine] and ids(clerk, "?status=submitted") == []
    assert flow.client.get("/api/v1/documents/requests?status=lost", headers=flow.auth(clerk)).status_code == 422
    assert flow.client.get("/api/v1/documents/requests", headers=flow.auth(flow.staff("medic"))).status_code == 403

    # Pages of the prepared list, and the total past the last page (counted on its own, with the same values).
    second = flow.submit(resident).json["id"]
    res = flow.client.get("/api/v1/documents/requests?per_page=1&page=2", headers=flow.auth(resident)).json
    assert [i["id"] for i in res["items"]] == [mine] and res["total"] == 2
    assert ids(resident, "?per_page=1") == [second]
    past = flow.client.get("/api/v1/documents/requests?page=9&status=submitted", headers=flow.auth(resident)).json
    assert past["items"] == [] and past["total"] == 1


def test_admin_sees_masked_nik_only(flow):
    resident = flow.resident()
    rid = flow.submit(resident).json["id"]
    detail = flow.get(flow.staff("city_admin", kelurahan=None), rid).json
    assert "nik" not in detail["identity"] and detail["identity"]["nik_masked"].startswith("5371")
    assert resident.nik_plain not in str(detail)


def test_huge_ids_are_not_found(flow):
    resident = flow.resident()
    assert flow.get(resident, 2**63).status_code == 404
    assert flow.act(resident, 2**40, "cancel").status_code == 404


def test_demo_seed_puts_letters_in_flight(app, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "waits in clerk2's queue" in result.output
    with app.app_context():
        statuses = sorted(db.session.scalars(select(LetterRequest.status)).all())
        assert statuses == ["approved", "submitted"]
    assert count(app, RequestEvent) == 4
