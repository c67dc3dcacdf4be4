"""Use cases for devices (push subscriptions), the inbox and notification preferences."""

import ipaddress
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from citizen_app.cities.services import city_tz
from citizen_app.common.pagination import paginate
from citizen_app.common.time import utcnow
from citizen_app.errors import NotFound, ValidationFailed
from citizen_app.extensions import db
from citizen_app.i18n import register_messages, translate
from citizen_app.identity.models import User
from citizen_app.notifications.models import MUTABLE_TOPICS, Notification, NotificationPreference, PushSubscription
from citizen_app.notifications.settings import setting
from citizen_app.notifications.vapid import b64url_decode, is_p256_point

register_messages({
    "The endpoint must be an https URL.": "Endpoint harus berupa URL https.",
    "This push service is not allowed.": "Layanan push ini tidak diizinkan.",
    "Not a P-256 public key (65 bytes, base64url).": "Bukan kunci publik P-256 (65 byte, base64url).",
    "The auth secret must be 16 bytes (base64url).": "Rahasia auth harus 16 byte (base64url).",
    "Not a valid expiration time.": "Waktu kedaluwarsa tidak sah.",
    "Brigade notifications cannot be muted.": "Notifikasi brigade tidak dapat dimatikan.",
    "Unknown topic {topic}.": "Topik {topic} tidak dikenal.",
    "Use HH:MM (00:00 to 23:59).": "Gunakan JJ:MM (00:00 sampai 23:59).",
    "Use a path inside the app, e.g. /#/inbox.": "Gunakan alamat di dalam aplikasi, mis. /#/inbox.",
    "Quiet hours must start and end at different times.": "Jam tenang harus berawal dan berakhir pada waktu berbeda.",
})

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _check_endpoint(endpoint: str) -> None:
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    dev = current_app.config.get("ENV_NAME") in ("development", "testing")
    if not host or parts.username or parts.password:
        raise ValidationFailed({"endpoint": [translate("Not a valid URL.")]})
    if parts.scheme == "http" and dev and host in LOOPBACK_HOSTS:
        return
    if parts.scheme != "https":
        raise ValidationFailed({"endpoint": [translate("The endpoint must be an https URL.")]})
    if dev:
        return
    # Production: the worker POSTs wherever a subscription points, so keep it off the city's own network.
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    allowed = [h.strip().lower() for h in str(setting("PUSH_ENDPOINT_HOSTS")).split(",") if h.strip()]
    if host in LOOPBACK_HOSTS or host.endswith(".local") or host.endswith(".internal") or (
        address is not None and not address.is_global
    ) or (allowed and not any(host == h or host.endswith("." + h) for h in allowed)):
        raise ValidationFailed({"endpoint": [translate("This push service is not allowed.")]})


def _decoded(value: str) -> bytes | None:
    try:
        return b64url_decode(value)
    except (ValueError, TypeError):
        return None


def subscribe(actor: User, data: dict) -> PushSubscription:
    endpoint = data["endpoint"].strip()
    _check_endpoint(endpoint)
    errors = {}
    raw_key = _decoded(data["keys"]["p256dh"])
    if raw_key is None or not is_p256_point(raw_key):
        errors["keys.p256dh"] = [translate("Not a P-256 public key (65 bytes, base64url).")]
    raw_auth = _decoded(data["keys"]["auth"])
    if raw_auth is None or len(raw_auth) != 16:
        errors["keys.auth"] = [translate("The auth secret must be 16 bytes (base64url).")]
    expires_at = None
    if data.get("expirationTime") is not None:
        try:
            expires_at = datetime.fromtimestamp(data["expirationTime"] / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            errors["expirationTime"] = [translate("Not a valid expiration time.")]
    if errors:
        raise ValidationFailed(errors)
    values = {"user_id": actor.id, "p256dh": _b64(raw_key), "auth": _b64(raw_auth), "expires_at": expires_at,
              "updated_at": utcnow()}
    for _ in range(2):  # a concurrent subscribe of the same endpoint loses the insert race: update instead
        sub = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
        if sub is None:
            sub = PushSubscription(endpoint=endpoint)
            db.session.add(sub)
        for key, value in values.items():  # a shared phone: the endpoint follows whoever subscribed last
            setattr(sub, key, value)
        try:
            db.session.flush()
            break
        except IntegrityError:
            db.session.rollback()
    _keep_newest_devices(actor.id, sub.id)
    db.session.commit()
    return sub


def _b64(raw: bytes) -> str:
    from citizen_app.notifications.vapid import b64url

    return b64url(raw)


def _keep_newest_devices(user_id: int, keep_id: int) -> None:
    limit = int(setting("PUSH_MAX_DEVICES"))
    ids = db.session.scalars(select(PushSubscription.id).where(PushSubscription.user_id == user_id)
                             .order_by(PushSubscription.updated_at.desc(), PushSubscription.id.desc())).all()
    stale = [i for i in ids[limit:] if i != keep_id]
    if stale:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(stale)))


def unsubscribe(actor: User, endpoint: str) -> None:
    # Someone else's endpoint: nothing happens, and the answer does not reveal that it exists.
    db.session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint.strip(),
                                                      PushSubscription.user_id == actor.id))
    db.session.commit()


def inbox(actor: User, args: dict) -> dict:
    query = select(Notification).where(Notification.user_id == actor.id)
    if args.get("unread"):
        query = query.where(Notification.read_at.is_(None))
    page = paginate(query.order_by(Notification.created_at.desc(), Notification.id.desc()),
                    args["page"], args["per_page"])
    page["unread_count"] = db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None)))
    return page


def mark_read(actor: User, notification_id: int) -> None:
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != actor.id:
        raise NotFound()
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()


def mark_all_read(actor: User) -> int:
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount


def _preference_view(pref: NotificationPreference | None) -> dict:
    quiet = None
    if pref is not None and pref.quiet_start and pref.quiet_end:
        quiet = {"start": pref.quiet_start, "end": pref.quiet_end}
    return {
        "muted_topics": list(pref.muted_topics or []) if pref else [],
        "quiet_hours": quiet,
        "timezone": city_tz().key,
        "mutable_topics": list(MUTABLE_TOPICS),
    }


def get_preferences(actor: User) -> dict:
    return _preference_view(db.session.get(NotificationPreference, actor.id))


def update_preferences(actor: User, data: dict) -> dict:
    errors = {}
    topics = data.get("muted_topics")
    if topics is not None:
        for topic in topics:
            if topic == "brigade":
                errors.setdefault("muted_topics", []).append(translate("Brigade notifications cannot be muted."))
            elif topic not in MUTABLE_TOPICS:
                errors.setdefault("muted_topics", []).append(translate("Unknown topic {topic}.", topic=topic))
    quiet = data.get("quiet_hours", ...)
    if quiet not in (None, ...) and quiet["start"] == quiet["end"]:
        errors["quiet_hours"] = [translate("Quiet hours must start and end at different times.")]
    if errors:
        raise ValidationFailed(errors)
    pref = db.session.get(NotificationPreference, actor.id)
    if pref is None:
        pref = NotificationPreference(user_id=actor.id, muted_topics=[])
        db.session.add(pref)
    if topics is not None:
        pref.muted_topics = sorted(set(topics))
    if quiet is not ...:
        pref.quiet_start, pref.quiet_end = (quiet["start"], quiet["end"]) if quiet else (None, None)
    pref.updated_at = utcnow()
    db.session.commit()
    return _preference_view(pref)
