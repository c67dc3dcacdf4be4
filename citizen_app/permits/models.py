from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db
from citizen_app.identity.models import User

# The fields an admin edits and a version diff covers, in display order.
CONTENT_FIELDS = (
    "name", "aliases", "old_names", "sector", "authority", "channel", "requirements", "procedure",
    "sla_working_days", "fee_amount", "fee_note", "output", "validity", "legal_basis",
)


class Permit(db.Model):
    """One permit type of a city's catalogue (the citizen-facing parts of its standar pelayanan)."""

    __tablename__ = "permits"
    __table_args__ = (UniqueConstraint("city_code", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    old_names: Mapped[list] = mapped_column(JSON, default=list)
    sector: Mapped[str] = mapped_column(String(120))
    authority: Mapped[str] = mapped_column(String(300), default="")
    channel: Mapped[str] = mapped_column(String(300), default="")
    requirements: Mapped[list] = mapped_column(JSON, default=list)  # [{"text", "mandatory"}]
    procedure: Mapped[list] = mapped_column(JSON, default=list)  # [str]
    sla_working_days: Mapped[int | None] = mapped_column(Integer)
    # amount None: the tariff is set by a rule (the note says which); 0: free.
    fee_amount: Mapped[int | None] = mapped_column(BigInteger)
    fee_note: Mapped[str] = mapped_column(String(500), default="")
    output: Mapped[str] = mapped_column(String(300), default="")
    validity: Mapped[str] = mapped_column(String(300), default="")
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | retired
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Once an admin touched it, reloading the city pack leaves it alone.
    edited_by_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def content(self) -> dict:
        return {field: getattr(self, field) for field in CONTENT_FIELDS}

    @property
    def fee(self) -> dict:
        kind = "tariff" if self.fee_amount is None else ("free" if self.fee_amount == 0 else "fixed")
        return {"amount": self.fee_amount, "note": self.fee_note, "kind": kind}


class PermitVersion(db.Model):
    """Every change to a permit: who (None = the city pack), when, what changed, and the state after it."""

    __tablename__ = "permit_versions"
    __table_args__ = (UniqueConstraint("permit_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permits.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # created | updated | retired | restored
    source: Mapped[str] = mapped_column(String(10))  # admin | pack
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[User | None] = relationship(lazy="joined")
    changes: Mapped[dict] = mapped_column(JSON)  # {field: {"from": old, "to": new}}
    snapshot: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PermitCatalogState(db.Model):
    """A token that changes with every catalogue change, so each worker's search cache knows when to rebuild."""

    __tablename__ = "permit_catalog_state"

    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
