from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db

TOPICS = ("documents", "brigade", "parking", "broadcast", "account")
MUTABLE_TOPICS = ("documents", "parking", "broadcast")  # never brigade (emergencies) nor account (security)
URGENCIES = ("very-low", "low", "normal", "high")
OUTBOX_STATUSES = ("pending", "sending", "done", "failed", "skipped")
DELIVERY_OUTCOMES = ("delivered", "pruned", "failed", "retry")


class Notification(db.Model):
    """One inbox item for one user. Written in the same transaction as the change that caused it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    topic: Mapped[str] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(String(50))  # e.g. document.signed, brigade.en_route
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(255))  # the screen the push opens, e.g. /#/letters/12
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    data: Mapped[dict | None] = mapped_column(JSON)
    broadcast_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(db.Model):
    """A push still to send for a notification; the worker claims, sends, and records the outcome.

    A claim sets status 'sending', a lease (locked_until) and the claimer's token; results are written only
    while the token still matches, and an expired lease makes the message claimable again (at-least-once)."""

    __tablename__ = "push_outbox"
    __table_args__ = (Index("ix_push_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sending, done, failed, skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PushSubscription(db.Model):
    """One browser/device of a user, as its PushManager handed it over. The endpoint identifies the device."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def as_webpush_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class PushDelivery(db.Model):
    """What a push service answered for one message to one device; broadcast counts are computed from these."""

    __tablename__ = "push_deliveries"
    __table_args__ = (
        Index("ix_push_deliveries_outbox_outcome", "outbox_id", "outcome"),
        Index("ix_push_deliveries_broadcast_outcome", "broadcast_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("push_outbox.id", ondelete="CASCADE"))
    # No foreign key: a pruned subscription is deleted, its delivery history stays.
    subscription_id: Mapped[int | None] = mapped_column(Integer)
    broadcast_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(10))  # delivered, pruned, failed, retry
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(255))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationPreference(db.Model):
    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    muted_topics: Mapped[list] = mapped_column(JSON, default=list)
    quiet_start: Mapped[str | None] = mapped_column(String(5))  # "22:00", city local time
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Broadcast(db.Model):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    city_code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(255))
    kelurahan_codes: Mapped[list | None] = mapped_column(JSON)
    kecamatan_codes: Mapped[list | None] = mapped_column(JSON)
    targeted: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
