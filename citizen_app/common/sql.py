"""Prepared reads for the hottest queries: compiled once per database, run on the DB-API cursor of the session's
connection (so they see the request's own transaction), or on SQLite of a pooled one while the session has none.

SQLAlchemy's Core execute costs about 50 µs per statement before the database does anything (cache key, execution
context, result metadata); the DB-API cursor costs a few. Every authenticated request asks who holds its token,
and every scan of a known QR whether the letter was revoked: on those, the difference is a fair share of the
request. Columns keep their SQLAlchemy types' result conversions (a UTC datetime stays one on SQLite); parameters
are passed to the driver as they are, so give plain values (str, int, bytes), as the hot paths do. A driver error
comes out as SQLAlchemy's, as from any other query (a lost database connection is a 503, and the pool replaces it).
"""

import functools
from collections import namedtuple
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from flask import has_request_context, request
from sqlalchemy import Select, Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from citizen_app.extensions import db


class Prepared:
    """`rows()` gives sequences in the selected columns' order; `first()` a named tuple, named after the columns
    (label a column whose name repeats). The columns at the positions in `raw` come as the driver gives them,
    without their type's conversion, for a caller that converts them itself."""

    __slots__ = ("statement", "raw", "_compiled", "_row")

    def __init__(self, statement: Select, raw=()):
        self.statement = statement
        self.raw = frozenset(raw)
        self._compiled: dict[str, tuple] = {}  # dialect name -> (sql, parameter names or None, converters)
        self._row = namedtuple("Row", [c.key for c in statement.selected_columns], rename=True)

    def _for(self, dialect) -> tuple:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            done = self.statement.compile(dialect=dialect)
            names = tuple(done.positiontup) if dialect.positional else None
            converters = tuple(
                (i, convert) for i, column in enumerate(self.statement.selected_columns)
                if i not in self.raw
                and (convert := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None)
            compiled = self._compiled[dialect.name] = (done.string, names, converters)
        return compiled

    def rows(self, params: dict, connection=None, *, apart: bool = False) -> list:
        """On `connection` if given (a SQLAlchemy Connection), else on the session's, or, on SQLite while the
        session has no transaction, on a pooled connection of its own (`_reads_apart`). `apart=True`: on a pooled
        connection of its own wherever the pool has more than one, in any request, for a read that needs nothing
        of the session (a scan's revocation check)."""
        engine = _reads_apart(apart) if connection is None else None
        if engine is None:
            connection = connection if connection is not None else db.session.connection()
            return self._fetch(connection.dialect, connection.connection, connection.invalidate, params)
        pooled = engine.raw_connection()
        try:
            return self._fetch(engine.dialect, pooled, pooled.invalidate, params)
        finally:
            pooled.close()

    def _fetch(self, dialect, pooled, invalidate, params: dict) -> list:
        sql, names, converters = self._for(dialect)
        with _cursor(dialect, pooled, invalidate, sql, params) as cursor:
            cursor.execute(sql, tuple(params[name] for name in names) if names is not None else params)
            rows = cursor.fetchall()
        return self._converted(rows, converters)

    @staticmethod
    def _converted(rows: list, converters: tuple) -> list:
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for i, convert in converters:
                row[i] = convert(row[i])
            converted.append(row)
        return converted

    def first(self, params: dict, connection=None, *, apart: bool = False) -> tuple | None:
        rows = self.rows(params, connection, apart=apart)
        return self._row._make(rows[0]) if rows else None


class PreparedInsert:
    """An INSERT of the same columns every time, for the busiest writes, compiled once per database.

    `bind(values)` converts the values as SQLAlchemy would (JSON, UTC datetimes) and `run(bound)` only hands them to
    the driver. Bind everything first and run the INSERTs back to back, then commit: on SQLite, writers take turns,
    and a turn lasts from the transaction's first write to its commit, so only the driver's own work should be
    inside it. Values named in `run(bound, **late)` replace bound ones unconverted: an id the transaction's first
    INSERT made, for the rows that point to it. Give every column that has a Python-side default: no default is
    applied here."""

    __slots__ = ("table", "columns", "_compiled")

    def __init__(self, table: Table, columns):
        self.table = table
        self.columns = tuple(columns)
        defaulted = [c.key for c in table.columns if c.default is not None and c.key not in self.columns]
        if defaulted:
            raise TypeError(f"PreparedInsert({table.name}): give {', '.join(defaulted)}; no default is applied")
        self._compiled: dict[str, tuple] = {}  # dialect name -> (sql, parameter names or None, converters, returns)

    def _for(self, dialect) -> tuple:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            done = insert(self.table).compile(dialect=dialect, column_keys=list(self.columns))
            names = tuple(done.positiontup) if dialect.positional else None
            converters = tuple(
                (key, convert) for key in self.columns
                if (convert := self.table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None)
            returns = bool(done.effective_returning)  # RETURNING id on a database server; SQLite's lastrowid
            compiled = self._compiled[dialect.name] = (done.string, names, converters, returns)
        return compiled

    def bind(self, values: dict, connection=None) -> dict:
        """The values as the driver takes them (every column of `columns`, each once)."""
        connection = connection if connection is not None else db.session.connection()
        bound = {key: values[key] for key in self.columns}
        for key, convert in self._for(connection.dialect)[2]:
            bound[key] = convert(bound[key])
        return bound

    def run(self, bound: dict, connection=None, **late) -> int | None:
        """Insert one bound row in the session's transaction (or `connection`'s); the new row's primary key."""
        connection = connection if connection is not None else db.session.connection()
        sql, names, _converters, returns = self._for(connection.dialect)
        if late:
            bound = {**bound, **late}
        params = tuple(bound[name] for name in names) if names is not None else bound
        with _cursor(connection.dialect, connection.connection, connection.invalidate, sql, params) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0] if returns else cursor.lastrowid


def _reads_apart(always: bool = False):
    """The engine to read on outside the session, or None to read on the session's connection.

    A request's session costs about 40 µs to open a connection and give it back (the Session, its transaction,
    the Connection, the pool), a tenth of a resident's request list, whose reads are all prepared. On SQLite, while
    the session has no transaction, a read needs none of it: the pool hands over a connection in a few µs, and a
    read outside a transaction holds no snapshot. Not on a database server (every checkout would be a ping and a
    rollback more on the network), nor with SQLite's one connection per thread (an in-memory database), whose
    return would roll back whatever else the thread has open; and never once the session has begun, so a read
    sees the transaction's own writes. Nor in a request that may write (not a GET): it opens the session's
    connection anyway, and its reads before the first write would only add checkouts. `always`: wherever the pool
    has more than one connection (a caller's read that needs nothing of the session)."""
    engine = db.engine
    pooled = _POOLED.get(engine)
    if pooled is None:
        pooled = _POOLED[engine] = isinstance(engine.pool, QueuePool)
    if always:
        return engine if pooled else None
    if has_request_context() and request.method not in ("GET", "HEAD") and not request.environ.get(SESSION_FREE):
        return None
    registry = db.session.registry
    if registry.has() and registry().in_transaction():
        return None
    return engine if pooled and engine.dialect.name == "sqlite" else None


_POOLED: "WeakKeyDictionary" = WeakKeyDictionary()  # engine -> whether its pool has more than one connection
SESSION_FREE = "citizen.session_free"  # environ key: this request's view writes with write_apart(), not the session


def session_free(view):
    """Mark a view that writes with write_apart() and never through the session: its reads (the token holder's
    first of all) go apart too, on SQLite. Place it above auth_required."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request.environ[SESSION_FREE] = True
        return view(*args, **kwargs)

    return wrapper


class Apart:
    """A pooled connection of its own, as Prepared and PreparedInsert take one (`connection=`)."""

    __slots__ = ("dialect", "connection")

    def __init__(self, dialect, pooled):
        self.dialect = dialect
        self.connection = pooled

    def invalidate(self, exc=None) -> None:
        self.connection.invalidate(exc)


@contextmanager
def write_apart():
    """A transaction of prepared statements on a pooled connection of its own, committed when the block ends and
    rolled back if it raises: for the busiest writes, which are all prepared INSERTs. The ORM session's share of
    such a request (opening its connection, its commit, closing it) was about 50 µs. Nothing in the block may
    write through the session: the session is not committed with it. Driver errors, the commit's too, come out as
    SQLAlchemy's (a lost connection is a 503, and the pool replaces it)."""
    engine = db.engine
    pooled = engine.raw_connection()
    try:
        yield Apart(engine.dialect, pooled)
        with _driver_errors(engine.dialect, pooled, pooled.invalidate, "COMMIT", ()):
            pooled.commit()
    except BaseException:
        try:
            pooled.rollback()
        except engine.dialect.loaded_dbapi.Error:  # the connection is gone; the pool drops it
            pass
        raise
    finally:
        pooled.close()


@contextmanager
def _driver_errors(dialect, pooled, invalidate, sql: str, params):
    """Driver errors on the pooled connection `pooled` come out as SQLAlchemy's: a lost connection is invalidated,
    so the pool replaces it, and the request answers 503 like any other query's."""
    dbapi = dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        lost = dialect.is_disconnect(exc, pooled.dbapi_connection, None)  # the dialects here read no cursor
        if lost:
            invalidate(exc)
        raise DBAPIError.instance(sql, params, exc, dbapi.Error, connection_invalidated=lost,
                                  dialect=dialect) from exc


@contextmanager
def _cursor(dialect, pooled, invalidate, sql: str, params):
    """A DB-API cursor of the pooled connection `pooled`, with its driver errors as SQLAlchemy's."""
    cursor = None
    with _driver_errors(dialect, pooled, invalidate, sql, params):
        try:
            cursor = pooled.cursor()
            yield cursor
        finally:
            if cursor is not None:
                try:
                    cursor.close()
                except dialect.loaded_dbapi.Error:  # its connection was lost with it
                    pass
