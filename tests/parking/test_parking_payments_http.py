import hashlib

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.notifications.models import Notification
from citizen_app.parking import qris
from citizen_app.parking.models import Payment
from citizen_app.parking.providers import DEV_SERVER_KEY
from tests.parking.conftest import ledger_rows


def midtrans_body(reference, amount, status="settlement", code="200", key=DEV_SERVER_KEY, **extra):
    gross = f"{amount}.00"
    sig = hashlib.sha512(f"{reference}{code}{gross}{key}".encode()).hexdigest()
    return {"order_id": reference, "status_code": code, "gross_amount": gross, "signature_key": sig,
            "transaction_status": status, "transaction_id": "tx-1", **extra}


def session_status(client, auth_headers, user, session_id):
    return client.get(f"/api/v1/parking/sessions/{session_id}", headers=auth_headers(user)).json


def test_qris_payment_settles_through_the_signed_webhook(app, client, auth_headers, resident, start, pay, settle):
    session = start(resident)
    payment = pay(resident, session["id"])
    assert payment["status"] == "pending" and payment["amount"] == 5000 and payment["method"] == "qris"
    fields = qris.parse(payment["qris_payload"])
    assert fields["54"] == "5000" and payment["reference"] in fields["62"]
    stopped = session_status(client, auth_headers, resident, session["id"])
    assert stopped["status"] == "stopped" and stopped["amount_due"] == 5000  # paying ends the session

    assert settle(payment["reference"]) == {"reference": payment["reference"], "status": "paid"}
    assert session_status(client, auth_headers, resident, session["id"])["status"] == "paid"
    got = client.get(f"/api/v1/parking/payments/{payment['id']}", headers=auth_headers(resident)).json
    assert got["status"] == "paid" and got["paid_at"]
    rows = ledger_rows(app)
    assert sorted(rows) == sorted([("provider:simulator", -5000, "parking", payment["id"]),
                                   ("city:parking", 5000, "parking", payment["id"])])
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.event == "parking.paid"))
        assert note.user_id == resident.id and note.topic == "parking"
    # a repeated notification changes nothing
    res = client.post("/api/v1/parking/webhooks/simulator", json=midtrans_body(payment["reference"], 5000))
    assert res.status_code == 200 and res.json["status"] == "paid"
    assert len(ledger_rows(app)) == 2


def test_unsigned_or_forged_webhooks_are_refused_and_change_nothing(app, client, resident, start, pay):
    payment = pay(resident, start(resident)["id"])
    ref = payment["reference"]
    forged = midtrans_body(ref, 5000, key="not-the-key")
    unsigned = {k: v for k, v in midtrans_body(ref, 5000).items() if k != "signature_key"}
    tampered = {**midtrans_body(ref, 5000), "gross_amount": "500.00"}
    for body in (forged, unsigned, tampered, {}, {"order_id": ref}):
        res = client.post("/api/v1/parking/webhooks/simulator", json=body)
        assert res.status_code == 401, body
        assert res.json["code"] == "unauthorized"
    assert client.post("/api/v1/parking/webhooks/paypal", json=midtrans_body(ref, 5000)).status_code == 404
    assert client.post("/api/v1/parking/webhooks/simulator", json=midtrans_body("NOPE", 5000)).status_code == 404
    # signed, but for another amount than we asked: refused too
    assert client.post("/api/v1/parking/webhooks/simulator", json=midtrans_body(ref, 4000)).status_code == 409
    with app.app_context():
        assert db.session.get(Payment, payment["id"]).status == "pending"
    assert ledger_rows(app) == []


def test_failure_and_expiry_are_recorded_and_a_later_settlement_still_counts(app, client, resident, start, pay):
    payment = pay(resident, start(resident)["id"])
    ref = payment["reference"]
    res = client.post("/api/v1/parking/webhooks/simulator", json=midtrans_body(ref, 5000, "expire", "202"))
    assert res.json["status"] == "expired"
    res = client.post("/api/v1/parking/webhooks/simulator", json=midtrans_body(ref, 5000, "pending", "201"))
    assert res.json["status"] == "expired"
    res = client.post("/api/v1/parking/webhooks/simulator", json=midtrans_body(ref, 5000))
    assert res.json["status"] == "paid"
    assert len(ledger_rows(app)) == 2


def test_same_idempotency_key_returns_the_first_payment(app, client, auth_headers, resident, start):
    session = start(resident)
    url = f"/api/v1/parking/sessions/{session['id']}/payments"
    headers = auth_headers(resident, **{"Idempotency-Key": "pay-1"})
    first = client.post(url, headers=headers, json={"method": "qris"})
    second = client.post(url, headers=headers, json={"method": "qris"})
    assert first.status_code == second.status_code == 201
    assert second.json == first.json and second.headers.get("Idempotent-Replayed") == "true"
    other_body = client.post(url, headers=headers, json={"method": "wallet"})
    assert other_body.status_code == 409
    with app.app_context():
        assert len(db.session.scalars(select(Payment)).all()) == 1


