from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def city_tz() -> ZoneInfo:
    from citizen_app.cities.services import current_city_profile

    return ZoneInfo(current_city_profile().get("timezone", "Asia/Makassar"))


def local_now() -> datetime:
    return utcnow().astimezone(city_tz())


def instance_path(*parts: str) -> str:
    import os

    return os.path.join(current_app.config["INSTANCE_PATH"], *parts)
