import math
import re
from datetime import datetime

from citizen_app.errors import field_error
from citizen_app.parking.models import ParkingZone

PLATE = re.compile(r"^([A-Z]{1,2})([0-9]{1,4})([A-Z]{0,3})$")
DEFAULT_FREE_HOURS = 1  # a surcharge zone without free_hours charges from the second hour


def normalise_plate(raw: str) -> str:
    """'dh-1234 ab' -> 'DH 1234 AB'. Region prefix 1-2 letters, 1-4 digits, 0-3 letter suffix."""
    compact = re.sub(r"[\s\-.]", "", raw or "").upper()
    match = PLATE.match(compact)
    if not match:
        raise field_error("plate_number", "Not a valid Indonesian plate number (e.g. DH 1234 AB).")
    return " ".join(part for part in match.groups() if part)


def surcharge_starts_after(zone: ParkingZone) -> int | None:
    """Seconds of parking before the hourly surcharge starts, or None when the zone has none."""
    if not zone.hourly_surcharge:
        return None
    hours = zone.free_hours if zone.free_hours is not None else DEFAULT_FREE_HOURS
    return int(hours) * 3600


def amount_due(zone: ParkingZone, vehicle_class: str, started_at: datetime, until: datetime) -> int:
    """Flat tariff for the class, plus the zone's surcharge for every started hour past its free hours."""
    flat = int(zone.tariffs.get(vehicle_class, 0))
    free = surcharge_starts_after(zone)
    if free is None:
        return flat
    extra = (until - started_at).total_seconds() - free
    return flat + (math.ceil(extra / 3600) * zone.hourly_surcharge if extra > 0 else 0)
