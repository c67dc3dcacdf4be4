"""Permit admins create, edit, retire and restore permits; every change is a version with who, when and what."""

import json

import pytest
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.permits.models import Permit, PermitVersion

NEW = {
    "slug": "izin-pangkalan-ojek",
    "name": "Izin Pangkalan Ojek",
    "aliases": ["izin ojek", "pangkalan ojek", "izin ojek"],
    "sector": "Perhubungan",
    "authority": "Dinas Perhubungan",
    "channel": "Loket DPMPTSP",
    "requirements": [{"text": "Fotokopi KTP", "mandatory": True}, {"text": "  Surat   keterangan RT  "}],
    "procedure": ["Ajukan permohonan", "Verifikasi", "Izin terbit"],
    "sla_working_days": 5,
    "fee": {"amount": 25000, "note": "Retribusi"},
    "output": "Surat Izin Pangkalan",
    "validity": "1 tahun",
    "legal_basis": ["Perda Kota Kupang"],
}


@pytest.fixture
def admin(make_user, auth_headers):
    user = make_user("permit_admin", full_name="Maria Admin")
    return user, auth_headers(user)


def versions_of(app, slug):
    with app.app_context():
        permit = db.session.scalar(select(Permit).where(Permit.slug == slug))
        return db.session.scalars(select(PermitVersion).where(PermitVersion.permit_id == permit.id)
                                  .order_by(PermitVersion.version)).all()


def test_admin_creates_a_permit_that_search_and_catalog_find_at_once(client, admin):
    _, headers = admin
    before = client.get("/api/v1/permits/catalog").headers["ETag"]
    res = client.post("/api/v1/permits", json=NEW, headers=headers)
    assert res.status_code == 201, res.json
    body = res.json
    assert body["aliases"] == ["izin ojek", "pangkalan ojek"]  # the repeat is dropped
    assert body["requirements"][1] == {"text": "Surat keterangan RT", "mandatory": True}
    assert body["fee"] == {"amount": 25000, "note": "Retribusi", "kind": "fixed"} and body["version"] == 1
    top = client.get("/api/v1/permits?q=izin%20ojek").json["items"][0]
    assert top["slug"] == "izin-pangkalan-ojek" and top["matched"] == "izin ojek"
    catalog = client.get("/api/v1/permits/catalog", headers={"If-None-Match": before})
    assert catalog.status_code == 200 and catalog.headers["ETag"] != before
    assert json.loads(catalog.data)["count"] == 17


def test_duplicate_slug_is_409_and_writes_nothing(app, client, admin):
    _, headers = admin
    res = client.post("/api/v1/permits", json={**NEW, "slug": "pbg"}, headers=headers)
    assert res.status_code == 409 and res.json["message"] == "Izin dengan slug ini sudah ada."
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Permit)) == 16


@pytest.mark.parametrize(("change", "field"), [
    ({"slug": "Bad Slug"}, "slug"),
    ({"slug": "a--b"}, "slug"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"sector": None}, "sector"),
    ({"fee": {"amount": -1}}, "fee"),
    ({"fee": {"amount": 2.5}}, "fee"),
    ({"sla_working_days": "5"}, "sla_working_days"),
    ({"requirements": [{"text": "x", "mandatory": "maybe"}]}, "requirements"),
    ({"aliases": ["x" * 201]}, "aliases"),
    ({"authority": "Dinas\u0000"}, "authority"),
    ({"requirements": [{"text": "KTP\u001a"}]}, "requirements"),
    ({"aliases": ["ok", "\ud800"]}, "aliases"),
    ({"fee": {"amount": 1, "note": "\u0000"}}, "fee"),
    ({"color": "red"}, "color"),
])
def test_invalid_permits_are_422(client, admin, change, field):
    _, headers = admin
    res = client.post("/api/v1/permits", json={**NEW, **change}, headers=headers)
    assert res.status_code == 422, res.json
    assert field in res.json["errors"]


