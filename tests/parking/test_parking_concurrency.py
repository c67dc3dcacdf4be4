"""Races that lose money when they go wrong. Threads with their own connections, on SQLite and PostgreSQL."""

import threading

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.parking import ledger
from citizen_app.parking.models import Payment
from tests.parking.conftest import ledger_rows
from tests.parking.test_parking_payments_http import midtrans_body


def race(n, work):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_ten_concurrent_deliveries_of_one_webhook_credit_once(app, resident, start, pay):
    payment = pay(resident, start(resident)["id"])
    body = midtrans_body(payment["reference"], 5000)
    statuses = race(10, lambda _: app.test_client().post("/api/v1/parking/webhooks/simulator", json=body))
    assert [r.status_code for r in statuses] == [200] * 10, [r.json for r in statuses]
    assert {r.json["status"] for r in statuses} == {"paid"}
    rows = ledger_rows(app)
    assert len(rows) == 2 and sum(m for a, m, _, _ in rows if a == "city:parking") == 5000


def test_ten_concurrent_topup_notifications_credit_the_wallet_once(app, client, auth_headers, resident):
    top = client.post("/api/v1/wallet/topups", headers=auth_headers(resident), json={"amount": 25000}).json
    body = midtrans_body(top["reference"], 25000)
    race(10, lambda _: app.test_client().post("/api/v1/parking/webhooks/simulator", json=body))
    with app.app_context():
        assert ledger.balance(ledger.wallet_account(resident.id)) == 25000


def test_two_concurrent_wallet_payments_cannot_overdraw(app, auth_headers, resident, start, topup):
    topup(resident, 10000)
    sessions = [start(resident, plate=f"DH {i} A", vehicle_class="heavy")["id"] for i in (1, 2)]
    headers = auth_headers(resident)
    answers = race(2, lambda i: app.test_client().post(f"/api/v1/parking/sessions/{sessions[i]}/payments",
                                                       headers=headers, json={"method": "wallet"}))
    assert sorted(r.status_code for r in answers) == [201, 409], [r.json for r in answers]
    with app.app_context():
        assert ledger.balance(ledger.wallet_account(resident.id)) == 0
        assert len(db.session.scalars(select(Payment).where(Payment.method == "wallet")).all()) == 1


def test_many_concurrent_wallet_payments_never_go_negative(app, auth_headers, resident, start, topup):
    topup(resident, 10000)
    sessions = [start(resident, plate=f"DH {i} B", vehicle_class="car")["id"] for i in range(5)]
    headers = auth_headers(resident)
    answers = race(5, lambda i: app.test_client().post(f"/api/v1/parking/sessions/{sessions[i]}/payments",
                                                       headers=headers, json={"method": "wallet"}))
    assert sorted(r.status_code for r in answers) == [201, 201, 409, 409, 409]
    with app.app_context():
        assert ledger.balance(ledger.wallet_account(resident.id)) == 0


def test_concurrent_starts_of_one_plate_open_one_session(app, auth_headers, make_resident):
    drivers = [make_resident() for _ in range(4)]
    headers = [auth_headers(d) for d in drivers]
    body = {"zone_code": "KPG-SOEHARTO", "plate_number": "DH 42 K", "vehicle_class": "car"}
    answers = race(4, lambda i: app.test_client().post("/api/v1/parking/sessions", headers=headers[i], json=body))
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]


def test_concurrent_repeats_of_one_idempotency_key_create_one_payment(app, auth_headers, resident, start):
    session = start(resident)
    headers = auth_headers(resident, **{"Idempotency-Key": "same"})
    url = f"/api/v1/parking/sessions/{session['id']}/payments"
    answers = race(4, lambda _: app.test_client().post(url, headers=headers, json={"method": "qris"}))
    assert {r.status_code for r in answers} <= {201, 409}
    with app.app_context():
        assert len(db.session.scalars(select(Payment)).all()) == 1
