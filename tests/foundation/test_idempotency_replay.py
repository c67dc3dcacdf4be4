"""A keyed request whose work committed but whose answer was never stored (the process died between the two
commits) is answered on retry with the record it created, as the first answer would have been: not with a 409
"still being processed" for ever, which the PWA's offline queue would drop as refused (common/idempotency.py)."""

import hashlib
import json

import pytest
from sqlalchemy import func, select

from citizen_app.brigade.models import BrigadeCall
from citizen_app.common import idempotency
from citizen_app.common.models import IdempotencyKey
from citizen_app.documents.models import LetterRequest
from citizen_app.extensions import db
from citizen_app.notifications.models import Broadcast
from citizen_app.parking.models import Payment
from citizen_app.parking.providers.simulator import Simulator
from tests.brigade.brigade_helpers import CALL
from tests.documents.conftest import DOMISILI

LETTERS = "/api/v1/documents/requests"
CALLS = "/api/v1/brigade/calls"
BROADCASTS = "/api/v1/broadcasts"
TOPUPS = "/api/v1/wallet/topups"


class Killed(BaseException):
    """The process dying: nothing in the app catches it, nothing after it runs."""


def die(*_args, **_kwargs):
    raise Killed


@pytest.fixture
def dies_after_the_work(monkeypatch):
    """The next keyed request dies once its view has returned (its work committed), before its answer is
    stored; then the process is 'restarted' (the patch undone)."""

    def post(client, url, body, headers):
        with monkeypatch.context() as patch:
            patch.setattr(idempotency, "_as_response", die)
            with pytest.raises(Killed):
                client.post(url, json=body, headers=headers)

    return post


