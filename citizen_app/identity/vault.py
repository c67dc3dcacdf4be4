"""NIK at rest: encrypted (Fernet) for the owner's eyes, plus a keyed hash for lookups and uniqueness."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_cache: dict[str, tuple[Fernet, bytes]] = {}


def _keys() -> tuple[Fernet, bytes]:
    secret = current_app.config.get("NIK_KEY") or current_app.config["SECRET_KEY"]
    if secret not in _cache:
        material = HKDF(algorithm=hashes.SHA256(), length=64, salt=b"citizen-app-nik", info=b"nik").derive(
            secret.encode()
        )
        _cache[secret] = (Fernet(base64.urlsafe_b64encode(material[:32])), material[32:])
    return _cache[secret]


def nik_lookup_hash(nik: str) -> str:
    return hmac.new(_keys()[1], nik.encode(), hashlib.sha256).hexdigest()


def encrypt_nik(nik: str) -> str:
    return _keys()[0].encrypt(nik.encode()).decode()


def decrypt_nik(token: str) -> str:
    return _keys()[0].decrypt(token.encode()).decode()
