"""Open-data plumbing shared by every statistic: date filters, small-cell suppression, CSV, caching."""

import csv
import io
import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime

from flask import Response
from marshmallow import ValidationError, fields, validate, validates_schema

from citizen_app.cities.services import city_tz
from citizen_app.common.schemas import StrictSchema
from citizen_app.common.time import utcnow
from citizen_app.i18n import register_messages

SMALL_CELL = 5  # counts below this are shown as "<5" so no cell identifies a person
register_messages({"'from' must not be after 'to'.": "'from' tidak boleh setelah 'to'."})


class StatsArgs(StrictSchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))

    @validates_schema
    def _order(self, data, **_kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("'from' must not be after 'to'.", field_name="from")


def utc_range(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """City-local calendar days [from, to] as UTC instants [start, end)."""
    tz = city_tz()
    start = datetime.combine(date_from, dtime.min, tz) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), dtime.min, tz) if date_to else None
    return start, end


def suppress(count: int | None):
    """Counts of 1..4 become "<5"; zero stays 0 (an empty cell identifies no one)."""
    if count is None:
        return 0
    count = int(count)
    return "<5" if 0 < count < SMALL_CELL else count


def rounded(value, digits: int = 1):
    return None if value is None else round(float(value), digits)


def envelope(rows: list[dict], args: dict, **extra) -> dict:
    return {
        "generated_at": utcnow().isoformat(),
        "from": args.get("from_").isoformat() if args.get("from_") else None,
        "to": args.get("to").isoformat() if args.get("to") else None,
        "items": rows,
        **extra,
    }


def to_csv(rows: list[dict], columns: list[str], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class VersionedCache:
    """Results keyed by (name, params) and stamped with the data version they were computed from.

    Same version: served from memory. New data within `stale_seconds` of the last computation: the last figures
    are served at once (their generated_at says how old they are) and one background thread recomputes them, so
    no request waits seconds for a GROUP BY over millions of rows. Older than that, or never computed: computed
    now. stale_seconds=0 makes every change visible on the next request."""

    def __init__(self, max_entries: int = 256):
        self.max_entries = max_entries
        self._data: dict = {}
        self._refreshing: set = set()
        self._lock = threading.Lock()

    def get_or_compute(self, key: tuple, version, compute: Callable[[], object], refresh: Callable | None = None,
                       stale_seconds: float = 0):
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit and hit[0] == version:
                return hit[2]
            serve_stale = hit is not None and now - hit[1] < stale_seconds and refresh is not None
            start_refresh = serve_stale and key not in self._refreshing
            if start_refresh:
                self._refreshing.add(key)
        if serve_stale:
            if start_refresh:
                threading.Thread(target=self._refresh, args=(key, version, refresh), daemon=True).start()
            return hit[2]
        return self._store(key, version, compute())

    def _refresh(self, key, version, refresh):
        try:
            self._store(key, version, refresh())
        except Exception:  # noqa: BLE001 - the next request recomputes; a failed refresh must not kill anything
            logging.getLogger(__name__).exception("stats refresh failed for %s", key[0])
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def _store(self, key, version, value):
        with self._lock:
            if len(self._data) >= self.max_entries:
                self._data.clear()
            self._data[key] = (version, time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


cache = VersionedCache()


def max_ids(*columns) -> tuple:
    """A data version from the newest primary keys of append-mostly tables: primary-key lookups, instant at a
    million rows, and they move whenever a figure could (ids are never reused; tests clear the cache)."""
    from sqlalchemy import func, select

    from citizen_app.extensions import db

    return tuple(db.session.execute(select(*(select(func.max(c)).scalar_subquery() for c in columns))).one())


def cached(name: str, date_from, date_to, version: tuple, compute: Callable[[], object]):
    """Figures for a public statistic; a background refresh runs `compute` in its own app context."""
    from flask import current_app

    app = current_app._get_current_object()

    def refresh():
        with app.app_context():
            return compute()

    return cache.get_or_compute((name, date_from, date_to), version, compute, refresh,
                                stale_seconds=app.config.get("STATS_STALE_SECONDS", 300))
