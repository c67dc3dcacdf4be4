"""Revenue for the city (per zone, attendant, method and day) and the attendant's own day, grouped in the DB."""

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

import citizen_app.parking.messages  # noqa: F401
from citizen_app.cities.services import city_tz, current_city_code
from citizen_app.common.time import utcnow
from citizen_app.errors import field_error
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.parking.models import CashDeposit, ParkingSession, ParkingZone, Payment

MAX_DAYS = 366
CSV_COLUMNS = ("date", "zone_code", "attendant_id", "attendant", "method", "payments", "amount")


def today() -> date:
    return utcnow().astimezone(city_tz()).date()


def date_range(date_from: date | None, date_to: date | None, default_days: int = 30) -> tuple[date, date]:
    date_to = date_to or today()
    date_from = date_from or date_to - timedelta(days=default_days - 1)
    if date_from > date_to:
        raise field_error("from", "'from' must not be after 'to'.")
    if (date_to - date_from).days >= MAX_DAYS:
        raise field_error("from", "The date range may span at most {days} days.", days=MAX_DAYS)
    return date_from, date_to


def _city_zones():
    return select(ParkingZone.code).where(ParkingZone.city_code == current_city_code())


def _usernames(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def revenue(args: dict) -> dict:
    date_from, date_to = date_range(args.get("date_from"), args.get("date_to"))
    paid = [Payment.purpose == "parking", Payment.status == "paid", Payment.paid_on.between(date_from, date_to),
            Payment.zone_code.in_(_city_zones())]
    if args.get("zone"):
        paid.append(Payment.zone_code == args["zone"])
    grouped = db.session.execute(
        select(Payment.paid_on, Payment.zone_code, Payment.attendant_id, Payment.method,
               func.count(Payment.id), func.sum(Payment.amount))
        .where(*paid).group_by(Payment.paid_on, Payment.zone_code, Payment.attendant_id, Payment.method)
        .order_by(Payment.paid_on, Payment.zone_code, Payment.method)
    ).all()
    deposits = db.session.execute(
        select(CashDeposit.attendant_id, CashDeposit.status, func.sum(CashDeposit.amount))
        .where(CashDeposit.deposited_on.between(date_from, date_to))
        .group_by(CashDeposit.attendant_id, CashDeposit.status)
    ).all()
    names = _usernames({r[2] for r in grouped} | {d[0] for d in deposits})
    rows = [{"date": day, "zone_code": zone, "attendant_id": att, "attendant": names.get(att), "method": method,
             "payments": count, "amount": int(total)} for day, zone, att, method, count, total in grouped]
    return {
        "from": date_from, "to": date_to, "zone": args.get("zone"), "generated_at": utcnow(),
        "total": sum(r["amount"] for r in rows), "payments": sum(r["payments"] for r in rows), "rows": rows,
        "by_zone": _totals(rows, "zone_code"), "by_method": _totals(rows, "method"),
        "by_attendant": _totals([r for r in rows if r["attendant_id"]], "attendant_id"),
        "by_day": _totals(rows, "date"),
        "cash": _cash(rows, deposits, names),
    }


def _totals(rows: list[dict], key: str) -> list[dict]:
    out: dict = {}
    for row in rows:
        value = row[key].isoformat() if isinstance(row[key], date) else row[key]
        item = out.setdefault(value, {key: value, "payments": 0, "amount": 0})
        item["payments"] += row["payments"]
        item["amount"] += row["amount"]
    return list(out.values())


def _cash(rows: list[dict], deposits, names: dict) -> list[dict]:
    out: dict[int, dict] = {}

    def entry(att):
        return out.setdefault(att, {"attendant_id": att, "attendant": names.get(att), "cash_recorded": 0,
                                    "deposited_confirmed": 0, "deposited_pending": 0})

    for row in rows:
        if row["method"] == "cash":
            entry(row["attendant_id"])["cash_recorded"] += row["amount"]
    for att, status, total in deposits:
        entry(att)["deposited_confirmed" if status == "confirmed" else "deposited_pending"] += int(total)
    for item in out.values():
        item["outstanding"] = item["cash_recorded"] - item["deposited_confirmed"]
    return sorted(out.values(), key=lambda i: i["attendant_id"])


def revenue_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report["rows"]:
        writer.writerow([row["date"].isoformat(), *(row[c] if row[c] is not None else "" for c in CSV_COLUMNS[1:])])
    return out.getvalue()


def attendant_today(actor: User) -> dict:
    zones = [z for z in (actor.zone_code or "").split(",") if z]
    day = today()
    by_method = db.session.execute(
        select(Payment.method, func.count(Payment.id), func.coalesce(func.sum(Payment.amount), 0))
        .where(Payment.purpose == "parking", Payment.status == "paid", Payment.paid_on == day,
               Payment.zone_code.in_(zones)).group_by(Payment.method)
    ).all()
    my_cash = db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.method == "cash", Payment.status == "paid", Payment.attendant_id == actor.id,
        Payment.paid_on == day))
    started = db.session.scalar(select(func.count(ParkingSession.id)).where(
        ParkingSession.zone_code.in_(zones), ParkingSession.started_on == day))
    active = db.session.scalar(select(func.count(ParkingSession.id)).where(
        ParkingSession.zone_code.in_(zones), ParkingSession.status == "active"))
    cash_all = db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.method == "cash", Payment.status == "paid", Payment.attendant_id == actor.id))
    deposited_all = db.session.scalar(select(func.coalesce(func.sum(CashDeposit.amount), 0)).where(
        CashDeposit.attendant_id == actor.id))
    methods = {m: {"payments": c, "amount": int(a)} for m, c, a in by_method}
    return {
        "date": day, "zones": zones, "sessions_started": started, "sessions_active": active,
        "by_method": methods, "total": sum(v["amount"] for v in methods.values()),
        "cash_collected": int(my_cash), "cash_not_deposited": int(cash_all) - int(deposited_all),
    }
