import pytest
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.identity.models import User
from tests.conftest import HOME, PASSWORD

REGISTRATION = {
    "nik": "5371054608920003",  # woman born 6 Aug 1992
    "full_name": "Yohana Lakapu",
    "birth_date": "1992-08-06",
    "gender": "female",
    "phone": "0813 3900 1234",
    "password": "kata-sandi-aman",
    "kelurahan_code": HOME,
    "address": "Jl. Frans Seda 5",
}


def register(client, **overrides):
    return client.post("/api/v1/auth/register", json={**REGISTRATION, **overrides})


def user_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_register_then_login_by_nik_phone_and_see_me(client):
    res = register(client)
    assert res.status_code == 201, res.json
    body = res.json
    assert body["role"] == "resident" and body["nik_masked"] == "5371**********03"
    assert body["phone"] == "+6281339001234" and body["kelurahan_code"] == HOME
    assert "password" not in body and "password_hash" not in body

    for username in ("5371054608920003", "081339001234", "+62 813-3900-1234"):
        login = client.post("/api/v1/auth/login", json={"username": username, "password": "kata-sandi-aman"})
        assert login.status_code == 200, (username, login.json)
    tokens = login.json
    assert tokens["user"]["nik_masked"] == "5371**********03"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200
    assert me.json["nik"] == "5371054608920003"  # the owner sees the whole NIK
    assert me.json["full_name"] == "Yohana Lakapu"


def test_nik_is_not_stored_in_clear(app, client):
    register(client)
    with app.app_context():
        user = db.session.scalar(select(User))
        row = db.session.execute(select(User.__table__)).mappings().one()
    assert "5371054608920003" not in {str(v) for v in row.values()}
    assert user.nik_masked == "5371**********03"


def test_staff_never_see_a_full_nik(client, make_resident, make_user, auth_headers):
    resident = make_resident()
    admin = make_user("city_admin")
    listed = client.get("/api/v1/admin/users?role=resident", headers=auth_headers(admin)).json
    assert listed["total"] == 1
    assert "nik" not in listed["items"][0]
    assert resident.nik_plain not in str(listed)


@pytest.mark.parametrize("field, value", [
    ("nik", "12345"),
    ("nik", "5371054608920000"),
    ("nik", "5371051408920003"),  # male encoding for a woman
    ("nik", "5371054608930003"),  # other year
    ("nik", "0071054608920003"),  # no province 00
    ("phone", "12345"),
    ("kelurahan_code", "53.71.99.9999"),
    ("gender", "other"),
    ("birth_date", "06-08-1992"),
    ("password", "short"),
])
def test_invalid_sign_up_names_the_field_and_writes_nothing(app, client, field, value):
    res = register(client, **{field: value})
    assert res.status_code == 422, res.json
    assert res.json["code"] == "validation_error" and res.json["status"] == 422
    assert field in res.json["errors"]
    assert user_count(app) == 0


def test_missing_fields_are_each_named(client):
    res = client.post("/api/v1/auth/register", json={})
    assert res.status_code == 422
    assert {"nik", "full_name", "birth_date", "gender", "phone", "password", "kelurahan_code", "address"} <= set(
        res.json["errors"]
    )


def test_unknown_kabupaten_is_accepted_and_flagged(client):
    res = register(client, nik="5399054608920003")
    assert res.status_code == 201
    assert res.json["nik_flags"] == ["unknown_kabupaten_kota"]


def test_duplicate_nik_and_phone_are_409(app, client):
    assert register(client).status_code == 201
    dup_nik = register(client, phone="081200000001")
    assert dup_nik.status_code == 409 and dup_nik.json["code"] == "conflict"
    dup_phone = register(client, nik="5371054608920004")
    assert dup_phone.status_code == 409
    assert user_count(app) == 1


def test_wrong_password_and_unknown_user_get_the_same_401(client, make_resident):
    resident = make_resident()
    wrong = client.post("/api/v1/auth/login", json={"username": resident.nik_plain, "password": "nope-nope"})
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["message"] == unknown.json["message"]


def test_staff_login_by_username(client, make_user):
    clerk = make_user("clerk")
    res = client.post("/api/v1/auth/login", json={"username": clerk.username.upper(), "password": PASSWORD})
    assert res.status_code == 200
    assert res.json["user"]["role"] == "clerk" and res.json["user"]["kelurahan_code"] == HOME


def login(client, user):
    res = client.post("/api/v1/auth/login", json={"username": user.username or user.phone, "password": PASSWORD})
    assert res.status_code == 200, res.json
    return res.json


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_refresh_rotates_and_old_refresh_token_is_spent(client, make_resident):
    tokens = login(client, make_resident())
    first = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert first.status_code == 200
    assert first.json["refresh_token"] != tokens["refresh_token"]
    assert client.get("/api/v1/me", headers=bearer(first.json["access_token"])).status_code == 200
    again = client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"]))
    assert again.status_code == 401 and again.json["code"] == "unauthorized"


