"""Signing letters: the number, the signed QR (docs/signed-qr.md), revocation, verification and the public lists."""

import hashlib
import json
import secrets
import threading
from datetime import datetime, timedelta

from cachetools import LRUCache
from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from citizen_app.cities.services import city_tz, current_city_code, current_city_profile
from citizen_app.common.time import as_utc, utcnow
from citizen_app.documents import qr, signing
from citizen_app.documents.identity import identity_plain
from citizen_app.documents.models import IssuedLetter, LetterCounter, LetterRequest, LetterType
from citizen_app.errors import Conflict
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.regions.models import Kelurahan

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
CTI_BYTES = 12
MAX_QR_TEXT = 4096


def mask_name(full_name: str, words: int = 3) -> str:
    parts = full_name.split() or ["?"]
    if len(parts) > 3:
        parts = [parts[0], parts[1], parts[-1]]
    parts = {3: parts, 2: [parts[0], parts[-1]] if len(parts) > 1 else parts, 1: parts[:1]}[words]
    return " ".join((p[:2] if len(p) > 2 else p[:1]) + "***" for p in parts)


def canonical_cti(*, letter: IssuedLetter, req: LetterRequest) -> bytes:
    return _cti(req.fields, req.identity, letter.issued_at, letter.issuing_kelurahan_code, letter.nonce, letter.number,
                req.purpose, letter.type_code, letter.valid_until)


def _cti(fields, identity, issued_at, kelurahan, nonce, number, purpose, type_code, valid_until) -> bytes:
    data = {"fields": fields, "identity": identity_plain(identity), "issued_at": _epoch(issued_at),
            "issuing_kelurahan": kelurahan, "nonce": nonce, "number": number, "purpose": purpose, "type": type_code,
            "valid_until": _epoch(valid_until)}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).digest()[:CTI_BYTES]


def _epoch(moment: datetime) -> int:
    return int(as_utc(moment).timestamp())


