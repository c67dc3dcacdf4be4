"""Open data: sessions and revenue per zone and month. Figures only, no person; small counts masked."""

import csv
import io
from datetime import date

from sqlalchemy import Integer, cast, func, literal_column, or_, select, union

from citizen_app.audit.models import AuditEntry
from citizen_app.cities.services import current_city_code
from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.parking.models import LedgerEntry, ParkingSession, ParkingZone, Payment
from citizen_app.parking.reports import date_range
from citizen_app.stats.common import cached, max_ids
from citizen_app.stats.rollup import Dataset, period_rows

SMALL = 5  # counts below this are shown as "<5" so a rare visit can't be singled out
COLUMNS = ("month", "zone_code", "zone_name", "sessions", "revenue", "revenue_qris", "revenue_wallet", "revenue_cash")


def _month(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime("%Y-%m", column)


def _version() -> tuple:
    """Sessions, payments, ledger entries (settling a payment writes one) and audit entries (a cancellation
    writes one) version the figures."""
    return max_ids(ParkingSession.id, Payment.id, LedgerEntry.id, AuditEntry.id)


def _touched_months(since: tuple) -> set[str]:
    sessions, payments, ledger, audit = since
    cancelled = select(cast(AuditEntry.entity_id, Integer)).where(AuditEntry.id > audit,
                                                                   AuditEntry.entity_type == "parking_session")
    session_months = select(_month(ParkingSession.started_on)).where(
        or_(ParkingSession.id > sessions, ParkingSession.id.in_(cancelled)))
    settled = select(LedgerEntry.payment_id).where(LedgerEntry.id > ledger)
    payment_months = select(_month(Payment.paid_on)).where(Payment.paid_on.isnot(None),
                                                           or_(Payment.id > payments, Payment.id.in_(settled)))
    return set(db.session.scalars(union(session_months, payment_months)))


def _extent() -> tuple:
    first_session, last_session, first_paid, last_paid = db.session.execute(select(
        select(func.min(ParkingSession.started_on)).scalar_subquery(),
        select(func.max(ParkingSession.started_on)).scalar_subquery(),
        select(func.min(Payment.paid_on)).scalar_subquery(),
        select(func.max(Payment.paid_on)).scalar_subquery())).one()
    firsts = [d for d in (first_session, first_paid) if d is not None]
    lasts = [d for d in (last_session, last_paid) if d is not None]
    return (min(firsts), max(lasts)) if firsts else (None, None)


def cached_stats(date_from: date | None, date_to: date | None) -> dict:
    """Whole months come from the monthly rollup, so even a period nobody asked before is quick."""
    date_from, date_to = date_range(date_from, date_to, default_days=365)
    return cached("parking", date_from, date_to, _version(), lambda: _report(date_from, date_to,
                                                                             period_rows(DATASET, date_from, date_to)))


def parking_stats(date_from: date | None, date_to: date | None) -> dict:
    """The figures computed from the raw records (the rollup stores their months)."""
    date_from, date_to = date_range(date_from, date_to, default_days=365)
    return _report(date_from, date_to, _items(date_from, date_to))


def _report(date_from: date, date_to: date, items: list[dict]) -> dict:
    return {"from": date_from, "to": date_to, "generated_at": utcnow(), "city": current_city_code(),
            "items": items}


def _items(date_from: date, date_to: date) -> list[dict]:
    zones = dict(db.session.execute(select(ParkingZone.code, ParkingZone.name)
                                    .where(ParkingZone.city_code == current_city_code())).all())
    month = _month(ParkingSession.started_on).label("month")
    sessions = db.session.execute(
        select(month, ParkingSession.zone_code, func.count(ParkingSession.id))
        .where(ParkingSession.started_on.between(date_from, date_to), ParkingSession.status != "cancelled",
               ParkingSession.zone_code.in_(list(zones)))
        .group_by(month, ParkingSession.zone_code)
    ).all()
    paid_month = _month(Payment.paid_on).label("month")
    revenue = db.session.execute(
        select(paid_month, Payment.zone_code, Payment.method, func.sum(Payment.amount))
        .where(Payment.purpose == "parking", Payment.status == "paid", Payment.paid_on.between(date_from, date_to),
               Payment.zone_code.in_(list(zones)))
        .group_by(paid_month, Payment.zone_code, Payment.method)
    ).all()
    table: dict[tuple, dict] = {}

    def row(month_key, zone):
        return table.setdefault((month_key, zone), {
            "month": month_key, "zone_code": zone, "zone_name": zones.get(zone), "sessions": 0, "revenue": 0,
            "revenue_qris": 0, "revenue_wallet": 0, "revenue_cash": 0})

    for month_key, zone, count in sessions:
        row(month_key, zone)["sessions"] = count
    for month_key, zone, method, total in revenue:
        item = row(month_key, zone)
        item[f"revenue_{method}"] += int(total)
        item["revenue"] += int(total)
    return [dict(v, sessions=v["sessions"] if v["sessions"] >= SMALL or v["sessions"] == 0 else f"<{SMALL}")
            for _, v in sorted(table.items())]


DATASET = Dataset("parking", _version, _touched_months, _extent, _items)


def stats_csv(stats: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in stats["items"]:
        writer.writerow([item[c] if item[c] is not None else "" for c in COLUMNS])
    return out.getvalue()