def test_missing_required_fields_are_422(client, admin):
    res = client.post("/api/v1/permits", json={"slug": "x-y"}, headers=admin[1])
    assert res.status_code == 422 and {"name", "sector"} <= set(res.json["errors"])


@pytest.mark.parametrize("role", ["resident", "clerk", "lurah", "dispatcher", "medic"])
def test_other_roles_cannot_write(client, make_user, auth_headers, role):
    headers = auth_headers(make_user(role))
    assert client.post("/api/v1/permits", json=NEW, headers=headers).status_code == 403
    assert client.put("/api/v1/permits/pbg", json={"name": "X"}, headers=headers).status_code == 403
    assert client.delete("/api/v1/permits/pbg", headers=headers).status_code == 403
    assert client.get("/api/v1/permits/pbg/history", headers=headers).status_code == 403
    assert client.get("/api/v1/permits/pbg").json["name"] == "Persetujuan Bangunan Gedung (PBG)"


def test_anonymous_writes_are_401(client):
    assert client.post("/api/v1/permits", json=NEW).status_code == 401
    assert client.put("/api/v1/permits/pbg", json={"name": "X"}).status_code == 401
    assert client.delete("/api/v1/permits/pbg").status_code == 401


def test_city_admin_may_edit_too(client, make_user, auth_headers):
    headers = auth_headers(make_user("city_admin"))
    assert client.put("/api/v1/permits/slf", json={"sla_working_days": 3}, headers=headers).status_code == 200


def test_edit_keeps_a_version_with_who_when_and_what(app, client, admin):
    user, headers = admin
    res = client.put("/api/v1/permits/pbg", headers=headers, json={
        "sla_working_days": 14, "fee": {"amount": None, "note": "Retribusi menurut Perda 1/2024"},
        "aliases": ["izin bangun rumah", "izin renovasi"],
    })
    assert res.status_code == 200, res.json
    assert res.json["sla_working_days"] == 14 and res.json["version"] == 2
    assert res.json["name"] == "Persetujuan Bangunan Gedung (PBG)"  # fields left out stay
    history = client.get("/api/v1/permits/pbg/history", headers=headers).json
    assert history["total"] == 2
    latest, first = history["items"]
    assert latest["version"] == 2 and latest["action"] == "updated" and latest["source"] == "admin"
    assert latest["actor"] == {"id": user.id, "full_name": "Maria Admin", "role": "permit_admin"}
    assert latest["changes"]["sla_working_days"] == {"from": 28, "to": 14}
    assert latest["changes"]["fee_note"]["to"] == "Retribusi menurut Perda 1/2024"
    assert "fee_amount" not in latest["changes"] and "name" not in latest["changes"]
    assert latest["changed_at"].endswith("+00:00")
    assert first["action"] == "created" and first["source"] == "pack" and first["actor"] is None
    assert client.get("/api/v1/permits/pbg").json["sla_working_days"] == 14
    assert client.get("/api/v1/permits?q=izin%20renovasi").json["items"][0]["slug"] == "pbg"


def test_saving_nothing_new_makes_no_version(app, client, admin):
    _, headers = admin
    res = client.put("/api/v1/permits/slf", json={"sla_working_days": client.get("/api/v1/permits/slf")
                                                  .json["sla_working_days"]}, headers=headers)
    assert res.status_code == 200 and res.json["version"] == 1
    assert len(versions_of(app, "slf")) == 1


def test_stale_expected_version_is_409(client, admin):
    _, headers = admin
    assert client.put("/api/v1/permits/slf", json={"validity": "5 tahun", "expected_version": 1},
                      headers=headers).status_code == 200
    res = client.put("/api/v1/permits/slf", json={"validity": "10 tahun", "expected_version": 1}, headers=headers)
    assert res.status_code == 409
    assert client.get("/api/v1/permits/slf").json["validity"] == "5 tahun"


