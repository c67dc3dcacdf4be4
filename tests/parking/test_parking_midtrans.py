import base64
import hashlib

import pytest

from citizen_app.parking import qris
from citizen_app.parking.providers import DEV_SERVER_KEY, InvalidNotification, Midtrans, ProviderUnavailable
from tests.parking.conftest import ledger_rows


@pytest.fixture
def midtrans(app):
    calls = []
    behaviour = {"mode": "ok"}

    def http(url, body, headers, timeout):
        calls.append({"url": url, "body": body, "headers": headers, "timeout": timeout})
        if behaviour["mode"] == "timeout":
            raise TimeoutError("timed out")
        if behaviour["mode"] == "down":
            return 503, {"status_code": "503", "status_message": "down"}
        return 200, {"status_code": "201", "transaction_id": "mt-123", "transaction_status": "pending"}

    app.config.update(PAYMENT_PROVIDER="midtrans", PAYMENT_SERVER_KEY="SB-Mid-server-test",
                      PAYMENT_API_URL="https://api.sandbox.midtrans.com", PAYMENT_TIMEOUT_SECONDS=3)
    app.extensions["payment_http"] = http
    yield calls, behaviour
    app.extensions.pop("payment_http")
    for key in ("PAYMENT_PROVIDER", "PAYMENT_SERVER_KEY", "PAYMENT_API_URL", "PAYMENT_TIMEOUT_SECONDS"):
        app.config.pop(key)


def notification(reference, amount, status="settlement", code="200", key="SB-Mid-server-test"):
    gross = f"{amount}.00"
    return {"order_id": reference, "status_code": code, "gross_amount": gross, "transaction_status": status,
            "signature_key": hashlib.sha512(f"{reference}{code}{gross}{key}".encode()).hexdigest(),
            "transaction_id": "mt-123", "fraud_status": "accept", "payment_type": "qris"}


def test_charge_request_is_a_core_api_qris_charge(app, client, resident, start, pay, midtrans):
    calls, _ = midtrans
    payment = pay(resident, start(resident)["id"])
    assert payment["provider"] == "midtrans" and payment["status"] == "pending"
    qris.parse(payment["qris_payload"])
    call = calls[0]
    assert call["url"] == "https://api.sandbox.midtrans.com/v2/charge" and call["timeout"] == 3
    assert call["body"] == {"payment_type": "qris",
                            "transaction_details": {"order_id": payment["reference"], "gross_amount": 5000}}
    assert call["headers"]["Authorization"] == "Basic " + base64.b64encode(b"SB-Mid-server-test:").decode()
    res = client.post("/api/v1/parking/webhooks/midtrans", json=notification(payment["reference"], 5000))
    assert res.status_code == 200 and res.json["status"] == "paid"
    # the simulator's key or endpoint opens nothing here
    wrong = notification(payment["reference"], 5000, key=DEV_SERVER_KEY)
    assert client.post("/api/v1/parking/webhooks/midtrans", json=wrong).status_code == 401


@pytest.mark.parametrize("mode", ["timeout", "down"])
def test_provider_trouble_leaves_the_payment_pending_and_the_webhook_settles_it(app, client, resident, start, pay,
                                                                                midtrans, mode):
    _, behaviour = midtrans
    behaviour["mode"] = mode
    payment = pay(resident, start(resident)["id"])
    assert payment["status"] == "pending" and payment["qris_payload"]
    assert ledger_rows(app) == []
    res = client.post("/api/v1/parking/webhooks/midtrans", json=notification(payment["reference"], 5000))
    assert res.json["status"] == "paid"
    assert len(ledger_rows(app)) == 2


@pytest.mark.parametrize("status, ours", [("settlement", "paid"), ("capture", "paid"), ("deny", "failed"),
                                          ("cancel", "failed"), ("failure", "failed"), ("expire", "expired"),
                                          ("pending", "pending"), ("refund", "pending")])
def test_status_mapping(status, ours):
    provider = Midtrans("k", "https://x")
    body = notification("R1", 2000, status, key="k")
    assert provider.parse_notification(body).status == ours


def test_signature_covers_order_status_code_amount_and_key():
    provider = Midtrans("k", "https://x")
    good = notification("R1", 2000, key="k")
    assert provider.parse_notification(good).gross_amount == 2000
    for field, value in (("order_id", "R2"), ("status_code", "201"), ("gross_amount", "2001.00")):
        with pytest.raises(InvalidNotification):
            provider.parse_notification({**good, field: value})
    with pytest.raises(InvalidNotification):
        provider.parse_notification(["not", "an", "object"])


def test_charge_errors_surface_as_unavailable():
    def refuses(url, body, headers, timeout):
        return 200, {"status_code": "401", "status_message": "Access denied"}

    with pytest.raises(ProviderUnavailable):
        Midtrans("k", "https://x", http=refuses).create_qris_charge("R1", 2000, "payload")
    with pytest.raises(ProviderUnavailable):
        Midtrans("k", "file:///etc/passwd").create_qris_charge("R1", 2000, "payload")


def test_production_without_a_server_key_refuses_rather_than_using_the_dev_key(app, client, monkeypatch):
    monkeypatch.delenv("PAYMENT_SERVER_KEY", raising=False)
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "PAYMENT_PROVIDER", "midtrans")
    body = notification("R1", 2000, key=DEV_SERVER_KEY)
    res = client.post("/api/v1/parking/webhooks/midtrans", json=body)
    assert res.status_code == 503 and res.json["code"] == "service_unavailable"
