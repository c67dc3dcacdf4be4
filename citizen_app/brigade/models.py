from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.brigade.geo import distance_and_eta
from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db

CALL_STATUSES = (
    "received", "triaged", "dispatched", "en_route", "on_scene", "transporting", "completed",
    "resolved_by_phone", "cancelled",
)
OPEN_STATUSES = ("received", "triaged")  # waiting for the dispatcher
TEAM_BOUND_STATUSES = ("dispatched", "en_route", "on_scene", "transporting")  # a team is busy with the call
ACTIVE_STATUSES = OPEN_STATUSES + TEAM_BOUND_STATUSES
FINAL_STATUSES = ("completed", "resolved_by_phone", "cancelled")
PRIORITIES = ("red", "yellow", "green")
TEAM_STATUSES = ("available", "dispatched", "en_route", "on_scene", "transporting", "off_duty")
OUTCOMES = ("treated_at_home", "referred_puskesmas", "referred_hospital")

# The checklist a caller picks from; labels in Bahasa Indonesia and English.
CATEGORIES = {
    "sesak_napas": ("Sesak napas", "Shortness of breath"),
    "nyeri_dada": ("Nyeri dada", "Chest pain"),
    "kecelakaan": ("Kecelakaan / cedera", "Accident / injury"),
    "demam_tinggi": ("Demam tinggi", "High fever"),
    "persalinan": ("Persalinan / kehamilan", "Childbirth / pregnancy"),
    "pingsan": ("Pingsan / tidak sadar", "Fainting / unconscious"),
    "stroke": ("Gejala stroke", "Stroke symptoms"),
    "lansia": ("Lansia sakit / tidak bisa bangun", "Elderly unwell / cannot get up"),
    "lainnya": ("Lainnya", "Other"),
}

_TEAM_BOUND_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in TEAM_BOUND_STATUSES))


class BrigadeTeam(db.Model):
    __tablename__ = "brigade_teams"
    __table_args__ = (Index("ix_brigade_teams_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="available")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic lock: two dispatchers grabbing the same team, or a medic going off duty during an assignment,
    # make the second writer fail instead of silently overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class BrigadeCall(db.Model):
    __tablename__ = "brigade_calls"
    __table_args__ = (
        Index("ix_brigade_calls_status_created", "status", "created_at"),
        Index("ix_brigade_calls_resident_created", "resident_id", "created_at"),
        Index("ix_brigade_calls_team_status", "team_id", "status"),
        Index("ix_brigade_calls_phone_created", "contact_phone", "created_at"),
        Index("ix_brigade_calls_created", "created_at"),
        # A team holds at most one active call, whatever the application code does.
        Index("uq_brigade_calls_active_team", "team_id", unique=True,
              sqlite_where=text(_TEAM_BOUND_SQL), postgresql_where=text(_TEAM_BOUND_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(30))
    complaint: Mapped[str] = mapped_column(Text)
    patient_name: Mapped[str] = mapped_column(String(100))
    patient_age: Mapped[int] = mapped_column(Integer)
    contact_phone: Mapped[str] = mapped_column(String(16))
    # No GPS on the phone (or permission refused): the address text alone must still reach the brigade.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="received")

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None
    priority: Mapped[str | None] = mapped_column(String(10))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("brigade_teams.id"))
    destination: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(30))
    possible_duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("brigade_calls.id"))
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("brigade_calls.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transporting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    team: Mapped[BrigadeTeam | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def _approach(self) -> tuple[float | None, int | None]:
        # Only meaningful while the team is on its way; recomputed from the team's latest position on every read.
        if self.status not in ("dispatched", "en_route"):
            return None, None
        return distance_and_eta(self.team, self.latitude, self.longitude)

    @property
    def distance_km(self) -> float | None:
        return self._approach()[0]

    @property
    def eta_minutes(self) -> int | None:
        return self._approach()[1]


class BrigadeCallEvent(db.Model):
    """One line of a call's timeline: what happened, when, and who did it."""

    __tablename__ = "brigade_call_events"
    __table_args__ = (Index("ix_brigade_call_events_call", "call_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("brigade_calls.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
