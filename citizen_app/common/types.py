from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_iso_text(dialect):
    """A function from a UTCDateTime column's value as the driver gives it to the ISO 8601 text marshmallow writes
    for the UTC datetime (`isoformat()`), for lists that turn many rows straight into JSON. On SQLite the text
    SQLAlchemy stored is rearranged instead of parsed into a datetime and written out again; any other text is
    parsed as usual."""
    to_datetime = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    if dialect.name != "sqlite":
        return lambda value: None if value is None else to_datetime(value).isoformat()

    def iso(value):
        if value is None:
            return None
        if len(value) == 26 and value[10] == " " and value[19] == ".":  # SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff"
            if value.endswith(".000000"):  # isoformat() leaves out a zero fraction
                return f"{value[:10]}T{value[11:19]}+00:00"
            return f"{value[:10]}T{value[11:]}+00:00"
        return to_datetime(value).isoformat()

    return iso


def render_migration_type(type_, obj, autogen_context):
    """Alembic hook: write our column types as plain SQLAlchemy types so migrations don't import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
