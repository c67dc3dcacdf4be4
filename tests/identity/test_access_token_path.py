"""auth_required checks a plain `Authorization: Bearer <jwt>` access token itself (permissions.verify_access_token)
and leaves the request as flask-jwt-extended would; every other header, and every token that fails a check, goes
to the library, which answers with its own error."""

from datetime import timedelta

import pytest
from flask import g
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    current_user,
    get_jwt,
    get_jwt_header,
    get_jwt_request_location,
    verify_jwt_in_request,
)

from citizen_app.identity import permissions
from tests.conftest import PASSWORD


@pytest.fixture
def library_calls(monkeypatch):
    calls = []
    real = permissions.verify_jwt_in_request

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(permissions, "verify_jwt_in_request", counted)
    return calls


def _state():
    return get_jwt(), get_jwt_header(), get_jwt_request_location(), current_user.id, current_user.role


def test_a_plain_bearer_token_leaves_the_request_as_the_library_does(app, make_resident, auth_headers, library_calls):
    resident = make_resident()
    headers = auth_headers(resident)
    with app.test_request_context("/api/v1/me", headers=headers):
        permissions.verify_access_token()
        ours = _state()
        assert library_calls == []  # checked without the library
        for name in ("_jwt_extended_jwt", "_jwt_extended_jwt_header", "_jwt_extended_jwt_user",
                     "_jwt_extended_jwt_location", "_token_holder"):
            g.pop(name)
        verify_jwt_in_request()
        assert _state() == ours
    assert ours[3] == resident.id and ours[2] == "headers" and ours[0]["type"] == "access"


def test_other_header_forms_go_to_the_library_and_are_answered_alike(client, make_resident, auth_headers,
                                                                     library_calls):
    token = auth_headers(make_resident())["Authorization"].removeprefix("Bearer ")
    for header in (f"Basic Zm9vOmJhcg==, Bearer {token}", f"Bearer {token},", f" Bearer {token}", f"Bearer  {token}"):
        assert client.get("/api/v1/me", headers={"Authorization": header}).status_code == 200
    for header in (f"bearer {token}", f"Bearer {token} extra", "Bearer", "", f"Bearer {token}, Bearer {token}"):
        res = client.get("/api/v1/me", headers={"Authorization": header})
        assert res.status_code == 401 and res.json["code"] == "unauthorized"
    assert len(library_calls) == 9


def _token(app, user, kind="access", **kwargs) -> str:
    with app.app_context():
        maker = create_refresh_token if kind == "refresh" else create_access_token
        return maker(identity=str(user.id), **kwargs)


def test_a_token_failing_any_check_goes_to_the_library(app, client, make_resident, library_calls):
    resident = make_resident()
    login = client.post("/api/v1/auth/login", json={"username": resident.phone, "password": PASSWORD}).json
    revoked = login["access_token"]
    assert client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {revoked}"}).status_code == 204
    library_calls.clear()
    cases = {
        "refresh": login["refresh_token"],
        "expired": _token(app, resident, expires_delta=timedelta(seconds=-5)),
        "revoked": revoked,
        "forged": _token(app, resident)[:-4] + "AAAA",
        "unknown user": _token(app, type("Nobody", (), {"id": 10**9})()),
    }
    for name, token in cases.items():
        res = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert res.status_code == 401 and res.json["code"] == "unauthorized", name
    assert len(library_calls) == len(cases)