def test_put_and_delete_unknown_slug_are_404(client, admin):
    _, headers = admin
    assert client.put("/api/v1/permits/nope", json={"name": "X"}, headers=headers).status_code == 404
    assert client.delete("/api/v1/permits/nope", headers=headers).status_code == 404
    assert client.get("/api/v1/permits/nope/history", headers=headers).status_code == 404
    assert client.put("/api/v1/permits/pbg", json={"slug": "other"}, headers=headers).status_code == 422


def test_retire_hides_the_permit_but_keeps_its_history(app, client, admin):
    _, headers = admin
    etag = client.get("/api/v1/permits/catalog").headers["ETag"]
    assert client.delete("/api/v1/permits/izin-optikal", headers=headers).status_code == 204
    assert all(i["slug"] != "izin-optikal" for i in client.get("/api/v1/permits?q=optik").json["items"])
    assert client.get("/api/v1/permits?per_page=100").json["total"] == 15
    catalog = client.get("/api/v1/permits/catalog", headers={"If-None-Match": etag})
    assert catalog.status_code == 200 and "izin-optikal" not in {i["slug"] for i in json.loads(catalog.data)["items"]}
    assert client.get("/api/v1/permits/izin-optikal").status_code == 404
    assert client.get("/api/v1/permits/izin-optikal", headers=headers).json["status"] == "retired"
    history = client.get("/api/v1/permits/izin-optikal/history", headers=headers).json["items"]
    assert history[0]["action"] == "retired" and history[0]["changes"] == {"status": {"from": "active",
                                                                                       "to": "retired"}}
    assert client.delete("/api/v1/permits/izin-optikal", headers=headers).status_code == 409
    assert client.put("/api/v1/permits/izin-optikal", json={"name": "X"}, headers=headers).status_code == 409
    # its slug stays taken
    assert client.post("/api/v1/permits", json={**NEW, "slug": "izin-optikal"}, headers=headers).status_code == 409
    restored = client.post("/api/v1/permits/izin-optikal/restore", headers=headers)
    assert restored.status_code == 200 and restored.json["status"] == "active" and restored.json["version"] == 3
    assert client.get("/api/v1/permits?q=optik").json["items"][0]["slug"] == "izin-optikal"
    assert client.post("/api/v1/permits/izin-optikal/restore", headers=headers).status_code == 409
    assert [v.action for v in versions_of(app, "izin-optikal")] == ["created", "retired", "restored"]


def test_every_change_is_audited(app, client, admin):
    from citizen_app.audit.models import AuditEntry

    user, headers = admin
    client.post("/api/v1/permits", json=NEW, headers=headers)
    client.put("/api/v1/permits/izin-pangkalan-ojek", json={"validity": "2 tahun"}, headers=headers)
    client.delete("/api/v1/permits/izin-pangkalan-ojek", headers=headers)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == user.id)
                                     .order_by(AuditEntry.id)).all()
    assert actions == ["permit.created", "permit.updated", "permit.retired"]


def test_history_pages(client, admin):
    _, headers = admin
    for days in range(1, 5):
        client.put("/api/v1/permits/slf", json={"sla_working_days": days}, headers=headers)
    page = client.get("/api/v1/permits/slf/history?per_page=2&page=2", headers=headers).json
    assert page["total"] == 5 and [v["version"] for v in page["items"]] == [3, 2]


def test_another_worker_sees_a_change_on_its_next_request(app, client, admin):
    """A second app on the same database stands for another gunicorn worker with its own in-memory index."""
    from citizen_app import create_app

    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                       INSTANCE_PATH=app.config["INSTANCE_PATH"], KEYS_DIR=app.config["KEYS_DIR"],
                       UPLOADS_DIR=app.config["UPLOADS_DIR"])
    worker = other.test_client()
    try:
        assert worker.get("/api/v1/permits?q=izin%20ojek").json["total"] == 0  # warms its cache
        etag = worker.get("/api/v1/permits/catalog").headers["ETag"]
        assert client.post("/api/v1/permits", json=NEW, headers=admin[1]).status_code == 201
        assert worker.get("/api/v1/permits?q=izin%20ojek").json["items"][0]["slug"] == "izin-pangkalan-ojek"
        assert worker.get("/api/v1/permits/catalog", headers={"If-None-Match": etag}).status_code == 200
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()



