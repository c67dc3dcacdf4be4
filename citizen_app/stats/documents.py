"""Letters per serving kelurahan and month: requested, signed, rejected, hours from request to signature
(median, 90th percentile), and the share served outside the resident's home kelurahan."""

from sqlalchemy import and_, case, func, select, union
from sqlalchemy.dialects.postgresql import array

from citizen_app.cities.services import city_tz, current_city_code
from citizen_app.documents.models import IssuedLetter, LetterRequest, RequestEvent
from citizen_app.extensions import db
from citizen_app.regions.models import Kelurahan
from citizen_app.stats.common import max_ids, rounded, suppress, utc_range
from citizen_app.stats.rollup import Dataset, local_days
from citizen_app.stats.sql import hours_between, month_bucket, percentile_from, percentile_parts, utc_offset_hours

COLUMNS = ["month", "kelurahan_code", "kelurahan_name", "requested", "signed", "rejected",
           "median_hours_to_sign", "p90_hours_to_sign", "share_outside_home"]


def _filters(date_from, date_to):
    start, end = utc_range(date_from, date_to)
    conditions = [Kelurahan.city_code == current_city_code()]
    if start:
        conditions.append(LetterRequest.created_at >= start)
    if end:
        conditions.append(LetterRequest.created_at < end)
    return conditions


def _count_columns() -> list:
    return [
        LetterRequest.service_kelurahan_code.label("kelurahan_code"),
        func.min(Kelurahan.name).label("kelurahan_name"),
        func.count().label("requested"),
        func.sum(case((LetterRequest.status.in_(("signed", "collected")), 1), else_=0)).label("signed"),
        func.sum(case((LetterRequest.status == "rejected", 1), else_=0)).label("rejected"),
        func.sum(case((LetterRequest.home_kelurahan_code != LetterRequest.service_kelurahan_code, 1),
                      else_=0)).label("outside"),
    ]


def _figures_postgres(month, where, joined) -> tuple[list, dict]:
    """One pass: counts and both percentiles (one sort per group) over the requests and their letters."""
    hours = hours_between(LetterRequest.created_at, IssuedLetter.issued_at)
    rows = db.session.execute(
        select(month, *_count_columns(), func.percentile_cont(array([0.5, 0.9])).within_group(hours).label("pct"))
        .select_from(joined.outerjoin(IssuedLetter, IssuedLetter.request_id == LetterRequest.id))
        .where(and_(*where))
        .group_by(month, LetterRequest.service_kelurahan_code)
    ).all()
    return rows, {(r.month, r.kelurahan_code): r.pct for r in rows if r.pct is not None}


def _figures_portable(month, where, joined) -> tuple[list, dict]:
    """Counts, then percentiles from row_number()/count() windows (percentile_cont's formula, for SQLite)."""
    offset = utc_offset_hours(city_tz())
    counts = db.session.execute(
        select(month, *_count_columns()).select_from(joined).where(and_(*where))
        .group_by(month, LetterRequest.service_kelurahan_code)
    ).all()
    hours = hours_between(LetterRequest.created_at, IssuedLetter.issued_at)
    group = [month_bucket(LetterRequest.created_at, offset), LetterRequest.service_kelurahan_code]
    rank50, lower50, pos50 = percentile_parts(hours, group, 0.5)
    rank90, lower90, pos90 = percentile_parts(hours, group, 0.9)
    ranked = (
        select(month, LetterRequest.service_kelurahan_code.label("kel"), hours.label("h"),
               rank50.label("r"), lower50.label("l50"), pos50.label("p50"),
               lower90.label("l90"), pos90.label("p90"))
        .select_from(joined.join(IssuedLetter, IssuedLetter.request_id == LetterRequest.id))
        .where(and_(*where))
        .subquery()
    )
    timing = {
        (row.month, row.kel): (row.median, row.p90)
        for row in db.session.execute(
            select(
                ranked.c.month, ranked.c.kel,
                percentile_from(ranked.c.r, ranked.c.l50, ranked.c.p50, ranked.c.h).label("median"),
                percentile_from(ranked.c.r, ranked.c.l90, ranked.c.p90, ranked.c.h).label("p90"),
            ).group_by(ranked.c.month, ranked.c.kel)
        )
    }
    return counts, timing


def document_stats(date_from=None, date_to=None) -> list[dict]:
    month = month_bucket(LetterRequest.created_at, utc_offset_hours(city_tz())).label("month")
    joined = LetterRequest.__table__.join(Kelurahan, Kelurahan.code == LetterRequest.service_kelurahan_code)
    figures = _figures_postgres if db.engine.dialect.name == "postgresql" else _figures_portable
    counts, timing = figures(month, _filters(date_from, date_to), joined)
    rows = []
    for row in sorted(counts, key=lambda r: (r.month, r.kelurahan_code)):
        t = timing.get((row.month, row.kelurahan_code))
        rows.append({
            "month": row.month,
            "kelurahan_code": row.kelurahan_code,
            "kelurahan_name": row.kelurahan_name,
            "requested": suppress(row.requested),
            "signed": suppress(row.signed),
            "rejected": suppress(row.rejected),
            # Timings of fewer than five letters would describe individual residents.
            "median_hours_to_sign": rounded(t[0]) if t and row.signed >= 5 else None,
            "p90_hours_to_sign": rounded(t[1]) if t and row.signed >= 5 else None,
            "share_outside_home": round(row.outside / row.requested, 3) if row.requested >= 5 else None,
        })
    return rows


def _touched_months(since: tuple) -> set[str]:
    requests, events, letters = since
    ids = union(select(LetterRequest.id).where(LetterRequest.id > requests),
                select(RequestEvent.request_id).where(RequestEvent.id > events),
                select(IssuedLetter.request_id).where(IssuedLetter.id > letters))
    month = month_bucket(LetterRequest.created_at, utc_offset_hours(city_tz()))
    return set(db.session.scalars(select(month).distinct().where(LetterRequest.id.in_(ids))))


def _extent() -> tuple:
    return local_days(db.session.execute(
        select(func.min(LetterRequest.created_at), func.max(LetterRequest.created_at))).one())


def data_version() -> tuple:
    """Every transition writes a history row, so the newest ids change whenever any figure could: primary-key
    lookups, instant at a million rows."""
    return max_ids(LetterRequest.id, RequestEvent.id, IssuedLetter.id)


DATASET = Dataset("documents", data_version, _touched_months, _extent, document_stats)
