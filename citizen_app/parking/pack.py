"""Parking data from a city pack: tariffs (national default when the city has none) and the city's own zones."""

from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.parking.models import VEHICLE_CLASSES, ParkingTariff, ParkingZone


def load(pack, city) -> dict:
    data = pack.read_json("parking.json") or {}
    tariffs = {k: int(v) for k, v in (data.get("tariffs") or {}).items() if k in VEHICLE_CLASSES}
    existing = {t.vehicle_class: t for t in db.session.scalars(
        select(ParkingTariff).where(ParkingTariff.city_code == city.code))}
    for vehicle_class, amount in tariffs.items():
        row = existing.get(vehicle_class) or ParkingTariff(city_code=city.code, vehicle_class=vehicle_class)
        row.amount = amount
        db.session.add(row)
    # Zones are streets of one city: never borrow another city's (the default file's) zones.
    own = pack.read_json("parking.json", fallback_to_default=False) or {}
    zones = {z.code: z for z in db.session.scalars(select(ParkingZone).where(ParkingZone.city_code == city.code))}
    for item in own.get("zones", []):
        zone = zones.get(item["code"]) or ParkingZone(code=item["code"], city_code=city.code)
        zone.name = item["name"]
        zone.kelurahan_code = item.get("kelurahan_code")
        zone.latitude = item.get("latitude")
        zone.longitude = item.get("longitude")
        zone.tariffs = {**tariffs, **{k: int(v) for k, v in (item.get("tariffs") or {}).items()}}
        zone.hourly_surcharge = int(item.get("hourly_surcharge") or 0)
        zone.free_hours = item.get("free_hours")
        zone.is_active = item.get("active", True)
        db.session.add(zone)
    db.session.flush()
    return {"tariffs": len(tariffs), "zones": len(own.get("zones", []))}


def demo(accounts: dict) -> list[str]:
    from citizen_app.cities.services import current_city_code

    first = db.session.scalar(select(ParkingZone.code).where(ParkingZone.city_code == current_city_code())
                              .order_by(ParkingZone.id).limit(1))
    if first is None or "jukir" not in accounts:
        return []
    accounts["jukir"].zone_code = first
    return [f"parking attendant jukir works zone {first}"]