def test_with_a_recheck_interval_the_changing_worker_sees_its_change_at_once_and_others_after_it(
        app, client, admin, monkeypatch):
    from citizen_app import create_app
    from citizen_app.permits import catalog, services

    clock = [1000.0]
    monkeypatch.setattr(catalog.time, "monotonic", lambda: clock[0])
    monkeypatch.setitem(app.config, "PERMIT_CATALOG_RECHECK_SECONDS", 2)
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                       INSTANCE_PATH=app.config["INSTANCE_PATH"], KEYS_DIR=app.config["KEYS_DIR"],
                       UPLOADS_DIR=app.config["UPLOADS_DIR"], PERMIT_CATALOG_RECHECK_SECONDS=2)
    worker = other.test_client()
    searches = []
    real_search = services.search_permits
    monkeypatch.setattr(services, "search_permits", lambda *a, **k: searches.append(a) or real_search(*a, **k))
    try:
        for c in (client, worker):
            assert c.get("/api/v1/permits?q=izin%20ojek").json["total"] == 0
        assert len(searches) == 2
        # The same question again is answered from the worker's cache: no search is run.
        assert worker.get("/api/v1/permits?q=izin%20ojek").json["total"] == 0 and len(searches) == 2
        assert client.post("/api/v1/permits", json=NEW, headers=admin[1]).status_code == 201
        assert client.get("/api/v1/permits?q=izin%20ojek").json["items"][0]["slug"] == "izin-pangkalan-ojek"
        assert worker.get("/api/v1/permits?q=izin%20ojek").json["total"] == 0  # within its interval
        clock[0] += 2.5
        assert worker.get("/api/v1/permits?q=izin%20ojek").json["items"][0]["slug"] == "izin-pangkalan-ojek"
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_cached_answers_are_per_page_and_sector_and_equal_a_fresh_search(app, client):
    from citizen_app.permits import catalog

    first = client.get("/api/v1/permits?q=izin&per_page=2").json
    again = client.get("/api/v1/permits?q=izin&per_page=2")
    assert again.json == first and again.headers["Content-Type"] == "application/json"
    assert client.get("/api/v1/permits?q=izin&per_page=2&page=2").json["items"] != first["items"]
    sector = first["items"][0]["sector"]
    in_sector = client.get("/api/v1/permits", query_string={"q": "izin", "sector": sector}).json
    assert {i["sector"] for i in in_sector["items"]} == {sector}
    with app.app_context():
        app.extensions["permit_catalog"].clear()  # a fresh copy, as a new worker would build
    assert client.get("/api/v1/permits?q=izin&per_page=2").json == first
    with app.app_context():
        snap = catalog.snapshot()
        for n in range(catalog.ANSWERS_KEPT + 5):
            snap.answers.put(("q", None, n, 20), b"{}")
        assert len(snap.answers) == catalog.ANSWERS_KEPT and ("q", None, 0, 20) not in snap.answers
        assert ("q", None, 5, 20) in snap.answers


def test_concurrent_edits_never_share_a_version_number(app, admin):
    import threading

    _, headers = admin
    results, barrier = [], threading.Barrier(4)

    def edit(days):
        with app.app_context():
            barrier.wait()
            res = app.test_client().put("/api/v1/permits/pbg", json={"sla_working_days": days}, headers=headers)
            results.append(res.status_code)

    threads = [threading.Thread(target=edit, args=(d,)) for d in (10, 11, 12, 13)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) <= {200, 409} and 200 in results, results
    versions = [v.version for v in versions_of(app, "pbg")]
    assert versions == list(range(1, 2 + results.count(200)))
    with app.app_context():
        assert db.session.scalar(select(Permit.version).where(Permit.slug == "pbg")) == versions[-1]
