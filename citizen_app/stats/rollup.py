"""Monthly rollups: each month's published rows are computed once, stored, and reused by every period.

Every row of an open-data table belongs to one city-local month and depends only on the records of that month, so
the answer for any period is the stored rows of the whole months it covers plus, when it starts or ends
mid-month, those one or two edge months computed live. A question about a period nobody asked before therefore
reads a few hundred stored rows instead of grouping millions.

A stored month is dropped as soon as a record touching it is written. The datasets' tables are append-mostly:
every transition writes a row with a new id (history, timeline, ledger, audit), so the rows above the ids seen
last time name exactly the months that changed, found by primary-key range scans. A transaction can take its id
before the newest ids are read and commit after, so the last ID_MARGIN ids are looked at again each time."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from citizen_app import database
from citizen_app.cities.services import city_tz, current_city_code
from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.stats.models import StatsMonth, StatsWatermark

ID_MARGIN = 100


@dataclass(frozen=True)
class Dataset:
    name: str
    version: Callable[[], tuple]  # the newest id of every table whose writes can change a figure
    touched_months: Callable[[tuple], set]  # "YYYY-MM" of the records written after those ids
    extent: Callable[[], tuple]  # first and last city-local day with data, or (None, None)
    compute: Callable[[date, date], list]  # the published rows of [from, to] (each with "month"), from raw data


def local_days(instants) -> tuple:
    """City-local days of UTC instants (None stays None), for extents of timestamp columns."""
    tz = city_tz()
    return tuple(None if i is None else i.astimezone(tz).date() for i in instants)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from `first`'s to `last`'s."""
    months, day = [], month_start(first)
    while day <= last:
        months.append(day)
        day = month_end(day) + timedelta(days=1)
    return months


def period_rows(dataset: Dataset, date_from: date | None, date_to: date | None) -> list[dict]:
    """The dataset's rows for [date_from, date_to] (open ends: all data), in month order."""
    first, last = dataset.extent()
    if first is None:
        return []
    # Months outside the data hold no rows; clamping also keeps a period like 0001–9999 from storing empty months.
    low = max(date_from or date.min, month_start(first))
    high = min(date_to or date.max, month_end(last))
    if low > high:
        return []
    months = months_between(low, high)
    whole = [m for m in months if low <= m and month_end(m) <= high]
    stored = stored_months(dataset, whole)
    rows = []
    for m in months:
        if m in stored:
            rows += stored[m]
        else:
            rows += dataset.compute(max(low, m), min(high, month_end(m)))
    return rows


def stored_months(dataset: Dataset, months: list[date]) -> dict[date, list]:
    """Rows of whole months: from the rollup where current, computed (one pass per run of adjacent months) and
    stored where not."""
    city = current_city_code()
    version = dataset.version()
    _forget_touched(dataset, city, version)
    database.read_outside_transaction()  # the reads and computation hold no transaction (on SQLite: the writers)
    keys = {m.strftime("%Y-%m"): m for m in months}
    found = {keys[r.month]: r.rows for r in db.session.scalars(
        select(StatsMonth).where(StatsMonth.dataset == dataset.name, StatsMonth.city_code == city,
                                 StatsMonth.month.in_(list(keys))))}
    fresh = {}
    for run in _runs([m for m in months if m not in found]):
        by_month: dict[str, list] = {m.strftime("%Y-%m"): [] for m in run}
        for row in dataset.compute(run[0], month_end(run[-1])):
            by_month[row["month"]].append(row)
        fresh.update({keys[k]: v for k, v in by_month.items()})
    db.session.commit()
    if fresh:
        _store(dataset, city, version, {m.strftime("%Y-%m"): rows for m, rows in fresh.items()})
        db.session.commit()
    return found | fresh


def _runs(months: list[date]) -> list[list[date]]:
    runs: list[list[date]] = []
    for m in months:
        if runs and month_end(runs[-1][-1]) + timedelta(days=1) == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _ids(version: tuple) -> list[int]:
    return [v or 0 for v in version]


def _forget_touched(dataset: Dataset, city: str, version: tuple) -> None:
    """Drop the stored months that records written since the last check touch, and remember the newest ids."""
    db.session.commit()  # a GET's reads ran outside a transaction; this check writes, in one of its own
    mark = db.session.get(StatsWatermark, (dataset.name, city), with_for_update=True)
    now = _ids(version)
    if mark is not None and mark.ids == now:
        db.session.commit()  # nothing new: release the row now
        return
    if mark is None:
        db.session.add(StatsWatermark(dataset=dataset.name, city_code=city, ids=now))
    else:
        since = tuple(max(0, i - ID_MARGIN) for i in mark.ids)
        touched = dataset.touched_months(since)
        if touched:
            db.session.execute(StatsMonth.__table__.delete().where(
                StatsMonth.dataset == dataset.name, StatsMonth.city_code == city, StatsMonth.month.in_(touched)))
        mark.ids = now
    try:
        db.session.commit()
    except IntegrityError:  # another process created the watermark first: it checks the same records
        db.session.rollback()


def _store(dataset: Dataset, city: str, version: tuple, months: dict[str, list]) -> None:
    """Keep freshly computed months, unless newer records were checked meanwhile: those may touch these months
    after the computation read them, and a later check would no longer see them."""
    mark = db.session.get(StatsWatermark, (dataset.name, city), with_for_update=True, populate_existing=True)
    if mark is None or mark.ids != _ids(version):
        return
    now = utcnow()
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = insert(StatsMonth).values([
        {"dataset": dataset.name, "city_code": city, "month": month, "rows": rows, "computed_at": now}
        for month, rows in months.items()])
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["dataset", "city_code", "month"],
        set_={"rows": statement.excluded["rows"], "computed_at": now}))
