"""The signed-in user as requests see them: an Actor read with the token's revocation in one prepared query."""

import pytest
from flask_jwt_extended import view_decorators
from sqlalchemy import update

from citizen_app.extensions import db
from citizen_app.identity.actor import Actor, token_holder
from citizen_app.identity.models import RevokedToken, User
from tests.conftest import HOME


def test_token_holder_reads_the_actor_and_the_revocation(app, make_user):
    clerk = make_user("clerk", nip="198001012005011001", title="Kepala Seksi")
    with app.app_context():
        actor, revoked = token_holder(clerk.id, "some-jti")
        assert isinstance(actor, Actor) and revoked is False
        assert (actor.id, actor.role, actor.kelurahan_code, actor.is_active) == (clerk.id, "clerk", HOME, True)
        assert (actor.full_name, actor.title, actor.nip) == (clerk.full_name, "Kepala Seksi", "198001012005011001")
        db.session.add(RevokedToken(jti="some-jti", user_id=clerk.id, expires_at=clerk.created_at))
        db.session.flush()
        assert token_holder(clerk.id, "some-jti")[1] is True
        assert token_holder(clerk.id + 10_000, "some-jti") == (None, False)
        db.session.rollback()


def test_other_attributes_come_from_the_user_record_and_the_actor_is_read_only(app, make_resident):
    resident = make_resident(birth_place="Kupang")
    with app.app_context():
        actor, _ = token_holder(resident.id, "jti")
        assert "_record" not in dir(actor) or actor._record is None
        assert actor.birth_place == "Kupang" and actor.nik_masked == resident.nik_masked  # loaded on first use
        assert isinstance(actor.record, User) and actor.record.id == resident.id
        with pytest.raises(AttributeError):
            actor.role = "city_admin"
        with pytest.raises(AttributeError):
            actor.no_such_attribute  # noqa: B018


def test_a_deactivated_user_is_refused_on_the_next_request(client, make_resident, auth_headers, app):
    resident = make_resident()
    headers = auth_headers(resident)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.id == resident.id).values(is_active=False))
        db.session.commit()
    res = client.get("/api/v1/me", headers=headers)
    assert res.status_code == 401 and res.json["code"] == "unauthorized"


def test_a_token_header_is_parsed_once_per_process(client, make_resident, auth_headers, monkeypatch):
    import jwt

    headers = auth_headers(make_resident())
    parsed = []
    real = jwt.get_unverified_header
    monkeypatch.setattr(jwt, "get_unverified_header", lambda token: parsed.append(token) or real(token))
    assert view_decorators.get_unverified_jwt_headers.remembered
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    first = len(parsed)
    assert first >= 1  # a new token: read (to verify it and for its header) on its first request
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(parsed) == first
