"""Monthly rollups of open data (see citizen_app/stats/rollup.py): the published rows of each city-local month,
and per dataset the newest ids the stored months are current with."""

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db


class StatsMonth(db.Model):
    __tablename__ = "stats_months"

    dataset: Mapped[str] = mapped_column(String(20), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, city-local
    rows: Mapped[list] = mapped_column(JSON)  # exactly the rows the endpoint publishes for that month
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatsWatermark(db.Model):
    __tablename__ = "stats_watermarks"

    dataset: Mapped[str] = mapped_column(String(20), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    ids: Mapped[list] = mapped_column(JSON)  # the dataset's newest ids when its stored months were last checked
