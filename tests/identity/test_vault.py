"""NIK at rest: encrypted for the owner's eyes, opened only with its own key."""

import pytest
from cryptography.fernet import InvalidToken
from flask import Flask

from citizen_app.identity import vault


def _app(secret: str) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret, NIK_KEY="")
    return app


def test_round_trip_and_the_token_is_not_the_nik():
    with _app("a" * 40).app_context():
        token = vault.encrypt_nik("5371051403850001")
        assert "5371051403850001" not in token
        assert vault.decrypt_nik(token) == "5371051403850001"
        assert vault.decrypt_nik(token) == "5371051403850001"  # the remembered answer is the same


def test_a_token_opens_only_with_its_own_key_even_once_remembered():
    with _app("a" * 40).app_context():
        token = vault.encrypt_nik("5371051403850001")
        assert vault.decrypt_nik(token) == "5371051403850001"
    with _app("b" * 40).app_context(), pytest.raises(InvalidToken):
        vault.decrypt_nik(token)


def test_a_forged_token_is_refused_every_time():
    with _app("a" * 40).app_context():
        token = vault.encrypt_nik("5371051403850001")
        forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
        for _ in range(2):
            with pytest.raises(InvalidToken):
                vault.decrypt_nik(forged)
