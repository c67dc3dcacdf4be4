"""City-pack rows (letter types, kelurahan, parking zones) kept by each worker.

They change only when `flask city load` loads a pack again, a few times a year, yet the busiest writes read them
on every request. Each worker keeps a row it read for CITY_PACK_RECHECK_SECONDS (0 in tests: nothing is kept) in
a cachetools TTLCache, so a pack loaded by another process reaches every worker within that time; the process that
loads a pack forgets at once (`forget`). A row that isn't there is not kept. Invariant: the kept object belongs to no
session (it is loaded by one of its own), and a caller gets a copy attached to its own session (the ORM's merge
with load=False: no query).
"""

import threading

from cachetools import TTLCache
from flask import current_app
from sqlalchemy.orm import Session

from citizen_app.extensions import db

_lock = threading.Lock()
SIZE = 4096  # rows: every kelurahan of a city, its letter types and zones, several times over


def kept(statement, params: dict, key: tuple):
    """The one object `statement` selects with `params` (None if none), kept under `key` for the recheck time.
    Load in `statement` whatever relationships callers read (a kept copy can't load what wasn't loaded)."""
    seconds = current_app.config["CITY_PACK_RECHECK_SECONDS"]
    if seconds <= 0:
        return db.session.execute(statement, params).unique().scalar_one_or_none()
    rows = current_app.extensions.get("city_pack_rows")
    if rows is None or rows.ttl != seconds:
        rows = current_app.extensions["city_pack_rows"] = TTLCache(maxsize=SIZE, ttl=seconds)
    with _lock:
        row = rows.get(key)
    if row is None:
        row = _load_apart(statement, params)
        if row is None:
            return None
        with _lock:
            rows[key] = row
    return db.session.merge(row, load=False)


def _load_apart(statement, params: dict):
    """The row loaded by a session of its own, so that no request's session owns (or changes) the kept object;
    outside a transaction, so it never waits for the write lock the caller's own transaction may hold."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection, \
            Session(connection) as loader:
        return loader.execute(statement, params).unique().scalar_one_or_none()


def forget() -> None:
    """After this process loaded a pack: every kept row is read again on its next use."""
    current_app.extensions.pop("city_pack_rows", None)
