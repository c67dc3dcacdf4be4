"""SQL building blocks for open data, the same numbers on SQLite and PostgreSQL.

Percentiles are computed in the database with window functions (row_number and count per group) and linear
interpolation between the two nearest ranks, which is exactly PostgreSQL's percentile_cont, so both backends
agree to the last digit."""

from datetime import datetime

from sqlalchemy import Integer, case, cast, func, literal_column
from sqlalchemy.sql import ColumnElement

from citizen_app.extensions import db


def _dialect() -> str:
    return db.engine.dialect.name


def month_bucket(column, offset_hours: int) -> ColumnElement:
    """'YYYY-MM' of a UTC timestamp in the city's local time (Indonesian zones have no DST)."""
    if _dialect() == "postgresql":
        local = func.timezone("UTC", column) + literal_column(f"interval '{int(offset_hours)} hours'")
        return func.to_char(local, "YYYY-MM")
    return func.strftime("%Y-%m", column, f"{int(offset_hours):+d} hours")


def hours_between(start, end) -> ColumnElement:
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def minutes_between(start, end) -> ColumnElement:
    return hours_between(start, end) * 60.0


def percentile_parts(value, partition_by: list, p: float):
    """Window columns for percentile p over `value` within each group: (0-based rank, floor index, position).
    Select them in a subquery, then aggregate with percentile_from() in the outer GROUP BY."""
    rank = func.row_number().over(partition_by=partition_by, order_by=value) - 1
    n = func.count(value).over(partition_by=partition_by)
    position = (n - 1) * p
    # PostgreSQL's CAST rounds (3.6 → 4) where SQLite's truncates; floor() is the intent on both.
    lower = cast(func.floor(position), Integer) if _dialect() == "postgresql" else cast(position, Integer)
    return rank, lower, position


def percentile_from(rank, lower, position, value) -> ColumnElement:
    """Linear interpolation between the values at floor and ceil of the position (= percentile_cont)."""
    upper = lower + case((position > lower, 1), else_=0)
    lo_value = func.max(case((rank == lower, value)))
    hi_value = func.max(case((rank == upper, value)))
    frac = func.max(case((rank == lower, position - lower)))
    return lo_value + (hi_value - lo_value) * frac


def utc_offset_hours(tz) -> int:
    return int(datetime.now(tz).utcoffset().total_seconds() // 3600)
