"""The server's VAPID key pair: generated on first use under KEYS_DIR (mode 0600), never in the repository."""

import base64
import os
import threading
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid

KEY_FILE = "vapid_private.pem"
TOKEN_REUSE_SECONDS = 3600
_lock = threading.Lock()
_cache: dict[str, Vapid] = {}


class ReusingVapid(Vapid):
    """A Vapid key that signs one token per (push service, subject) and reuses it for up to an hour.

    pywebpush asks for a signature on every push; an ES256 signature costs about as much as the encryption,
    and a broadcast sends thousands of pushes to the same few push services. RFC 8292 lets a token live 24 h;
    pywebpush asks for 12 h, so a token handed out here always has more than 11 h left."""

    def __init__(self, private_key=None, conf=None):
        super().__init__(private_key, conf)
        self._tokens: dict[tuple, tuple[float, dict]] = {}
        self._token_lock = threading.Lock()

    def sign(self, claims, crypto_key=None):
        key = (claims.get("aud"), claims.get("sub"), crypto_key)
        now = time.time()
        cached = self._tokens.get(key)
        if cached is not None and cached[0] > now:
            return dict(cached[1])
        with self._token_lock:  # the first pushes of a broadcast arrive together: sign once, not per thread
            cached = self._tokens.get(key)
            if cached is not None and cached[0] > now:
                return dict(cached[1])
            headers = super().sign(claims, crypto_key)
            lifetime = int(claims.get("exp") or 0) - now
            self._tokens[key] = (now + min(TOKEN_REUSE_SECONDS, lifetime - 600), headers)
        return dict(headers)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Browsers send unpadded base64url; some clients pad or use the standard alphabet."""
    text = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_p256_point(raw: bytes) -> bool:
    if len(raw) != 65 or raw[0] != 4:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return False
    return True


def _load_or_create(keys_dir: str) -> Vapid:
    path = os.path.join(keys_dir, KEY_FILE)
    os.makedirs(keys_dir, mode=0o700, exist_ok=True)
    if not os.path.exists(path):
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            # link() never replaces: when several processes start at once, the first complete key wins.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    with open(path, "rb") as fh:
        return ReusingVapid(serialization.load_pem_private_key(fh.read(), password=None))


def server_vapid() -> Vapid:
    keys_dir = current_app.config["KEYS_DIR"]
    vapid = _cache.get(keys_dir)
    if vapid is None:
        with _lock:
            vapid = _cache.get(keys_dir) or _load_or_create(keys_dir)
            _cache[keys_dir] = vapid
    return vapid


def public_key() -> str:
    point = server_vapid().public_key.public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def subject() -> str:
    from citizen_app.cities.services import current_city_code

    return current_app.config.get("VAPID_SUBJECT") or f"mailto:admin@{current_city_code()}.go.id"
