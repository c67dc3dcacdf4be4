import pytest
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.parking.models import LedgerEntry

ZONE = "KPG-SOEHARTO"
SURCHARGE_ZONE = "KPG-RSUD"


@pytest.fixture
def resident(make_resident):
    return make_resident()


@pytest.fixture
def attendant(make_user):
    return make_user("parking_attendant", zone_code=f"{ZONE},{SURCHARGE_ZONE}")


@pytest.fixture
def admin(make_user):
    return make_user("city_admin")


@pytest.fixture
def start(client, auth_headers):
    def start(user, plate="DH 1234 AB", zone=ZONE, vehicle_class="car", expect=201):
        res = client.post("/api/v1/parking/sessions", headers=auth_headers(user),
                          json={"zone_code": zone, "plate_number": plate, "vehicle_class": vehicle_class})
        assert res.status_code == expect, res.json
        return res.json

    return start


@pytest.fixture
def pay(client, auth_headers):
    def pay(user, session_id, method="qris", expect=201, key=None):
        headers = auth_headers(user, **({"Idempotency-Key": key} if key else {}))
        res = client.post(f"/api/v1/parking/sessions/{session_id}/payments", headers=headers, json={"method": method})
        assert res.status_code == expect, res.json
        return res.json

    return pay


@pytest.fixture
def settle(client):
    def settle(reference, expect=200):
        res = client.post(f"/api/v1/parking/simulator/pay/{reference}")
        assert res.status_code == expect, res.json
        return res.json

    return settle


@pytest.fixture
def topup(client, auth_headers, settle):
    def topup(user, amount):
        res = client.post("/api/v1/wallet/topups", headers=auth_headers(user), json={"amount": amount})
        assert res.status_code == 201, res.json
        settle(res.json["reference"])
        return res.json

    return topup


def ledger_rows(app):
    with app.app_context():
        return [(e.account, e.amount, e.kind, e.payment_id) for e in db.session.scalars(select(LedgerEntry))]
