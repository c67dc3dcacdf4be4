"""Prepared reads for the hottest queries: compiled once per database, run on the DB-API cursor of the session's
connection (so they see the request's own transaction).

SQLAlchemy's Core execute costs about 50 µs per statement before the database does anything (cache key, execution
context, result metadata); the DB-API cursor costs a few. Every authenticated request asks who holds its token,
and every scan of a known QR whether the letter was revoked: on those, the difference is a fair share of the
request. Columns keep their SQLAlchemy types' result conversions (a UTC datetime stays one on SQLite); parameters
are passed to the driver as they are, so give plain values (str, int, bytes), as the hot paths do. A driver error
comes out as SQLAlchemy's, as from any other query (a lost database connection is a 503, and the pool replaces it).
"""

from collections import namedtuple

from sqlalchemy import Select
from sqlalchemy.exc import DBAPIError

from citizen_app.extensions import db


class Prepared:
    """`rows()` gives sequences in the selected columns' order; `first()` a named tuple, named after the columns
    (label a column whose name repeats)."""

    __slots__ = ("statement", "_compiled", "_row")

    def __init__(self, statement: Select):
        self.statement = statement
        self._compiled: dict[str, tuple] = {}  # dialect name -> (sql, parameter names or None, converters)
        self._row = namedtuple("Row", [c.key for c in statement.selected_columns], rename=True)

    def _for(self, dialect) -> tuple:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            done = self.statement.compile(dialect=dialect)
            names = tuple(done.positiontup) if dialect.positional else None
            converters = tuple(
                (i, convert) for i, column in enumerate(self.statement.selected_columns)
                if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None)
            compiled = self._compiled[dialect.name] = (done.string, names, converters)
        return compiled

    def rows(self, params: dict, connection=None) -> list:
        """On `connection` if given (a SQLAlchemy Connection), else on the session's."""
        connection = connection if connection is not None else db.session.connection()
        sql, names, converters = self._for(connection.dialect)
        dbapi = connection.dialect.loaded_dbapi
        cursor = None
        try:
            cursor = connection.connection.cursor()
            cursor.execute(sql, tuple(params[name] for name in names) if names is not None else params)
            rows = cursor.fetchall()
        except dbapi.Error as exc:
            lost = connection.dialect.is_disconnect(exc, connection.connection.dbapi_connection, cursor)
            if lost:
                connection.invalidate(exc)
            raise DBAPIError.instance(sql, params, exc, dbapi.Error, connection_invalidated=lost,
                                      dialect=connection.dialect) from exc
        finally:
            if cursor is not None:
                try:
                    cursor.close()
                except dbapi.Error:  # its connection was lost with it
                    pass
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for i, convert in converters:
                row[i] = convert(row[i])
            converted.append(row)
        return converted

    def first(self, params: dict, connection=None) -> tuple | None:
        rows = self.rows(params, connection)
        return self._row._make(rows[0]) if rows else None
