from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.common.time import as_utc, utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db
from citizen_app.regions.models import Kelurahan

REQUEST_STATUSES = ("submitted", "in_review", "needs_revision", "approved", "signed", "collected", "rejected",
                    "cancelled")
OPEN_STATUSES = ("submitted", "in_review", "needs_revision", "approved")
ACTIONS = ("review", "request_revision", "resubmit", "approve", "reject", "sign", "mark_collected", "cancel",
           "revoke")


class LetterType(db.Model):
    """A requestable letter from a city pack's letters.json."""

    __tablename__ = "letter_types"
    __table_args__ = (UniqueConstraint("city_code", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    classification: Mapped[str] = mapped_column(String(20))
    validity_days: Mapped[int] = mapped_column(Integer)
    any_kelurahan: Mapped[bool] = mapped_column(Boolean, default=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    requirements: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LetterRequest(db.Model):
    """A resident's request, served by any kelurahan; home and serving kelurahan are kept apart."""

    __tablename__ = "letter_requests"
    __table_args__ = (
        Index("ix_letter_requests_service_status", "service_kelurahan_code", "status"),
        # The lists: WHERE resident_id (or the serving kelurahan) = ? ORDER BY id DESC, one index range in order.
        Index("ix_letter_requests_resident_newest", "resident_id", "id"),
        Index("ix_letter_requests_service_newest", "service_kelurahan_code", "id"),
        Index("ix_letter_requests_created", "created_at"),  # open data: a month's requests, the data's extent
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    letter_type_id: Mapped[int] = mapped_column(ForeignKey("letter_types.id"))
    type_code: Mapped[str] = mapped_column(String(40))
    home_kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("kelurahan.code"))
    service_kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"))
    purpose: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    # The profile at request time; the NIK only as the vault's ciphertext.
    identity: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    letter_type: Mapped[LetterType] = relationship(lazy="joined")
    service_kelurahan: Mapped[Kelurahan] = relationship(foreign_keys=[service_kelurahan_code], lazy="joined")
    letter: Mapped["IssuedLetter | None"] = relationship(back_populates="request", lazy="joined")
    history: Mapped[list["RequestEvent"]] = relationship(order_by="RequestEvent.id", lazy="select")
    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id", lazy="select")


class RequestEvent(db.Model):
    """One transition of a request: who, when, from, to, note."""

    __tablename__ = "letter_request_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_requests.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LetterCounter(db.Model):
    """The last letter number an office gave out in a year; bumped inside the signing transaction."""

    __tablename__ = "letter_counters"

    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class IssuedLetter(db.Model):
    """A signed letter: its number, signer copy, QR text and everything the PDF is rendered from."""

    __tablename__ = "letters"
    __table_args__ = (
        UniqueConstraint("issuing_kelurahan_code", "year", "seq"),
        # Open data: a month's requests find their letters' issue times in the index alone.
        Index("ix_letters_request_issued", "request_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_requests.id"), unique=True)
    issuing_kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    type_code: Mapped[str] = mapped_column(String(40))
    type_name: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cti: Mapped[bytes] = mapped_column(LargeBinary(16), unique=True)
    nonce: Mapped[str] = mapped_column(String(32))
    kid: Mapped[str] = mapped_column(String(16), index=True)  # base64url of the signing key id
    qr_text: Mapped[str] = mapped_column(Text)
    holder_name_masked: Mapped[str] = mapped_column(String(60))
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(100))
    signer_title: Mapped[str] = mapped_column(String(100))
    signer_nip: Mapped[str | None] = mapped_column(String(18))
    # Letterhead lines and place as printed at signing, so re-rendering the PDF later gives the same letter.
    letterhead: Mapped[list] = mapped_column(JSON)
    place: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    request: Mapped[LetterRequest] = relationship(back_populates="letter")

    def state(self, now: datetime | None = None) -> str:
        return letter_state(self.revoked_at, self.valid_until, now or utcnow())


def letter_state(revoked_at: datetime | None, valid_until: datetime, now: datetime) -> str:
    if revoked_at is not None:
        return "revoked"
    return "expired" if now > as_utc(valid_until) else "valid"


class Attachment(db.Model):
    """A requirement photo or scan; the bytes live under UPLOADS_DIR with a random name."""

    __tablename__ = "letter_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("letter_requests.id"), index=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