def rows(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def key_row(app, key):
    with app.app_context():
        row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
        return row and (row.status_code, row.resource_id)


def only_id(app, model):
    with app.app_context():
        (row_id,) = db.session.scalars(select(model.id)).all()
        return row_id


def assert_replayed(res, status=201):
    assert res.status_code == status, res.json
    assert res.headers.get("Idempotent-Replayed") == "true"


def test_a_letter_request_whose_answer_was_lost_is_answered_on_retry(app, client, make_resident, auth_headers,
                                                                      dies_after_the_work):
    headers = auth_headers(make_resident(), **{"Idempotency-Key": "surat-1"})
    dies_after_the_work(client, LETTERS, DOMISILI, headers)
    request_id = only_id(app, LetterRequest)
    assert key_row(app, "surat-1") == (None, request_id)  # committed with the work, no answer

    retry = client.post(LETTERS, json=DOMISILI, headers=headers)
    assert_replayed(retry)
    assert retry.json["id"] == request_id
    # The answer the endpoint gives, as its GET shows the same request (the identity block included).
    assert retry.json == client.get(f"{LETTERS}/{request_id}", headers=headers).json
    assert retry.json["identity"]["nik"]
    assert key_row(app, "surat-1") == (201, request_id)  # stored: later repeats replay it

    again = client.post(LETTERS, json=DOMISILI, headers=headers)
    assert_replayed(again)
    assert again.json == retry.json
    assert client.post(LETTERS, json={**DOMISILI, "purpose": "Lain"}, headers=headers).status_code == 409
    assert rows(app, LetterRequest) == 1


def test_a_brigade_call_whose_answer_was_lost_is_answered_on_retry(app, client, make_resident, auth_headers,
                                                                    dies_after_the_work):
    resident = make_resident()
    headers = auth_headers(resident, **{"Idempotency-Key": "panggilan-1"})
    dies_after_the_work(client, CALLS, CALL, headers)
    call_id = only_id(app, BrigadeCall)
    assert key_row(app, "panggilan-1") == (None, call_id)

    retry = client.post(CALLS, json=CALL, headers=headers)
    assert_replayed(retry)
    assert retry.json["id"] == call_id and retry.json["status"] == "received"
    assert client.post(CALLS, json={**CALL, "patient_age": 5}, headers=headers).status_code == 409
    assert rows(app, BrigadeCall) == 1

    # The same shape as a first answer of the endpoint.
    fresh = client.post(CALLS, json={**CALL, "contact_phone": "081299990000"},
                        headers=auth_headers(resident, **{"Idempotency-Key": "panggilan-2"}))
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert set(fresh.json) == set(retry.json)



def test_a_lost_call_answer_is_rebuilt_even_when_the_allowance_is_used_up(app, client, make_resident, auth_headers,
                                                                          dies_after_the_work):
    resident = make_resident()
    limit = int(app.config["RATELIMIT_BRIGADE_CALL"].split()[0])
    for i in range(limit - 1):
        headers = auth_headers(resident, **{"Idempotency-Key": f"k{i}"})
        assert client.post(CALLS, json={**CALL, "contact_phone": f"08129999200{i}"}, headers=headers).status_code == 201
    headers = auth_headers(resident, **{"Idempotency-Key": "last"})
    dies_after_the_work(client, CALLS, CALL, headers)  # the call is placed; its answer is lost
    for key, status in (("new-1", 201), ("new-2", 429)):  # the allowance is now used up
        other = {**CALL, "contact_phone": "081299993000"}
        res = client.post(CALLS, json=other, headers=auth_headers(resident, **{"Idempotency-Key": key}))
        assert res.status_code == status
    retry = client.post(CALLS, json=CALL, headers=headers)
    assert_replayed(retry)
    assert rows(app, BrigadeCall) == limit + 1


def test_a_session_payment_whose_answer_was_lost_is_answered_on_retry(app, client, make_resident, auth_headers,
                                                                       dies_after_the_work):
    resident = make_resident()
    started = client.post("/api/v1/parking/sessions", headers=auth_headers(resident),
                          json={"zone_code": "KPG-SOEHARTO", "plate_number": "DH 1234 AB", "vehicle_class": "car"})
    assert started.status_code == 201, started.json
    url = f"/api/v1/parking/sessions/{started.json['id']}/payments"
    headers = auth_headers(resident, **{"Idempotency-Key": "bayar-1"})
    dies_after_the_work(client, url, {"method": "qris"}, headers)
    payment_id = only_id(app, Payment)
    assert key_row(app, "bayar-1") == (None, payment_id)

    retry = client.post(url, json={"method": "qris"}, headers=headers)
    assert_replayed(retry)
    assert retry.json == client.get(f"/api/v1/parking/payments/{payment_id}", headers=headers).json
    assert retry.json["id"] == payment_id and retry.json["status"] == "pending" and retry.json["qris_payload"]
    assert client.post(url, json={"method": "wallet"}, headers=headers).status_code == 409
    assert rows(app, Payment) == 1


def test_a_topup_that_died_calling_the_provider_is_answered_on_retry(app, client, make_resident, auth_headers,
                                                                      monkeypatch):
    """A QRIS payment is committed before the provider is called: dying during the call leaves it pending, with
    its key, and the retry answers with that payment instead of charging again."""
    headers = auth_headers(make_resident(), **{"Idempotency-Key": "isi-1"})
    with monkeypatch.context() as patch:
        patch.setattr(Simulator, "create_qris_charge", die)
        with pytest.raises(Killed):
            client.post(TOPUPS, json={"amount": 50000}, headers=headers)
    payment_id = only_id(app, Payment)
    assert key_row(app, "isi-1") == (None, payment_id)

    retry = client.post(TOPUPS, json={"amount": 50000}, headers=headers)
    assert_replayed(retry)
    assert retry.json["id"] == payment_id and retry.json["status"] == "pending" and retry.json["amount"] == 50000
    assert retry.json == client.get(f"/api/v1/parking/payments/{payment_id}", headers=headers).json
    assert rows(app, Payment) == 1


def test_a_broadcast_whose_answer_was_lost_is_answered_on_retry(app, client, make_user, make_resident,
                                                                 auth_headers, dies_after_the_work):
    make_resident()
    headers = auth_headers(make_user("city_admin"), **{"Idempotency-Key": "siaran-1"})
    body = {"title": "Air bersih", "body": "Pemadaman air besok pagi."}
    dies_after_the_work(client, BROADCASTS, body, headers)
    broadcast_id = only_id(app, Broadcast)
    retry = client.post(BROADCASTS, json=body, headers=headers)
    assert_replayed(retry)
    assert retry.json["id"] == broadcast_id and retry.json["targeted"] == 1
    assert rows(app, Broadcast) == 1


def test_a_request_that_dies_before_its_commit_leaves_the_key_free(app, client, make_resident, auth_headers,
                                                                   monkeypatch):
    """The call was flushed (so its key noted it) but never committed: nothing of it, nor its key, remains."""
    from citizen_app.brigade import services

    headers = auth_headers(make_resident(), **{"Idempotency-Key": "panggilan-1"})
    with monkeypatch.context() as patch:
        patch.setattr(services, "record", die)  # the audit entry, after the call's flush, before its commit
        with pytest.raises(Killed):
            client.post(CALLS, json=CALL, headers=headers)
    assert (rows(app, BrigadeCall), rows(app, IdempotencyKey)) == (0, 0)
    res = client.post(CALLS, json=CALL, headers=headers)
    assert res.status_code == 201 and "Idempotent-Replayed" not in res.headers
    assert key_row(app, "panggilan-1") == (201, res.json["id"])  # the normal path notes the record too
    assert rows(app, BrigadeCall) == 1


def test_a_key_with_neither_an_answer_nor_a_record_is_still_being_processed(app, client, make_resident,
                                                                             auth_headers):
    resident = make_resident()
    headers = auth_headers(resident, **{"Idempotency-Key": "surat-1"})
    body = json.dumps(DOMISILI).encode()
    with app.app_context():
        db.session.add(IdempotencyKey(user_id=resident.id, key="surat-1", endpoint=LETTERS,
                                      request_hash=hashlib.sha256(LETTERS.encode() + b"\0" + body).hexdigest()))
        db.session.commit()
    res = client.post(LETTERS, data=body, content_type="application/json", headers=headers)
    assert res.status_code == 409 and "diproses" in res.json["message"], res.json  # "still being processed"
    assert rows(app, LetterRequest) == 0


def test_a_refused_request_frees_its_key(app, client, make_resident, auth_headers):
    headers = auth_headers(make_resident(), **{"Idempotency-Key": "surat-1"})
    refused = client.post(LETTERS, json={**DOMISILI, "service_kelurahan_code": "99.99.99.9999"}, headers=headers)
    assert refused.status_code == 422, refused.json
    assert rows(app, IdempotencyKey) == 0
    res = client.post(LETTERS, json=DOMISILI, headers=headers)
    assert res.status_code == 201 and "Idempotent-Replayed" not in res.headers


def test_render_needs_the_endpoints_response_schema():
    with pytest.raises(TypeError, match="one success response with a schema"):
        idempotency.idempotent(resource=LetterRequest, render=lambda actor, rid: None)(lambda: None)
    with pytest.raises(TypeError, match="resource and render go together"):
        idempotency.idempotent(resource=LetterRequest)(lambda: None)
