import pytest
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.notifications.models import Broadcast, Notification, OutboxMessage
from tests.conftest import HOME, OTHER
from tests.notifications.pushkit import run_worker

URL = "/api/v1/broadcasts"
SAME_KECAMATAN = "53.71.05.1001"  # another kelurahan in HOME's kecamatan (53.71.05)


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def inbox_ids(client, auth_headers, user):
    return [n["title"] for n in client.get("/api/v1/notifications", headers=auth_headers(user)).json["items"]]


def test_only_city_admins_broadcast(client, make_user, auth_headers):
    body = {"title": "Pemadaman air", "body": "Besok pukul 08.00-12.00."}
    for role in ("resident", "clerk", "lurah", "dispatcher"):
        res = client.post(URL, json=body, headers=auth_headers(make_user(role)))
        assert res.status_code == 403, role
    assert client.post(URL, json=body).status_code == 401
    assert client.get(URL, headers=auth_headers(make_user("clerk"))).status_code == 403


def test_whole_city_reaches_every_resident_and_no_staff(app, client, make_user, make_resident, auth_headers):
    admin, clerk = make_user("city_admin"), make_user("clerk")
    residents = [make_resident(kelurahan_code=code) for code in (HOME, OTHER, SAME_KECAMATAN)]
    res = client.post(URL, json={"title": "Vaksinasi gratis", "body": "Di puskesmas terdekat, Sabtu ini."},
                      headers=auth_headers(admin))
    assert res.status_code == 201, res.json
    assert res.json["targeted"] == 3 and res.json["pending"] == 3 and res.json["delivered"] == 0
    assert res.json["url"] == "/#/notifications"
    for resident in residents:
        assert inbox_ids(client, auth_headers, resident) == ["Vaksinasi gratis"]
    assert inbox_ids(client, auth_headers, clerk) == []
    assert count(app, OutboxMessage) == 3


def test_targets_kelurahan_and_kecamatan(app, client, make_user, make_resident, auth_headers):
    admin = make_user("city_admin")
    home, other, neighbour = (make_resident(kelurahan_code=c) for c in (HOME, OTHER, SAME_KECAMATAN))
    by_kelurahan = client.post(URL, headers=auth_headers(admin),
                               json={"title": "K1", "body": "b", "kelurahan_codes": [OTHER]}).json
    by_kecamatan = client.post(URL, headers=auth_headers(admin),
                               json={"title": "K2", "body": "b", "kecamatan_codes": ["53.71.05"]}).json
    both = client.post(URL, headers=auth_headers(admin),
                       json={"title": "K3", "body": "b", "kecamatan_codes": ["53.71.05"], "kelurahan_codes": [OTHER]})
    assert (by_kelurahan["targeted"], by_kecamatan["targeted"], both.json["targeted"]) == (1, 2, 3)
    assert inbox_ids(client, auth_headers, other) == ["K3", "K1"]
    assert inbox_ids(client, auth_headers, home) == ["K3", "K2"]
    assert inbox_ids(client, auth_headers, neighbour) == ["K3", "K2"]


@pytest.mark.parametrize("body, field", [
    ({"kelurahan_codes": ["53.71.99.9999"]}, "kelurahan_codes"),
    ({"kelurahan_codes": ["82.71.01.1001"]}, "kelurahan_codes"),  # Ternate's, not this city's
    ({"kecamatan_codes": ["53.71.99"]}, "kecamatan_codes"),
    ({"kecamatan_codes": []}, "kecamatan_codes"),
    ({"title": ""}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"body": None}, "body"),
    ({"url": "https://evil.example.com"}, "url"),
    ({"url": "//evil.example.com"}, "url"),
    ({"audience": "all"}, "audience"),
])
def test_bad_broadcasts_are_422_and_send_nothing(app, client, make_user, make_resident, auth_headers, body, field):
    make_resident()
    res = client.post(URL, json={"title": "t", "body": "b", **body}, headers=auth_headers(make_user("city_admin")))
    assert res.status_code == 422, res.json
    assert field in res.json["errors"]
    assert (count(app, Broadcast), count(app, Notification)) == (0, 0)


def test_unknown_codes_are_named(client, make_user, auth_headers):
    res = client.post(URL, json={"title": "t", "body": "b", "kelurahan_codes": [HOME, "53.71.99.9999"]},
                      headers=auth_headers(make_user("city_admin"), **{"Accept-Language": "en"}))
    assert res.json["errors"]["kelurahan_codes"] == ["Unknown kelurahan in this city: 53.71.99.9999."]


def test_a_repeated_idempotency_key_broadcasts_once(app, client, make_user, make_resident, auth_headers):
    admin = make_user("city_admin")
    make_resident()
    headers = auth_headers(admin, **{"Idempotency-Key": "siaran-1"})
    first = client.post(URL, json={"title": "t", "body": "b"}, headers=headers)
    again = client.post(URL, json={"title": "t", "body": "b"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert (count(app, Broadcast), count(app, Notification)) == (1, 1)


def test_counts_follow_the_deliveries(app, client, make_user, make_resident, auth_headers, receiver, subscribe,
                                      monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_MAX_ATTEMPTS", 1)
    admin = make_user("city_admin")
    happy, moved, broken, offline, muted = (make_resident() for _ in range(5))
    subscribe(happy, "happy")
    subscribe(happy, "happy-tablet")
    subscribe(moved, "moved")
    subscribe(broken, "broken")
    subscribe(muted, "muted")
    client.put("/api/v1/notifications/preferences", headers=auth_headers(muted), json={"muted_topics": ["broadcast"]})
    receiver.answer("moved", 410)
    receiver.answer("broken", 500)
    created = client.post(URL, json={"title": "Banjir", "body": "Hindari Jl. Timor Raya."},
                          headers=auth_headers(admin)).json
    run_worker(app)
    detail = client.get(f"{URL}/{created['id']}", headers=auth_headers(admin))
    assert detail.status_code == 200
    counts = {k: detail.json[k] for k in ("targeted", "sent", "delivered", "failed", "pruned", "pending", "skipped")}
    assert counts == {"targeted": 5, "sent": 4, "delivered": 2, "failed": 1, "pruned": 1, "pending": 0, "skipped": 2}
    listed = client.get(URL, headers=auth_headers(admin)).json
    assert listed["total"] == 1 and listed["items"][0]["delivered"] == 2
    assert client.get(f"{URL}/999999", headers=auth_headers(admin)).status_code == 404


def test_broadcast_list_pages(client, make_user, auth_headers):
    admin = make_user("city_admin")
    for i in range(3):
        client.post(URL, json={"title": f"s{i}", "body": "b"}, headers=auth_headers(admin))
    page = client.get(f"{URL}?per_page=2&page=2", headers=auth_headers(admin))
    assert page.status_code == 200, page.json
    assert [b["title"] for b in page.json["items"]] == ["s0"] and page.json["total"] == 3
