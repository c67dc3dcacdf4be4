"""Identity use cases: sign-up, sign-in, token rotation and revocation, staff accounts, profile."""

import re
from datetime import UTC, date, datetime

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from citizen_app.audit.services import record
from citizen_app.errors import Conflict, Unauthorized, ValidationFailed, field_error
from citizen_app.extensions import db
from citizen_app.i18n import translate
from citizen_app.identity.models import KELURAHAN_ROLES, ROLES, RevokedToken, User
from citizen_app.identity.nik import NikError, check_nik, mask_nik
from citizen_app.identity.vault import encrypt_nik, nik_lookup_hash
from citizen_app.regions.services import get_kelurahan

PHONE = re.compile(r"^8[1-9]\d{6,10}$")
_DUMMY_HASH: dict[str, str] = {}


def normalize_phone(raw: str) -> str:
    """08xx, 628xx, +62 8xx-xxx → +628xx; raises field error otherwise."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    for prefix in ("+62", "62", "0"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
            break
    if not PHONE.match(digits):
        raise field_error("phone", "Not a valid Indonesian mobile number.")
    return "+62" + digits


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def register_resident(data: dict) -> User:
    errors: dict[str, list[str]] = {}
    if data["birth_date"] > date.today():
        errors.setdefault("birth_date", []).append(translate("Birth date cannot be in the future."))
    try:
        info = check_nik(data["nik"], data["birth_date"], data["gender"])
    except NikError as exc:
        errors.setdefault("nik", []).append(translate(exc.message, **exc.params))
        info = None
    try:
        phone = normalize_phone(data["phone"])
    except ValidationFailed as exc:
        errors.update(exc.errors)
        phone = None
    if get_kelurahan(data["kelurahan_code"]) is None:
        errors.setdefault("kelurahan_code", []).append(translate("Unknown kelurahan."))
    if errors:
        raise ValidationFailed(errors)

    nik_hash = nik_lookup_hash(data["nik"])
    if db.session.scalar(select(User.id).where(User.nik_hash == nik_hash)):
        raise Conflict("This NIK is already registered.")
    if db.session.scalar(select(User.id).where(User.phone == phone)):
        raise Conflict("This phone number is already registered.")
    profile = {k: data.get(k) for k in _PROFILE_FIELDS if data.get(k) is not None}
    user = User(
        role="resident",
        full_name=data["full_name"].strip(),
        phone=phone,
        email=data.get("email"),
        nik_hash=nik_hash,
        nik_encrypted=encrypt_nik(data["nik"]),
        nik_masked=mask_nik(data["nik"]),
        nik_flags=list(info.flags) or None,
        birth_date=data["birth_date"],
        gender=data["gender"],
        kelurahan_code=data["kelurahan_code"],
        password_hash=hash_password(data["password"]),
        **profile,
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent sign-up with the same NIK or phone won the race
        db.session.rollback()
        raise Conflict("This NIK is already registered.") from None
    record(user.id, "user.register", "user", user.id, flags=user.nik_flags)
    db.session.commit()
    return user


_PROFILE_FIELDS = ("birth_place", "religion", "marital_status", "occupation", "nationality", "address", "rt", "rw")


def update_profile(user: User, data: dict) -> User:
    changed = {}
    for key in (*_PROFILE_FIELDS, "email"):
        if key in data and getattr(user, key) != data[key]:
            setattr(user, key, data[key])
            changed[key] = data[key]
    if "kelurahan_code" in data and user.role == "resident":
        if get_kelurahan(data["kelurahan_code"]) is None:
            raise field_error("kelurahan_code", "Unknown kelurahan.")
        user.kelurahan_code = data["kelurahan_code"]
        changed["kelurahan_code"] = data["kelurahan_code"]
    if changed:
        record(user.id, "user.update_profile", "user", user.id, fields=sorted(changed))
    db.session.commit()
    return user


def find_login_user(username: str) -> User | None:
    username = (username or "").strip()
    if re.fullmatch(r"\d{16}", username):
        return db.session.scalar(select(User).where(User.nik_hash == nik_lookup_hash(username)))
    try:
        phone = normalize_phone(username)
    except ValidationFailed:
        phone = None
    if phone:
        user = db.session.scalar(select(User).where(User.phone == phone))
        if user:
            return user
    return db.session.scalar(select(User).where(User.username == username.lower()))


def authenticate(username: str, password: str) -> User:
    user = find_login_user(username)
    if user is None:
        # Spend the same time as a real check so timing doesn't reveal which accounts exist.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        dummy = _DUMMY_HASH.setdefault(method, generate_password_hash("not-a-password", method=method))
        check_password_hash(dummy, password)
        raise Unauthorized("Wrong username or password.")
    if not check_password_hash(user.password_hash, password):
        record(user.id, "auth.login_failed", "user", user.id)
        db.session.commit()
        raise Unauthorized("Wrong username or password.")
    if not user.is_active:
        raise Unauthorized("This account is disabled.")
    return user


def issue_tokens(user: User) -> dict:
    """A refresh token and an access token that knows its refresh token's id, so logout revokes both."""
    refresh = create_refresh_token(identity=str(user.id), additional_claims={"role": user.role})
    refresh_jti = decode_token(refresh)["jti"]
    access = create_access_token(identity=str(user.id), additional_claims={"role": user.role, "rfj": refresh_jti})
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "user": user}


