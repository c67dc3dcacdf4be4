"""Open data: calls and response times per month, computed in the database from the calls' timestamps.

Months are the city's local months. Percentiles follow PostgreSQL's percentile_cont (linear interpolation);
on SQLite the same formula runs over row_number()/count() windows, so both give the same figures. Durations
are whole seconds before the percentile, so floating-point noise can't make the two backends disagree.
No personal data: only counts and durations, and counts from 1 to 4 are shown as "<5"."""

import csv
import io
from datetime import date, datetime, time, timedelta

from sqlalchemy import Float, Integer, case, cast, func, literal, select, union

from citizen_app.brigade.models import CATEGORIES, PRIORITIES, BrigadeCall, BrigadeCallEvent
from citizen_app.cities.services import city_tz
from citizen_app.common.time import utcnow
from citizen_app.errors import field_error
from citizen_app.extensions import db
from citizen_app.stats.common import cached, max_ids
from citizen_app.stats.rollup import Dataset, local_days, period_rows

SMALL = 5
DURATIONS = {
    "answer_to_dispatch_minutes": ("created_at", "dispatched_at"),
    "dispatch_to_on_scene_minutes": ("dispatched_at", "on_scene_at"),
    "call_to_on_scene_minutes": ("created_at", "on_scene_at"),
}
STATUS_GROUPS = ("completed", "resolved_by_phone", "cancelled", "active")


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _month():
    tz = city_tz()
    if _is_postgres():
        return func.to_char(func.timezone(tz.key, BrigadeCall.created_at), "YYYY-MM")
    # Indonesian time zones keep no daylight saving, so a fixed offset is exact.
    minutes = int(datetime.now(tz).utcoffset().total_seconds() // 60)
    return func.strftime("%Y-%m", BrigadeCall.created_at, f"{minutes:+d} minutes")


def _seconds(start, end):
    if _is_postgres():
        return cast(func.round(func.extract("epoch", end - start)), Float)
    return func.round((func.julianday(end) - func.julianday(start)) * 86400.0)


def _window(date_from: date | None, date_to: date | None) -> list:
    tz = city_tz()
    conditions = []
    if date_from:
        conditions.append(BrigadeCall.created_at >= datetime.combine(date_from, time(), tz))
    if date_to:
        conditions.append(BrigadeCall.created_at < datetime.combine(date_to + timedelta(days=1), time(), tz))
    return conditions


def _shown(count: int) -> int | str:
    return "<5" if 0 < count < SMALL else count


def _counts(month, window) -> dict[str, dict]:
    rows = db.session.execute(
        select(month.label("month"), BrigadeCall.category, BrigadeCall.priority, BrigadeCall.status,
               func.count().label("n"))
        .where(*window).group_by(month, BrigadeCall.category, BrigadeCall.priority, BrigadeCall.status)
    ).all()
    months: dict[str, dict] = {}
    for m, category, priority, status, n in rows:
        row = months.setdefault(m, {
            "calls": 0, "by_category": dict.fromkeys(CATEGORIES, 0),
            "by_priority": dict.fromkeys((*PRIORITIES, "untriaged"), 0), "by_status": dict.fromkeys(STATUS_GROUPS, 0),
        })
        row["calls"] += n
        row["by_category"][category] = row["by_category"].get(category, 0) + n
        row["by_priority"][priority or "untriaged"] += n
        row["by_status"][status if status in STATUS_GROUPS else "active"] += n
    return months


def _percentiles_postgres(month, seconds, window) -> dict[str, tuple]:
    rows = db.session.execute(
        select(month, func.count(seconds),
               func.percentile_cont(0.5).within_group(seconds), func.percentile_cont(0.9).within_group(seconds))
        .where(*window, seconds.isnot(None)).group_by(month)
    ).all()
    return {m: (n, p50, p90) for m, n, p50, p90 in rows}


def _percentiles_sqlite(month, seconds, window) -> dict[str, tuple]:
    base = select(month.label("month"), seconds.label("d")).where(*window, seconds.isnot(None)).subquery()
    ranked = select(
        base.c.month, base.c.d,
        func.row_number().over(partition_by=base.c.month, order_by=base.c.d).label("rn"),
        func.count().over(partition_by=base.c.month).label("n"),
    ).subquery()
    columns = [ranked.c.month, func.max(ranked.c.n)]
    for p in (0.5, 0.9):
        position = literal(p) * (ranked.c.n - 1)
        lower = cast(position, Integer)  # position >= 0, so the cast is floor()
        first = func.max(case((ranked.c.rn == lower + 1, ranked.c.d)))
        second = func.max(case((ranked.c.rn == lower + 2, ranked.c.d)))
        fraction = func.max(position - lower)
        columns.append(first + fraction * (func.coalesce(second, first) - first))
    rows = db.session.execute(select(*columns).group_by(ranked.c.month)).all()
    return {m: (n, p50, p90) for m, n, p50, p90 in rows}


def _duration(figures: tuple | None) -> dict:
    n, p50, p90 = figures or (0, None, None)
    if n < SMALL:
        return {"n": _shown(n), "median": None, "p90": None}
    return {"n": n, "median": round(p50 / 60, 1), "p90": round(p90 / 60, 1)}


def _check_order(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise field_error("from", "from must not be after to.")


def brigade_stats(date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    _check_order(date_from, date_to)
    month, window = _month(), _window(date_from, date_to)
    months = _counts(month, window)
    percentiles = _percentiles_postgres if _is_postgres() else _percentiles_sqlite
    figures = {}
    for name, (start, end) in DURATIONS.items():
        seconds = _seconds(getattr(BrigadeCall, start), getattr(BrigadeCall, end))
        figures[name] = percentiles(month, seconds, window)
    rows = []
    for m in sorted(months):
        counts = months[m]
        rows.append({
            "month": m,
            "calls": _shown(counts["calls"]),
            **{key: {k: _shown(v) for k, v in counts[key].items()} for key in ("by_category", "by_priority",
                                                                                 "by_status")},
            **{name: _duration(figures[name].get(m)) for name in DURATIONS},
        })
    return rows


def _version() -> tuple:
    """Every transition writes a timeline event, so the newest call and event ids version the figures."""
    return max_ids(BrigadeCall.id, BrigadeCallEvent.id)


def _touched_months(since: tuple) -> set[str]:
    calls, events = since
    ids = union(select(BrigadeCall.id).where(BrigadeCall.id > calls),
                select(BrigadeCallEvent.call_id).where(BrigadeCallEvent.id > events))
    return set(db.session.scalars(select(_month()).distinct().where(BrigadeCall.id.in_(ids))))


def _extent() -> tuple:
    return local_days(db.session.execute(
        select(func.min(BrigadeCall.created_at), func.max(BrigadeCall.created_at))).one())


DATASET = Dataset("brigade", _version, _touched_months, _extent, brigade_stats)


def cached_report(date_from: date | None, date_to: date | None) -> dict:
    """Whole months come from the monthly rollup, so even a period nobody asked before is quick."""
    _check_order(date_from, date_to)
    return cached("brigade", date_from, date_to, _version(), lambda: stats_report(date_from, date_to))


def stats_report(date_from: date | None, date_to: date | None) -> dict:
    return {"generated_at": utcnow(), "date_from": date_from, "date_to": date_to,
            "items": period_rows(DATASET, date_from, date_to)}


def stats_csv(report: dict) -> str:
    out = io.StringIO()
    header = ["month", "calls"]
    header += [f"category_{c}" for c in CATEGORIES] + [f"priority_{p}" for p in (*PRIORITIES, "untriaged")]
    header += [f"status_{s}" for s in STATUS_GROUPS]
    for name in DURATIONS:
        header += [f"{name}_n", f"{name}_median", f"{name}_p90"]
    header.append("generated_at")
    generated = report["generated_at"].isoformat()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in report["items"]:
        line = [row["month"], row["calls"], *row["by_category"].values(), *row["by_priority"].values(),
                *row["by_status"].values()]
        for name in DURATIONS:
            line += [row[name]["n"], _blank(row[name]["median"]), _blank(row[name]["p90"])]
        writer.writerow([*line, generated])
    return out.getvalue()


def _blank(value):
    return "" if value is None else value

