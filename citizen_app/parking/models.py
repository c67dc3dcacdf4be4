from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db

VEHICLE_CLASSES = ("motorcycle", "car", "six_wheel", "heavy")
SESSION_STATUSES = ("active", "stopped", "paid", "cancelled")
PAYMENT_STATUSES = ("pending", "paid", "failed", "expired")
PAYMENT_METHODS = ("qris", "wallet", "cash")


class ParkingTariff(db.Model):
    """A city's default flat tariff per vehicle class (zones copy it unless they override)."""

    __tablename__ = "parking_tariffs"

    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"), primary_key=True)
    vehicle_class: Mapped[str] = mapped_column(String(20), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)


class ParkingZone(db.Model):
    __tablename__ = "parking_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kelurahan_code: Mapped[str | None] = mapped_column(String(13))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    tariffs: Mapped[dict] = mapped_column(JSON)  # {vehicle_class: rupiah}
    hourly_surcharge: Mapped[int] = mapped_column(Integer, default=0)
    free_hours: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(default=True)


class ParkingSession(db.Model):
    __tablename__ = "parking_sessions"
    __table_args__ = (
        # One active session per plate per zone, held by the database even under concurrent starts.
        Index("uq_parking_sessions_active_plate", "zone_code", "plate_number", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        Index("ix_parking_sessions_user_started", "user_id", "started_at"),
        Index("ix_parking_sessions_zone_started", "zone_code", "started_at"),
        Index("ix_parking_sessions_started_on", "started_on"),  # open data: a month's sessions, the data's extent
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("parking_zones.code"))
    plate_number: Mapped[str] = mapped_column(String(16))
    vehicle_class: Mapped[str] = mapped_column(String(20))
    # The driver's account; empty when an attendant starts a session for a driver without the app.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_on: Mapped[date] = mapped_column(Date)  # city-local day, for reports grouped in the database
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amount: Mapped[int | None] = mapped_column(Integer)  # fixed when the session stops
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Payment(db.Model):
    __tablename__ = "parking_payments"
    __table_args__ = (
        Index("ix_parking_payments_paid_on", "paid_on", "zone_code"),
        Index("ix_parking_payments_session", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(25), unique=True)  # order_id at the provider, QRIS tag 62
    purpose: Mapped[str] = mapped_column(String(10))  # parking | topup
    method: Mapped[str] = mapped_column(String(10))
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_ref: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("parking_sessions.id"))
    zone_code: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # payer / wallet owner
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    attendant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # cash collector
    amount: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    qris_payload: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_on: Mapped[date | None] = mapped_column(Date)  # city-local day of settlement


class Wallet(db.Model):
    """A row to lock: the balance itself is the SUM of the wallet's ledger entries."""

    __tablename__ = "parking_wallets"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(db.Model):
    """Append-only. Every settlement writes entries that sum to zero: inflow channels (provider:<name>,
    cash:<attendant id>) go negative, holders (wallet:<user id>, city:parking) positive."""

    __tablename__ = "parking_ledger"
    __table_args__ = (
        UniqueConstraint("payment_id", "account"),  # a payment moves money through an account once
        Index("ix_parking_ledger_account", "account", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))  # parking | topup | refund
    payment_id: Mapped[int] = mapped_column(ForeignKey("parking_payments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CashDeposit(db.Model):
    """Setoran: an attendant hands the day's cash to the city; a city admin confirms receipt."""

    __tablename__ = "parking_deposits"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    deposited_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="recorded")  # recorded | confirmed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
