"""The server's VAPID key pair: generated on first use under KEYS_DIR (mode 0600), never in the repository."""

import base64
import os
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid

KEY_FILE = "vapid_private.pem"
_lock = threading.Lock()
_cache: dict[str, Vapid] = {}


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
        return Vapid(serialization.load_pem_private_key(fh.read(), password=None))


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