def _next_seq(kelurahan_code: str, year: int) -> int:
    """Bump the office's counter inside the signing transaction: the row lock (PostgreSQL) or the write lock
    (SQLite) makes concurrent signers queue, and UNIQUE(issuing office, year, seq) is the last word."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(LetterCounter).values(kelurahan_code=kelurahan_code, year=year, last_seq=1)
        .on_conflict_do_update(index_elements=["kelurahan_code", "year"],
                               set_={"last_seq": LetterCounter.last_seq + 1})
        .returning(LetterCounter.last_seq)
    )
    return db.session.execute(stmt).scalar_one()


def sign(actor: User, req: LetterRequest, *, keys_dir: str, base_url: str) -> IssuedLetter:
    now = utcnow().replace(microsecond=0)
    # Claim the request first: a second signer racing for the same request updates no row and gets a 409.
    claimed = db.session.execute(
        update(LetterRequest).where(LetterRequest.id == req.id, LetterRequest.status == "approved")
        .values(status="signed", updated_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Conflict("Action {action} is not allowed while the request is {current}.", action="sign",
                       current=db.session.get(LetterRequest, req.id).status)
    req.status = "signed"
    letter_type = req.letter_type
    kelurahan = db.session.get(Kelurahan, req.service_kelurahan_code)
    local = now.astimezone(city_tz())
    seq = _next_seq(kelurahan.code, local.year)
    number = f"{letter_type.classification}/{seq:03d}/{kelurahan.code.replace('.', '')}/{ROMAN[local.month - 1]}/" \
             f"{local.year}"
    profile = current_city_profile()
    letter = IssuedLetter(
        request_id=req.id, issuing_kelurahan_code=kelurahan.code, year=local.year, seq=seq, number=number,
        type_code=letter_type.code, type_name=letter_type.name, issued_at=now,
        valid_until=now + timedelta(days=letter_type.validity_days), nonce=secrets.token_hex(16),
        signer_id=actor.id, signer_name=actor.full_name, signer_title=_signer_title(actor, kelurahan),
        signer_nip=actor.nip,
        letterhead=[line.format(kecamatan=kelurahan.kecamatan.name.upper(), kelurahan=kelurahan.name.upper())
                    for line in profile.get("letterhead", [])],
        place=profile["name"].removeprefix("Kota ").removeprefix("Kabupaten "),
    )
    letter.cti = canonical_cti(letter=letter, req=req)
    key = signing.active_key(keys_dir)
    letter.kid = key.kid_b64
    letter.qr_text, letter.holder_name_masked = _qr_text(key, letter, req, base_url)
    req.letter = letter
    db.session.add(letter)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("The letter could not get a unique number; please try again.") from None
    return letter


def _signer_title(actor: User, kelurahan: Kelurahan) -> str:
    title = (actor.title or "Lurah").strip()
    return title if kelurahan.name.lower() in title.lower() else f"{title} {kelurahan.name}"


def _qr_text(key: signing.SigningKey, letter: IssuedLetter, req: LetterRequest, base_url: str) -> tuple[str, str]:
    """Sign the claims; keep fewer words of the masked name if that is what it takes to stay within version 12."""
    for words in (3, 2, 1):
        masked = mask_name(req.identity["full_name"], words)
        claims = {1: current_city_code(), 4: _epoch(letter.valid_until), 6: _epoch(letter.issued_at),
                  7: letter.cti, -1: letter.type_code, -2: letter.number, -3: letter.issuing_kelurahan_code,
                  -5: masked}
        text = f"{base_url.rstrip('/')}/v#{signing.b64url(signing.sign(key, claims))}"
        if qr.version(text) <= qr.MAX_VERSION:
            break
    return text, masked


def revoke(actor: User, req: LetterRequest, reason: str) -> None:
    letter = req.letter
    _verified().forget(_token(letter.qr_text))
    letter.revoked_at = utcnow()
    letter.revoked_by = actor.id
    letter.revoke_reason = reason


class _Verified:
    """QR tokens this process has checked in full, with what a verifier is shown of their letter. A signed letter
    never changes except by revocation, so an entry stays true; whether the letter is still there and not revoked
    is read from the database at every scan, so another process's revocation counts at once."""

    SIZE = 4096

    def __init__(self):
        self._entries = LRUCache(self.SIZE)
        self._lock = threading.Lock()  # an LRUCache reorders itself on every read

    def get(self, token: str):
        with self._lock:
            return self._entries.get(token)

    def put(self, token: str, entry: tuple) -> None:
        with self._lock:
            self._entries[token] = entry

    def forget(self, token: str) -> None:
        with self._lock:
            self._entries.pop(token, None)


def _verified() -> _Verified:
    return current_app.extensions.setdefault("verified_letters", _Verified())


def _token(text: str) -> str:
    return text.strip().rsplit("#", 1)[-1].strip()


_REVOCATION = select(IssuedLetter.revoked_at).where(IssuedLetter.cti == bindparam("cti"))  # built once


def verify(text: str, *, keys_dir: str, now: datetime | None = None) -> dict:
    """The verdict on a scanned QR (the whole URL or just the token), as LetterVerificationSchema dumps it. Never
    raises on bad input: anything we did not sign, or can't find, or whose record no longer hashes to what was
    signed, is simply invalid."""
    invalid = {"result": "invalid"}
    token = _token(text)
    verified = _verified()
    known = verified.get(token)
    if known is not None and known[0] == keys_dir:
        _, cti, document = known
        found = db.session.execute(_REVOCATION, {"cti": cti}).first()
        if found is None:
            verified.forget(token)
            return invalid
        return _verdict(document, found.revoked_at, now)
    try:
        sign1 = signing.decode(signing.b64url_decode(token))
    except signing.InvalidToken:
        return invalid
    key = signing.find_key(keys_dir, sign1.kid)
    if key is None or not signing.verify_signature(key.public, sign1):
        return invalid
    cti = sign1.claims.get(7)
    if not isinstance(cti, bytes):
        return invalid
    row = db.session.execute(
        select(*VERIFY_COLUMNS, LetterRequest.fields, LetterRequest.identity, LetterRequest.purpose,
               Kelurahan.name.label("issuing_kelurahan"))
        .join(LetterRequest, LetterRequest.id == IssuedLetter.request_id)
        .join(Kelurahan, Kelurahan.code == IssuedLetter.issuing_kelurahan_code)
        .where(IssuedLetter.cti == cti)
    ).first()
    if row is None:
        return invalid
    # The record must still be what was signed: same number, same key, same canonical data.
    if row.number != sign1.claims.get(-2) or row.kid != key.kid_b64 or cti != _cti(
            row.fields, row.identity, row.issued_at, row.issuing_kelurahan_code, row.nonce, row.number, row.purpose,
            row.type_code, row.valid_until):
        return invalid
    document = _document(row)
    verified.put(token, (keys_dir, cti, document))
    return _verdict(document, row.revoked_at, now)