def test_a_pending_qris_is_reused_rather_than_charged_twice(app, resident, start, pay):
    session = start(resident)
    assert pay(resident, session["id"])["id"] == pay(resident, session["id"])["id"]


def test_cash_is_recorded_only_by_the_zones_attendant(app, client, auth_headers, resident, attendant, make_user,
                                                       start, pay):
    session = start(resident)
    pay(resident, session["id"], "cash", expect=403)
    elsewhere = make_user("parking_attendant", zone_code="KPG-ELTARI")
    pay(elsewhere, session["id"], "cash", expect=403)
    admin = make_user("city_admin")
    pay(admin, session["id"], "cash", expect=403)
    payment = pay(attendant, session["id"], "cash")
    assert payment["status"] == "paid" and payment["qris_payload"] is None
    assert sorted(ledger_rows(app)) == sorted([(f"cash:{attendant.id}", -5000, "parking", payment["id"]),
                                               ("city:parking", 5000, "parking", payment["id"])])
    assert pay(attendant, session["id"], "cash", expect=409)["code"] == "conflict"
    assert session_status(client, auth_headers, resident, session["id"])["status"] == "paid"
    receipt = client.get(f"/api/v1/parking/sessions/{session['id']}/receipt", headers=auth_headers(attendant)).json
    assert receipt["payment"]["method"] == "cash" and receipt["receipt_code"].startswith(f"R{session['id']}-")


def test_wallet_topup_then_pay_from_wallet(app, client, auth_headers, resident, start, pay, topup):
    session = start(resident)
    short = pay(resident, session["id"], "wallet", expect=409)
    assert short["message"] == "Saldo dompet tidak cukup: tersedia Rp0."
    top = topup(resident, 20000)
    assert top["purpose"] == "topup" and qris.parse(top["qris_payload"])["54"] == "20000"
    wallet = client.get("/api/v1/wallet", headers=auth_headers(resident)).json
    assert wallet["balance"] == 20000 and wallet["items"][0]["amount"] == 20000 and wallet["total"] == 1
    payment = pay(resident, session["id"], "wallet")
    assert payment["status"] == "paid"
    wallet = client.get("/api/v1/wallet", headers=auth_headers(resident)).json
    assert wallet["balance"] == 15000 and [e["amount"] for e in wallet["items"]] == [-5000, 20000]
    with app.app_context():
        events = set(db.session.scalars(select(Notification.event)))
    assert {"wallet.topup", "parking.paid"} <= events
    assert sum(amount for _, amount, _, _ in ledger_rows(app)) == 0


def test_only_the_driver_pays_from_their_wallet(client, auth_headers, resident, attendant, start, pay, topup):
    walk_in = start(attendant, plate="DH 5 Q")
    pay(attendant, walk_in["id"], "wallet", expect=403)
    pay(resident, walk_in["id"], "wallet", expect=404)


def test_topup_limits(client, auth_headers, resident, attendant):
    for amount in (0, 9999, 1_000_001, -5):
        res = client.post("/api/v1/wallet/topups", headers=auth_headers(resident), json={"amount": amount})
        assert res.status_code == 422 and "amount" in res.json["errors"]
    res = client.post("/api/v1/wallet/topups", headers=auth_headers(resident), json={"amount": "50000"})
    assert res.status_code == 422
    assert client.post("/api/v1/wallet/topups", headers=auth_headers(attendant),
                       json={"amount": 50000}).status_code == 403


def test_money_arriving_for_an_already_paid_session_goes_to_the_payers_wallet(app, client, auth_headers, resident,
                                                                               start, pay, settle, topup):
    topup(resident, 10000)
    session = start(resident)
    pending = pay(resident, session["id"], "qris")
    pay(resident, session["id"], "wallet")
    settle(pending["reference"])  # the driver scanned the QR as well
    wallet = client.get("/api/v1/wallet", headers=auth_headers(resident)).json
    assert wallet["balance"] == 10000
    assert ("city:parking", 5000) in [(a, m) for a, m, _, _ in ledger_rows(app)]
    assert sum(m for a, m, _, _ in ledger_rows(app) if a == "city:parking") == 5000


def test_simulator_endpoint_only_in_development(app, client, resident, start, pay):
    payment = pay(resident, start(resident)["id"])
    app.config.update(TESTING=False, PAYMENT_PROVIDER="midtrans")
    try:
        assert client.post(f"/api/v1/parking/simulator/pay/{payment['reference']}").status_code == 404
        assert client.post("/api/v1/parking/webhooks/simulator",
                           json=midtrans_body(payment["reference"], 5000)).status_code == 404
    finally:
        app.config.update(TESTING=True, PAYMENT_PROVIDER=None)
