"""City-wide or area broadcasts: one inbox item and one outbox message per targeted resident, set-based."""

from sqlalchemy import String, func, insert, literal, select

from citizen_app.audit.services import record
from citizen_app.cities.services import current_city_code
from citizen_app.common.pagination import paginate
from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.errors import NotFound, ValidationFailed
from citizen_app.extensions import db
from citizen_app.i18n import register_messages, translate
from citizen_app.identity.models import User
from citizen_app.notifications.models import Broadcast, Notification, OutboxMessage, PushDelivery
from citizen_app.regions.models import Kecamatan, Kelurahan

register_messages({
    "Unknown kelurahan in this city: {codes}.": "Kelurahan tidak dikenal di kota ini: {codes}.",
    "Unknown kecamatan in this city: {codes}.": "Kecamatan tidak dikenal di kota ini: {codes}.",
})

DEFAULT_URL = "/#/notifications"


def _unknown(model, codes: list[str], city: str) -> list[str]:
    known = set(db.session.scalars(select(model.code).where(model.code.in_(codes), model.city_code == city)))
    return sorted(set(codes) - known)


def create_broadcast(actor: User, data: dict) -> dict:
    city = current_city_code()
    kelurahan = sorted(set(data.get("kelurahan_codes") or []))
    kecamatan = sorted(set(data.get("kecamatan_codes") or []))
    errors = {}
    if missing := _unknown(Kelurahan, kelurahan, city):
        errors["kelurahan_codes"] = [translate("Unknown kelurahan in this city: {codes}.", codes=", ".join(missing))]
    if missing := _unknown(Kecamatan, kecamatan, city):
        errors["kecamatan_codes"] = [translate("Unknown kecamatan in this city: {codes}.", codes=", ".join(missing))]
    if errors:
        raise ValidationFailed(errors)

    now = utcnow()
    broadcast = Broadcast(created_by=actor.id, city_code=city, title=data["title"], body=data["body"],
                          url=data.get("url") or DEFAULT_URL, kelurahan_codes=kelurahan or None,
                          kecamatan_codes=kecamatan or None, created_at=now)
    db.session.add(broadcast)
    db.session.flush()

    area = select(Kelurahan.code).where(Kelurahan.city_code == city)
    if kelurahan or kecamatan:
        area = area.where(Kelurahan.code.in_(kelurahan) | Kelurahan.kecamatan_code.in_(kecamatan))
    residents = select(User.id).where(User.role == "resident", User.is_active.is_(True),
                                      User.kelurahan_code.in_(area))
    # INSERT … SELECT: 10,000 residents are two statements, not 20,000 round trips.
    columns = ("user_id", "topic", "event", "title", "body", "url", "urgency", "broadcast_id", "created_at")
    rows = select(residents.subquery().c.id, literal("broadcast", String), literal("broadcast.sent", String),
                  literal(broadcast.title, String), literal(broadcast.body, String),
                  literal(broadcast.url, String), literal("normal", String), literal(broadcast.id),
                  literal(now, UTCDateTime))
    db.session.execute(insert(Notification).from_select(columns, rows))
    outbox = select(Notification.id, literal("pending", String), literal(0), literal(now, UTCDateTime),
                    literal(now, UTCDateTime), literal(now, UTCDateTime)
                    ).where(Notification.broadcast_id == broadcast.id)
    db.session.execute(insert(OutboxMessage).from_select(
        ("notification_id", "status", "attempts", "next_attempt_at", "created_at", "updated_at"), outbox))
    broadcast.targeted = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.broadcast_id == broadcast.id))
    record(actor.id, "broadcast.sent", "broadcast", broadcast.id, targeted=broadcast.targeted,
           kelurahan_codes=kelurahan, kecamatan_codes=kecamatan)
    db.session.commit()
    return _with_counts([broadcast])[0]


def _with_counts(broadcasts: list[Broadcast]) -> list[dict]:
    ids = [b.id for b in broadcasts]
    outcomes = {(bid, outcome): n for bid, outcome, n in db.session.execute(
        select(PushDelivery.broadcast_id, PushDelivery.outcome, func.count())
        .where(PushDelivery.broadcast_id.in_(ids)).group_by(PushDelivery.broadcast_id, PushDelivery.outcome))}
    statuses = {(bid, status): n for bid, status, n in db.session.execute(
        select(Notification.broadcast_id, OutboxMessage.status, func.count())
        .join(OutboxMessage, OutboxMessage.notification_id == Notification.id)
        .where(Notification.broadcast_id.in_(ids)).group_by(Notification.broadcast_id, OutboxMessage.status))}
    views = []
    for b in broadcasts:
        delivered, failed, pruned = (outcomes.get((b.id, o), 0) for o in ("delivered", "failed", "pruned"))
        views.append({
            "id": b.id, "title": b.title, "body": b.body, "url": b.url, "created_by": b.created_by,
            "kelurahan_codes": b.kelurahan_codes or [], "kecamatan_codes": b.kecamatan_codes or [],
            "created_at": b.created_at, "targeted": b.targeted,
            "sent": delivered + failed + pruned, "delivered": delivered, "failed": failed, "pruned": pruned,
            "pending": statuses.get((b.id, "pending"), 0) + statuses.get((b.id, "sending"), 0),
            "skipped": statuses.get((b.id, "skipped"), 0),
        })
    return views


def list_broadcasts(actor: User, args: dict) -> dict:
    page = paginate(select(Broadcast).where(Broadcast.city_code == current_city_code())
                    .order_by(Broadcast.created_at.desc(), Broadcast.id.desc()), args["page"], args["per_page"])
    page["items"] = _with_counts(page["items"])
    return page


def get_broadcast(actor: User, broadcast_id: int) -> dict:
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.city_code != current_city_code():
        raise NotFound()
    return _with_counts([broadcast])[0]
