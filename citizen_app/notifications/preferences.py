"""Quiet hours: a daily window in the city's local time during which ordinary pushes wait."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(start: str | None, end: str | None, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The UTC end of the quiet window `now` falls in, or None when outside it. Windows may cross midnight."""
    if not start or not end:
        return None
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    local = now.astimezone(tz)
    clock = local.time().replace(second=0, microsecond=0, tzinfo=None)
    if begin < finish:
        inside = begin <= clock < finish
        end_day = local.date()
    else:
        inside = clock >= begin or clock < finish
        end_day = local.date() + timedelta(days=1) if clock >= begin else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, finish, tzinfo=tz).astimezone(UTC)
