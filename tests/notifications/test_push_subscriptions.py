import pytest
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.notifications.models import PushSubscription
from tests.notifications.pushkit import FakeDevice, b64url

URL = "/api/v1/push/subscriptions"


def stored(app):
    with app.app_context():
        return [(s.user_id, s.endpoint, s.p256dh, s.auth) for s in
                db.session.scalars(select(PushSubscription).order_by(PushSubscription.id))]


def test_subscribe_stores_the_device(app, client, make_resident, auth_headers):
    resident = make_resident()
    device = FakeDevice("https://fcm.googleapis.com/fcm/send/abc:def")
    sub = device.subscription() | {"expirationTime": 1893456000000}
    res = client.post(URL, json=sub, headers=auth_headers(resident))
    assert res.status_code == 201, res.json
    assert res.json["endpoint"] == device.endpoint and res.json["expires_at"].startswith("2030-01-01")
    assert stored(app) == [(resident.id, device.endpoint, sub["keys"]["p256dh"], sub["keys"]["auth"])]


def test_several_devices_and_resubscribing_updates_in_place(app, client, make_resident, auth_headers):
    resident = make_resident()
    phone, laptop = FakeDevice("https://push.example.org/a"), FakeDevice("https://push.example.org/b")
    for device in (phone, laptop):
        assert client.post(URL, json=device.subscription(), headers=auth_headers(resident)).status_code == 201
    renewed = FakeDevice(phone.endpoint)  # same endpoint, new keys (the browser rotated them)
    assert client.post(URL, json=renewed.subscription(), headers=auth_headers(resident)).status_code == 201
    rows = stored(app)
    assert len(rows) == 2
    assert rows[0][2] == renewed.subscription()["keys"]["p256dh"]


def test_a_shared_phone_moves_to_whoever_subscribed_last(app, client, make_resident, auth_headers):
    mother, son = make_resident(), make_resident()
    phone = FakeDevice("https://push.example.org/shared")
    client.post(URL, json=phone.subscription(), headers=auth_headers(mother))
    client.post(URL, json=phone.subscription(), headers=auth_headers(son))
    assert [r[0] for r in stored(app)] == [son.id]


def test_unsubscribe_only_your_own(app, client, make_resident, auth_headers):
    owner, stranger = make_resident(), make_resident()
    phone = FakeDevice("https://push.example.org/mine")
    client.post(URL, json=phone.subscription(), headers=auth_headers(owner))
    res = client.delete(URL, json={"endpoint": phone.endpoint}, headers=auth_headers(stranger))
    assert res.status_code == 204
    assert len(stored(app)) == 1
    assert client.delete(URL, json={"endpoint": phone.endpoint}, headers=auth_headers(owner)).status_code == 204
    assert stored(app) == []
    assert client.delete(URL, json={"endpoint": phone.endpoint}, headers=auth_headers(owner)).status_code == 204


def test_the_oldest_devices_make_room_beyond_the_limit(app, client, monkeypatch, make_resident, auth_headers):
    monkeypatch.setitem(app.config, "PUSH_MAX_DEVICES", 2)
    resident = make_resident()
    for name in ("a", "b", "c"):
        device = FakeDevice(f"https://push.example.org/{name}")
        assert client.post(URL, json=device.subscription(), headers=auth_headers(resident)).status_code == 201
    assert sorted(r[1][-1] for r in stored(app)) == ["b", "c"]


def _good():
    return FakeDevice("https://push.example.org/x").subscription()


@pytest.mark.parametrize("change, field", [
    (lambda s: s.pop("keys"), "keys"),
    (lambda s: s.pop("endpoint"), "endpoint"),
    (lambda s: s["keys"].pop("auth"), "keys"),
    (lambda s: s["keys"].update(p256dh="not base64 at all!"), "keys.p256dh"),
    (lambda s: s["keys"].update(p256dh=b64url(b"\x04" + b"\x01" * 64)), "keys.p256dh"),  # not on the curve
    (lambda s: s["keys"].update(p256dh=b64url(b"\x04" * 33)), "keys.p256dh"),
    (lambda s: s["keys"].update(auth=b64url(b"x" * 8)), "keys.auth"),
    (lambda s: s.update(endpoint="http://push.example.org/x"), "endpoint"),  # http outside loopback
    (lambda s: s.update(endpoint="ftp://127.0.0.1/x"), "endpoint"),
    (lambda s: s.update(endpoint="not a url"), "endpoint"),
    (lambda s: s.update(endpoint="https://user:pw@push.example.org/x"), "endpoint"),
    (lambda s: s.update(endpoint="https://push.example.org/" + "x" * 1100), "endpoint"),
    (lambda s: s.update(expirationTime="tomorrow"), "expirationTime"),
    (lambda s: s.update(extra=1), "extra"),
])
def test_bad_subscriptions_are_422_and_store_nothing(app, client, make_resident, auth_headers, change, field):
    sub = _good()
    change(sub)
    res = client.post(URL, json=sub, headers=auth_headers(make_resident()))
    assert res.status_code == 422, res.json
    assert field in res.json["errors"]
    assert stored(app) == []


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:8080/p", "http://localhost/p", "http://[::1]:9/p"])
def test_http_is_allowed_to_loopback_in_development(app, client, make_resident, auth_headers, endpoint):
    res = client.post(URL, json=FakeDevice(endpoint).subscription(), headers=auth_headers(make_resident()))
    assert res.status_code == 201, res.json


@pytest.mark.parametrize("endpoint, ok", [
    ("https://fcm.googleapis.com/fcm/send/x", True),
    ("http://127.0.0.1:8080/p", False),
    ("https://127.0.0.1/p", False),
    ("https://10.0.0.5/p", False),
    ("https://localhost/p", False),
    ("https://metadata.internal/p", False),
])
def test_production_wants_https_to_a_public_push_service(app, make_resident, monkeypatch, endpoint, ok):
    from citizen_app.errors import ValidationFailed
    from citizen_app.identity.models import User
    from citizen_app.notifications.services import subscribe

    resident = make_resident()
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    with app.test_request_context():
        actor = db.session.get(User, resident.id)
        if ok:
            assert subscribe(actor, FakeDevice(endpoint).subscription()).id
        else:
            with pytest.raises(ValidationFailed):
                subscribe(actor, FakeDevice(endpoint).subscription())


def test_production_host_allow_list(app, make_resident, monkeypatch):
    from citizen_app.errors import ValidationFailed
    from citizen_app.identity.models import User
    from citizen_app.notifications.services import subscribe

    resident = make_resident()
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "PUSH_ENDPOINT_HOSTS", "googleapis.com,push.services.mozilla.com")
    with app.test_request_context():
        actor = db.session.get(User, resident.id)
        assert subscribe(actor, FakeDevice("https://fcm.googleapis.com/fcm/send/x").subscription()).id
        with pytest.raises(ValidationFailed):
            subscribe(actor, FakeDevice("https://evil.example.com/x").subscription())


def test_subscribing_needs_a_login(client):
    assert client.post(URL, json=_good()).status_code == 401
    assert client.delete(URL, json={"endpoint": "https://push.example.org/x"}).status_code == 401
