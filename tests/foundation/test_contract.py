import pytest
from sqlalchemy import func, select

from citizen_app.extensions import db
from citizen_app.identity.models import User


def assert_error_shape(res, status, code=None):
    assert res.status_code == status, res.get_data(as_text=True)
    assert res.is_json
    assert res.json["status"] == status and isinstance(res.json["message"], str) and res.json["message"]
    if code:
        assert res.json["code"] == code


def test_malformed_json_is_400(client):
    res = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert_error_shape(res, 400, "malformed_body")


def test_wrong_media_type_is_415(client):
    res = client.post("/api/v1/auth/login", data="username=a&password=b",
                      content_type="application/x-www-form-urlencoded")
    assert_error_shape(res, 415, "unsupported_media_type")


def test_oversized_body_is_413_and_writes_nothing(app, client):
    big = {"nik": "1" * 16, "full_name": "x" * (app.config["MAX_JSON_BYTES"] + 10)}
    res = client.post("/api/v1/auth/register", json=big)
    assert_error_shape(res, 413, "payload_too_large")
    huge = client.post("/api/v1/auth/login", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                       content_type="application/json")
    assert_error_shape(huge, 413)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_unknown_field_is_422(client):
    res = client.post("/api/v1/auth/login", json={"username": "a", "password": "b", "role": "city_admin"})
    assert_error_shape(res, 422, "validation_error")
    assert "role" in res.json["errors"]


def test_404_and_405_in_contract_shape(client):
    assert_error_shape(client.get("/api/v1/nothing-here"), 404, "not_found")
    res = client.delete("/api/v1/city")
    assert_error_shape(res, 405, "method_not_allowed")
    assert "GET" in res.headers["Allow"]


def test_messages_in_bahasa_by_default_and_english_on_request(client):
    res = client.post("/api/v1/auth/register", json={})
    assert res.json["message"] == "Beberapa isian tidak sah."
    assert res.json["errors"]["nik"] == ["Wajib diisi."]
    en = client.post("/api/v1/auth/register", json={}, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert en.json["message"] == "Some fields are invalid."
    assert en.json["errors"]["nik"] == ["Missing data for required field."]
    nik = client.post("/api/v1/auth/register", json={"nik": "123"}).json["errors"]["nik"]
    assert nik == ["NIK harus terdiri dari 16 angka."]


def test_unexpected_error_is_500_without_internals(app, client, monkeypatch):
    from citizen_app.regions import services

    def boom(_code):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(services, "region_counts", boom)
    res = client.get("/api/v1/city")
    assert_error_shape(res, 500, "internal_error")
    body = res.get_data(as_text=True)
    assert "hunter2" not in body and "Traceback" not in body
    assert res.headers["X-Request-ID"] in res.json["message"]


def test_openapi_document_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    doc = spec.json
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1/") or rule.rule == "/healthz") or rule.endpoint.startswith("api-docs"):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        path = path.replace("{int:", "{").replace("{string:", "{").replace("{path:", "{")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} missing from OpenAPI"
    assert "bearer" in doc["components"]["securitySchemes"]


def test_healthz_ok(client):
    res = client.get("/healthz")
    assert res.status_code == 200 and res.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_down(client, monkeypatch):
    from citizen_app.extensions import db as database

    def down(*_a, **_k):
        raise ConnectionError("database gone")

    monkeypatch.setattr(database.session, "execute", down)
    res = client.get("/healthz")
    assert res.status_code == 503 and res.json["database"] == "unreachable"


def test_city_profile_and_regions(client):
    city = client.get("/api/v1/city").json
    assert city["code"] == "kupang" and city["timezone"] == "Asia/Makassar"
    assert city["kecamatan_count"] == 6 and city["kelurahan_count"] == 51
    assert city["branding"]["letterhead"][0] == "PEMERINTAH KOTA KUPANG"
    kec = client.get("/api/v1/regions/kecamatan").json
    assert kec["total"] == 6 and {"code", "name"} <= set(kec["items"][0])
    kel = client.get("/api/v1/regions/kelurahan?kecamatan=53.71.05").json
    assert kel["total"] > 0 and all(k["kecamatan_code"] == "53.71.05" for k in kel["items"])
    found = client.get("/api/v1/regions/kelurahan?q=naik").json
    assert found["total"] >= 1 and all("naik" in k["name"].lower() for k in found["items"])
    assert client.get("/api/v1/regions/kelurahan?kecamatan=xx").status_code == 422


def test_security_headers_on_pwa_and_api(client):
    for path in ("/", "/api/v1/city"):
        res = client.get(path)
        csp = res.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert res.headers["X-Content-Type-Options"] == "nosniff"
        assert res.headers["X-Frame-Options"] == "DENY"
        assert res.headers["Referrer-Policy"] == "no-referrer"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/city", headers={"Origin": "https://evil.example"}).headers



def test_hsts_in_production_only_and_no_session_cookie(app, client, tmp_path, monkeypatch):
    from citizen_app import create_app

    assert "Strict-Transport-Security" not in client.get("/api/v1/city").headers
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("JWT_SECRET_KEY", "j" * 40)
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    production = create_app("production", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                            INSTANCE_PATH=str(tmp_path), KEYS_DIR=str(tmp_path / "keys"))
    for path in ("/", "/healthz"):
        res = production.test_client().get(path)
        assert res.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert res.headers["X-Frame-Options"] == "DENY" and "Set-Cookie" not in res.headers


def test_pwa_shell_is_served(client):
    res = client.get("/")
    assert res.status_code == 200 and b"<html" in res.data
    assert client.get("/v").status_code == 200
    assert client.get("/nope.js").status_code == 404


@pytest.mark.parametrize("env", ["production"])
def test_production_refuses_default_secrets(monkeypatch, env):
    from config import config_for

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config_for(env)
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("JWT_SECRET_KEY", "j" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert config_for(env).ENV_NAME == "production"


def test_database_url_gets_psycopg3_driver(monkeypatch):
    from config import _database_url

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/city")
    assert _database_url("sqlite://") == "postgresql+psycopg://u:p@db:5432/city"
