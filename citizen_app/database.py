"""How requests use the database: SQLite set up by SQLAlchemy's pysqlite recipe, and reads outside transactions.

SQLite (the demo and single-box set-up), as SQLAlchemy documents for pysqlite ("Serializable isolation /
Savepoints / Transactional DDL"): the driver's own transaction handling is turned off, and each transaction the
engine begins is a `BEGIN IMMEDIATE`, which takes SQLite's write lock at once. A transaction that read first and
wrote later would otherwise fail with "database is locked" when another writer committed in between (SQLite can't
upgrade a stale read snapshot), and `busy_timeout` makes a writer wait for the lock instead of failing. WAL lets
readers run beside the writer.

Reads run outside a transaction on every database: a GET or HEAD request's session runs in the driver's
autocommit mode (`read_only_session()`, session.py). A read-only request then costs its queries and nothing
more: no connection at all if it needs none, no BEGIN and no ROLLBACK round trips on PostgreSQL, no write lock
on SQLite. Under PostgreSQL's default READ COMMITTED each statement sees its own snapshot anyway, so the answers
are the same.

Invariants: a GET or HEAD view writes only in a transaction it begins with `db.session.commit()` (the open-data
store, filled on first ask, is the one that does); no transaction is held across a network call or a long
computation (on SQLite it holds every writer).
"""

import functools
import logging

from flask import request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError

from citizen_app.errors import error_response, handle_unexpected
from citizen_app.extensions import db
from citizen_app.request_id import current_request_id
from citizen_app.session import READING

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD"})


def configure_sqlite(engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:") or "mode=memory" in str(engine.url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # the engine says BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def read_outside_transaction() -> None:
    """What the session runs next runs in autocommit mode, until its next commit or rollback (session.py). Call it
    where the session has no connection yet (a request's start, right after a commit)."""
    db.session.info[READING] = True


def reads_only(view):
    """A POST view that only reads (a letter check sends its QR in a body): its session runs outside a
    transaction, as a GET's does. Place it above auth_required, so the token holder's read is outside one too."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        read_outside_transaction()
        return view(*args, **kwargs)

    return wrapper


def read_only_session() -> None:
    """A GET or HEAD API request reads in autocommit mode (see the module's docstring)."""
    if request.method in READ_METHODS and request.path.startswith("/api/"):
        read_outside_transaction()


def register(app) -> None:
    with app.app_context():
        configure_sqlite(db.engine)
    app.before_request(read_only_session)
    app.register_error_handler(DBAPIError, handle_database_unavailable)


def handle_database_unavailable(exc: DBAPIError):
    """The database went away (restart, network, failover) or stayed locked past the busy timeout: 503 with
    Retry-After. The pool replaces a lost connection, so the next request after the database returns succeeds."""
    if not _is_disconnect(exc):
        return handle_unexpected(exc)
    log.warning("database unavailable (request_id=%s): %s", current_request_id() or "-", exc.__class__.__name__)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone
        db.session.remove()
    return error_response(503, "service_unavailable", "The service is temporarily unavailable.",
                          headers={"Retry-After": "5"})


def _is_disconnect(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        return any(s in text for s in ("connect", "unable to open", "server closed", "terminating", "timeout",
                                       "could not receive", "no such host", "database is locked"))
    return False