def test_access_token_cannot_refresh_and_refresh_token_cannot_call_api(client, make_resident):
    tokens = login(client, make_resident())
    assert client.post("/api/v1/auth/refresh", headers=bearer(tokens["access_token"])).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(tokens["refresh_token"])).status_code == 401


def test_logout_revokes_access_and_refresh(client, make_resident):
    tokens = login(client, make_resident())
    res = client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"]))
    assert res.status_code == 204
    gone = client.get("/api/v1/me", headers=bearer(tokens["access_token"]))
    assert gone.status_code == 401 and gone.json["code"] == "unauthorized"
    assert client.post("/api/v1/auth/refresh", headers=bearer(tokens["refresh_token"])).status_code == 401



def test_a_token_that_worked_is_refused_once_it_expires(app, client, make_resident):
    """Verified tokens are remembered per process; their expiry is still checked on every request."""
    import time
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    user = make_resident()
    with app.app_context():
        token = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    time.sleep(2.1)
    res = client.get("/api/v1/me", headers=bearer(token))
    assert res.status_code == 401 and "berakhir" in res.json["message"]  # "your session has expired"


def test_a_remembered_token_is_not_accepted_under_another_signing_key(app, client, make_resident, monkeypatch):
    tokens = login(client, make_resident())
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 200
    monkeypatch.setitem(app.config, "JWT_SECRET_KEY", "another-secret-0123456789abcdef0123456789")
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401


def test_missing_and_garbage_tokens_are_401_in_contract_shape(client):
    for headers in ({}, bearer("garbage"), {"Authorization": "Basic abc"}):
        res = client.get("/api/v1/me", headers=headers)
        assert res.status_code == 401
        assert set(res.json) >= {"code", "status", "message"}
        assert "msg" not in res.json


def test_profile_update(client, make_resident, auth_headers):
    resident = make_resident()
    res = client.patch("/api/v1/me", json={"religion": "Katolik", "occupation": "Guru", "rt": "004"},
                       headers=auth_headers(resident))
    assert res.status_code == 200
    assert (res.json["religion"], res.json["occupation"], res.json["rt"]) == ("Katolik", "Guru", "004")
    bad = client.patch("/api/v1/me", json={"rt": "abcd"}, headers=auth_headers(resident))
    assert bad.status_code == 422 and "rt" in bad.json["errors"]


def test_city_admin_creates_staff_others_cannot(client, make_user, make_resident, auth_headers):
    admin = make_user("city_admin")
    payload = {"username": "clerk_oebobo", "password": "kata-sandi-aman", "role": "clerk", "kelurahan_code": HOME}
    res = client.post("/api/v1/admin/users", json=payload, headers=auth_headers(admin))
    assert res.status_code == 201 and res.json["role"] == "clerk"
    assert client.post("/api/v1/admin/users", json=payload, headers=auth_headers(admin)).status_code == 409
    for user in (make_resident(), make_user("clerk")):
        denied = client.post("/api/v1/admin/users", json={**payload, "username": "x_y_z"}, headers=auth_headers(user))
        assert denied.status_code == 403 and denied.json["code"] == "forbidden"
    no_kel = client.post("/api/v1/admin/users", json={**payload, "username": "lurah9", "role": "lurah",
                                                       "kelurahan_code": None}, headers=auth_headers(admin))
    assert no_kel.status_code == 422


def test_users_create_cli(app, runner):
    res = runner.invoke(args=["users", "create", "--username", "lurah_x", "--password", "kata-sandi-aman",
                              "--role", "lurah", "--kelurahan", HOME, "--full-name", "Lurah X"])
    assert res.exit_code == 0, res.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "lurah_x"))
        assert user.role == "lurah" and user.kelurahan_code == HOME
    bad = runner.invoke(args=["users", "create", "--username", "c2", "--password", "kata-sandi-aman",
                              "--role", "clerk"])
    assert bad.exit_code != 0 and "kelurahan" in bad.output


def test_query_string_paging_and_bad_values(client, make_user, make_resident, auth_headers):
    admin = make_user("city_admin")
    for _ in range(3):
        make_resident()
    page = client.get("/api/v1/admin/users?role=resident&page=2&per_page=2", headers=auth_headers(admin))
    assert page.status_code == 200, page.json
    assert (page.json["page"], page.json["per_page"], page.json["total"], len(page.json["items"])) == (2, 2, 3, 1)
    for bad in ("page=2.5", "page=0", "per_page=101", "page=abc"):
        res = client.get(f"/api/v1/admin/users?{bad}", headers=auth_headers(admin))
        assert res.status_code == 422, bad
    assert client.get("/api/v1/regions/kelurahan?page=2&per_page=10").json["page"] == 2