def _verdict(document: dict, revoked_at: datetime | None, now: datetime | None) -> dict:
    if revoked_at is not None:
        result = "revoked"
    else:
        result = "expired" if (now or utcnow()) > document["valid_until"] else "valid"
    return {"result": result, "document": {**document, "revoked_at": as_utc(revoked_at) if revoked_at else None}}


VERIFY_COLUMNS = (IssuedLetter.number, IssuedLetter.kid, IssuedLetter.issued_at, IssuedLetter.valid_until,
                  IssuedLetter.issuing_kelurahan_code, IssuedLetter.nonce, IssuedLetter.type_code,
                  IssuedLetter.type_name, IssuedLetter.holder_name_masked, IssuedLetter.signer_name,
                  IssuedLetter.signer_title, IssuedLetter.revoked_at)


def _document(row) -> dict:
    """What a verifier is shown of a letter (VerifiedDocumentSchema's fields but revoked_at), fixed at signing."""
    return {
        "type_code": row.type_code, "type_name": row.type_name, "number": row.number,
        "issued_at": as_utc(row.issued_at), "valid_until": as_utc(row.valid_until),
        "issuing_kelurahan": row.issuing_kelurahan, "issuing_kelurahan_code": row.issuing_kelurahan_code,
        "holder_name_masked": row.holder_name_masked, "signer_name": row.signer_name,
        "signer_title": row.signer_title,
    }


def trust_list(keys_dir: str, now: datetime | None = None) -> dict:
    now = now or utcnow()
    signing.active_key(keys_dir)  # a fresh install publishes its key before the first letter
    last_valid = dict(db.session.execute(
        select(IssuedLetter.kid, func.max(IssuedLetter.valid_until)).group_by(IssuedLetter.kid)).all())
    keys = []
    for key in signing.all_keys(keys_dir):
        active = key.retired_at is None
        until = last_valid.get(key.kid_b64)
        if not active and (until is None or as_utc(until) < now):
            continue  # retired, and every letter it signed has expired
        keys.append({**key.jwk(), "not_before": key.created_at.isoformat(),
                     "not_after": None if active else key.retired_at.isoformat(),
                     "letters_valid_until": as_utc(until).isoformat() if until else None,
                     "status": "active" if active else "retired"})
    city = current_city_code()
    types = db.session.execute(select(LetterType.code, LetterType.name).where(LetterType.city_code == city)
                               .order_by(LetterType.position)).all()
    kelurahan = db.session.execute(select(Kelurahan.code, Kelurahan.name).where(Kelurahan.city_code == city)
                                   .order_by(Kelurahan.code)).all()
    return {"issuer": city, "generated_at": now.isoformat(), "keys": keys,
            "letter_types": dict(types), "kelurahan": dict(kelurahan)}


def revocations(now: datetime | None = None) -> dict:
    now = now or utcnow()
    version = db.session.scalar(select(func.count()).where(IssuedLetter.revoked_at.is_not(None)))
    # Expired letters fail on their own; the list only has to carry the revoked ones still in date.
    rows = db.session.execute(
        select(IssuedLetter.cti, IssuedLetter.revoked_at)
        .where(IssuedLetter.revoked_at.is_not(None), IssuedLetter.valid_until >= now)
        .order_by(IssuedLetter.revoked_at, IssuedLetter.id)
    ).all()
    return {"version": version, "generated_at": now.isoformat(),
            "items": [{"cti": signing.b64url(cti), "revoked_at": as_utc(at).isoformat()} for cti, at in rows]}
