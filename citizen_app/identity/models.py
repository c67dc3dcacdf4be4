from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db

ROLES = (
    "resident", "clerk", "lurah", "dispatcher", "medic", "parking_attendant", "permit_admin", "city_admin",
)
STAFF_ROLES = tuple(r for r in ROLES if r != "resident")
KELURAHAN_ROLES = ("clerk", "lurah")


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20), index=True)
    username: Mapped[str | None] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    email: Mapped[str | None] = mapped_column(String(120))
    # NIK: keyed hash for lookup and uniqueness, Fernet ciphertext for the owner, mask for everyone else.
    nik_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    nik_encrypted: Mapped[str | None] = mapped_column(String(255))
    nik_masked: Mapped[str | None] = mapped_column(String(16))
    nik_flags: Mapped[list | None] = mapped_column(JSON)
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_place: Mapped[str | None] = mapped_column(String(60))
    gender: Mapped[str | None] = mapped_column(String(6))
    religion: Mapped[str | None] = mapped_column(String(30))
    marital_status: Mapped[str | None] = mapped_column(String(30))
    occupation: Mapped[str | None] = mapped_column(String(60))
    nationality: Mapped[str] = mapped_column(String(10), default="WNI")
    address: Mapped[str | None] = mapped_column(String(255))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    # Residents: home kelurahan. Clerk/lurah: the kelurahan they act for.
    kelurahan_code: Mapped[str | None] = mapped_column(ForeignKey("kelurahan.code"), index=True)
    # Staff scopes: attendant's zone, medic's team, signer's NIP and title.
    zone_code: Mapped[str | None] = mapped_column(String(40))
    team_id: Mapped[int | None] = mapped_column()
    nip: Mapped[str | None] = mapped_column(String(18))
    title: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_staff(self) -> bool:
        return self.role != "resident"


class RevokedToken(db.Model):
    """JWT ids that no longer open anything: logged out, or refresh tokens already rotated."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
