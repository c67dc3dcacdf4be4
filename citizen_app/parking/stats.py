"""Open data: sessions and revenue per zone and month. Figures only, no person; small counts masked."""

import csv
import io
from datetime import date

from sqlalchemy import func, literal_column, select

from citizen_app.cities.services import current_city_code
from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.parking.models import ParkingSession, ParkingZone, Payment
from citizen_app.parking.reports import date_range

SMALL = 5  # counts below this are shown as "<5" so a rare visit can't be singled out
COLUMNS = ("month", "zone_code", "zone_name", "sessions", "revenue", "revenue_qris", "revenue_wallet", "revenue_cash")


def _month(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, literal_column("'YYYY-MM'"))
    return func.strftime("%Y-%m", column)


def cached_stats(date_from: date | None, date_to: date | None) -> dict:
    """Sessions, payments and ledger entries version the figures (settling a payment writes the ledger); a
    cancellation alone shows within the cache's five minutes."""
    from citizen_app.parking.models import LedgerEntry
    from citizen_app.stats.common import cached, max_ids

    return cached("parking", date_from, date_to, max_ids(ParkingSession.id, Payment.id, LedgerEntry.id),
                  lambda: parking_stats(date_from, date_to))


def parking_stats(date_from: date | None, date_to: date | None) -> dict:
    date_from, date_to = date_range(date_from, date_to, default_days=365)
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
    items = [dict(v, sessions=v["sessions"] if v["sessions"] >= SMALL or v["sessions"] == 0 else f"<{SMALL}")
             for _, v in sorted(table.items())]
    return {"from": date_from, "to": date_to, "generated_at": utcnow(), "city": current_city_code(),
            "items": items}


def stats_csv(stats: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for item in stats["items"]:
        writer.writerow([item[c] if item[c] is not None else "" for c in COLUMNS])
    return out.getvalue()
