from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db

TOPICS = ("documents", "brigade", "parking", "broadcast", "account")
URGENCIES = ("very-low", "low", "normal", "high")


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
    """A push still to send for a notification; the worker claims, sends, and records the outcome."""

    __tablename__ = "push_outbox"
    __table_args__ = (Index("ix_push_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, sending, done, failed, skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
