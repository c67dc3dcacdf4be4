"""What every response carries (citizen_app/http.py): request ids, no-store for API answers, CORS."""

import re

from sqlalchemy import select

from citizen_app.audit.models import AuditEntry
from citizen_app.extensions import db
from tests.conftest import HOME

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_a_request_id_is_echoed_or_made_and_reaches_the_audit_trail(app, client, make_resident, auth_headers):
    resident = make_resident()
    body = {"type_code": "domisili", "service_kelurahan_code": HOME, "purpose": "Melamar pekerjaan",
            "fields": {"rt": "001", "rw": "002"}}
    res = client.post("/api/v1/documents/requests", json=body,
                      headers=auth_headers(resident, **{"X-Request-ID": "gate-7-scan-42"}))
    assert res.status_code == 201 and res.headers["X-Request-ID"] == "gate-7-scan-42"
    with app.app_context():
        logged = db.session.scalars(select(AuditEntry.request_id).where(
            AuditEntry.action == "document_request.submit", AuditEntry.entity_id == str(res.json["id"]))).one()
    assert logged == "gate-7-scan-42"
    made = [client.get("/api/v1/city", headers=h).headers["X-Request-ID"]
            for h in ({}, {}, {"X-Request-ID": "x" * 65}, {"X-Request-ID": "bad\x01id"})]
    assert all(HEX32.fullmatch(i) for i in made) and len(set(made)) == 4


def test_api_answers_are_not_stored_unless_they_say_otherwise(client):
    city = client.get("/api/v1/city")
    assert city.headers.getlist("Cache-Control") == ["no-store"]
    trust = client.get("/api/v1/documents/trust-list")
    assert trust.headers.getlist("Cache-Control") == ["public, max-age=300"]
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")  # the PWA's own pages


def test_cors_opens_only_to_configured_origins_and_keeps_vary(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CORS_ORIGINS", ["https://pwa.kupangkota.go.id"])
    allowed = client.get("/api/v1/city", headers={"Origin": "https://pwa.kupangkota.go.id"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://pwa.kupangkota.go.id"
    assert allowed.headers["Vary"] == "Origin" and "Idempotency-Key" in allowed.headers["Access-Control-Allow-Headers"]
    zipped = client.get("/api/v1/permits/catalog", headers={"Origin": "https://pwa.kupangkota.go.id",
                                                             "Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers.getlist("Vary") == ["Accept-Encoding, Origin"]  # a cache must tell both apart
    other = client.get("/api/v1/city", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers and "Vary" not in other.headers