def rotate_refresh(user: User, claims: dict) -> dict:
    """Spend the presented refresh token (it can't be used again) and issue a new pair."""
    _revoke(claims["jti"], user.id, claims["exp"])
    try:
        db.session.commit()
    except IntegrityError:  # the same refresh token spent twice at once: only one rotation wins
        db.session.rollback()
        raise Unauthorized("The token has been revoked.") from None
    return issue_tokens(user)


def logout(user: User, access_claims: dict, refresh_token: str | None) -> None:
    _revoke(access_claims["jti"], user.id, access_claims["exp"])
    refresh_jti = access_claims.get("rfj")
    refresh_exp = access_claims["exp"] + int(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds())
    if refresh_token:
        try:
            claims = decode_token(refresh_token, allow_expired=True)
            if claims.get("sub") == str(user.id) and claims.get("type") == "refresh":
                refresh_jti, refresh_exp = claims["jti"], claims["exp"]
        except Exception:  # noqa: BLE001 - a bad refresh token in a logout body is simply not revoked
            refresh_token = None
    if refresh_jti:
        _revoke(refresh_jti, user.id, refresh_exp)
    record(user.id, "auth.logout", "user", user.id)
    db.session.commit()


def _revoke(jti: str, user_id: int, exp: int) -> None:
    if db.session.get(RevokedToken, jti) is None:
        db.session.add(RevokedToken(jti=jti, user_id=user_id, expires_at=datetime.fromtimestamp(exp, UTC)))


def create_staff(actor_id: int | None, data: dict) -> User:
    role = data["role"]
    if role not in ROLES:
        raise field_error("role", "Unknown role.")
    username = (data.get("username") or "").strip().lower()
    if role != "resident" and not username:
        raise field_error("username", "Staff accounts need a username.")
    if role in KELURAHAN_ROLES and not data.get("kelurahan_code"):
        raise field_error("kelurahan_code", "This role needs a kelurahan.")
    if data.get("kelurahan_code") and get_kelurahan(data["kelurahan_code"]) is None:
        raise field_error("kelurahan_code", "Unknown kelurahan.")
    phone = normalize_phone(data["phone"]) if data.get("phone") else None
    if username and db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("This username is already taken.")
    if phone and db.session.scalar(select(User.id).where(User.phone == phone)):
        raise Conflict("This phone number is already registered.")
    user = User(
        role=role,
        username=username or None,
        full_name=(data.get("full_name") or username).strip(),
        phone=phone,
        password_hash=hash_password(data["password"]),
        kelurahan_code=data.get("kelurahan_code"),
        zone_code=data.get("zone_code"),
        team_id=data.get("team_id"),
        nip=data.get("nip"),
        title=data.get("title"),
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("This username is already taken.") from None
    record(actor_id, "user.create_staff", "user", user.id, role=role, kelurahan_code=user.kelurahan_code)
    db.session.commit()
    return user


def list_users(role: str | None = None):
    query = select(User).order_by(User.id)
    if role:
        query = query.where(User.role == role)
    return query


def purge_expired_revocations(now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    result = db.session.execute(RevokedToken.__table__.delete().where(RevokedToken.expires_at < now))
    db.session.commit()
    return result.rowcount
