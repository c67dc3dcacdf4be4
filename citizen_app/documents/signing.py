"""ES256 signing keys on disk and COSE_Sign1 (RFC 9052): the only module that touches cryptography and cbor2.

Layout of KEYS_DIR/documents/: <kid hex>.key (PKCS#8 PEM, 0600), <kid hex>.json (public key and dates), and
`active` (the kid hex new letters are signed with). See docs/signed-qr.md."""

import base64
import functools
import hashlib
import json
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

ALG_ES256 = -7
COSE_SIGN1_TAG = 18
_lock = threading.Lock()
# Public keys read from their files, by (directory, kid hex): a key's file never changes but for its retired_at,
# which rotate_key and all_keys read again.
_cache: dict[tuple[str, str], "SigningKey"] = {}


class InvalidToken(ValueError):
    """Anything that is not a well-formed COSE_Sign1 from one of our keys."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise InvalidToken("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = re.compile(r"[A-Za-z0-9_-]+")


@dataclass
class SigningKey:
    kid: bytes
    public: ec.EllipticCurvePublicKey
    created_at: datetime
    retired_at: datetime | None
    path: Path
    _private: ec.EllipticCurvePrivateKey | None = None

    @property
    def kid_b64(self) -> str:
        return b64url(self.kid)

    def private(self) -> ec.EllipticCurvePrivateKey:
        if self._private is None:
            self._private = serialization.load_pem_private_key(self.path.with_suffix(".key").read_bytes(), None)
        return self._private

    def jwk(self) -> dict:
        numbers = self.public.public_numbers()
        return {"kid": self.kid_b64, "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig",
                "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}


def _key_dir(keys_dir: str) -> Path:
    path = Path(keys_dir) / "documents"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _kid(public: ec.EllipticCurvePublicKey) -> bytes:
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()[:8]


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create `path` holding `data`; FileExistsError if it exists. Written aside and linked into place, so a
    process killed mid-write never leaves an empty `active` or key file (that would stop signing for good)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.link(tmp, path)  # never replaces: of racing processes, the first complete file wins
    finally:
        tmp.unlink(missing_ok=True)


def _generate(directory: Path) -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key()
    kid = _kid(public)
    base = directory / kid.hex()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    _write_new(base.with_suffix(".key"), pem, 0o600)
    created = datetime.now(UTC).replace(microsecond=0)
    meta = {"kid": b64url(kid), "created_at": created.isoformat(), "retired_at": None,
            "public_key": public.public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo).decode()}
    _write_new(base.with_suffix(".json"), json.dumps(meta).encode(), 0o644)
    return SigningKey(kid, public, created, None, base)


def _load(directory: Path, kid_hex: str) -> SigningKey:
    key = (str(directory), kid_hex)
    if key not in _cache:
        base = directory / kid_hex
        meta = json.loads(base.with_suffix(".json").read_text())
        public = serialization.load_pem_public_key(meta["public_key"].encode())
        retired = datetime.fromisoformat(meta["retired_at"]) if meta.get("retired_at") else None
        _cache[key] = SigningKey(bytes.fromhex(kid_hex), public, datetime.fromisoformat(meta["created_at"]),
                                 retired, base)
    return _cache[key]


def _set_active(directory: Path, kid_hex: str, *, exclusive: bool) -> None:
    if exclusive:
        _write_new(directory / "active", kid_hex.encode(), 0o644)
        return
    tmp = directory / f".active.{os.getpid()}.{threading.get_ident()}"
    tmp.write_text(kid_hex)
    os.replace(tmp, directory / "active")


def active_key(keys_dir: str) -> SigningKey:
    """The key new letters are signed with; made on first use. Several processes may race: one `active` wins."""
    directory = _key_dir(keys_dir)
    pointer = directory / "active"
    try:
        return _load(directory, pointer.read_text().strip())
    except FileNotFoundError:
        pass
    with _lock:
        new = _generate(directory)
        try:
            _set_active(directory, new.kid.hex(), exclusive=True)
        except FileExistsError:
            for suffix in (".key", ".json"):
                new.path.with_suffix(suffix).unlink(missing_ok=True)
        return _load(directory, pointer.read_text().strip())


def rotate_key(keys_dir: str) -> tuple[SigningKey, SigningKey | None]:
    """Make a new active key; the old one is marked retired and keeps verifying the letters it signed."""
    directory = _key_dir(keys_dir)
    with _lock:
        old_hex = (directory / "active").read_text().strip() if (directory / "active").exists() else None
        new = _generate(directory)
        _set_active(directory, new.kid.hex(), exclusive=False)
        old = None
        if old_hex:
            meta_path = (directory / old_hex).with_suffix(".json")
            meta = json.loads(meta_path.read_text())
            meta["retired_at"] = datetime.now(UTC).replace(microsecond=0).isoformat()
            tmp = meta_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(meta))
            os.replace(tmp, meta_path)
            _cache.pop((str(directory), old_hex), None)
            old = _load(directory, old_hex)
    return _load(directory, new.kid.hex()), old


def all_keys(keys_dir: str) -> list[SigningKey]:
    directory = _key_dir(keys_dir)
    keys = []
    for meta in sorted(directory.glob("*.json")):
        _cache.pop((str(directory), meta.stem), None)  # dates may have changed (rotation in another process)
        keys.append(_load(directory, meta.stem))
    return sorted(keys, key=lambda k: k.created_at)


@functools.lru_cache(maxsize=8)  # a pure function of the setting's text, on every scan
def _directory_name(keys_dir: str) -> str:
    return str(Path(keys_dir) / "documents")


def find_key(keys_dir: str, kid: bytes) -> SigningKey | None:
    kid_hex = kid.hex()
    found = _cache.get((_directory_name(keys_dir), kid_hex))
    if found is not None:
        return found
    directory = Path(keys_dir) / "documents"
    if len(kid) != 8 or not (directory / kid_hex).with_suffix(".json").is_file():
        return None
    return _load(directory, kid_hex)


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign(key: SigningKey, claims: dict) -> bytes:
    protected = cbor2.dumps({1: ALG_ES256, 4: key.kid})
    payload = cbor2.dumps(claims)
    der = key.private().sign(_sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    # COSE (and WebCrypto) carry the raw r||s form, not DER.
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


@dataclass
class Sign1:
    kid: bytes
    protected: bytes
    payload: bytes
    signature: bytes
    claims: dict


def decode(token: bytes) -> Sign1:
    """Parse without trusting anything; every malformed input ends as InvalidToken."""
    try:
        outer = cbor2.loads(token)
        if not isinstance(outer, cbor2.CBORTag) or outer.tag != COSE_SIGN1_TAG:
            raise InvalidToken("not a tagged COSE_Sign1")
        items = outer.value
        if not isinstance(items, list | tuple) or len(items) != 4:  # cbor2 gives tuples inside tags
            raise InvalidToken("COSE_Sign1 needs four items")
        protected, unprotected, payload, signature = items
        if not (isinstance(protected, bytes) and isinstance(unprotected, Mapping) and isinstance(payload, bytes)
                and isinstance(signature, bytes) and len(signature) == 64):
            raise InvalidToken("bad COSE_Sign1 items")
        header = cbor2.loads(protected)
        claims = cbor2.loads(payload)
    except InvalidToken:
        raise
    except Exception as exc:  # noqa: BLE001 - cbor2 raises many types on garbage; all mean "invalid"
        raise InvalidToken("undecodable") from exc
    if not isinstance(header, dict) or header.get(1) != ALG_ES256 or not isinstance(header.get(4), bytes):
        raise InvalidToken("unsupported protected header")
    if not isinstance(claims, dict):
        raise InvalidToken("claims are not a map")
    return Sign1(header[4], protected, payload, signature, claims)


def verify_signature(public: ec.EllipticCurvePublicKey, sign1: Sign1) -> bool:
    r = int.from_bytes(sign1.signature[:32], "big")
    s = int.from_bytes(sign1.signature[32:], "big")
    try:
        public.verify(encode_dss_signature(r, s), _sig_structure(sign1.protected, sign1.payload),
                      ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True
