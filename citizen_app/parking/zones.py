import re

from sqlalchemy import select

from citizen_app.cities.services import current_city_code
from citizen_app.common.pagination import paginate
from citizen_app.errors import NotFound
from citizen_app.extensions import db
from citizen_app.parking import qrimage
from citizen_app.parking.models import ParkingTariff, ParkingZone
from citizen_app.parking.tariffs import surcharge_starts_after

ZONE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


def list_zones(page: int, per_page: int) -> dict:
    listing = paginate(select(ParkingZone).where(ParkingZone.city_code == current_city_code(),
                                                 ParkingZone.is_active.is_(True)).order_by(ParkingZone.code),
                       page, per_page)
    listing["items"] = [_present(z) for z in listing["items"]]
    return listing


def city_tariffs() -> dict[str, int]:
    rows = db.session.scalars(select(ParkingTariff).where(ParkingTariff.city_code == current_city_code()))
    return {r.vehicle_class: r.amount for r in rows}


def sign_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/#/parking/zone/{code}"


def get_zone(code: str, base_url: str) -> ParkingZone:
    if not ZONE_CODE.match(code):
        raise NotFound("Unknown parking zone.")
    zone = db.session.scalar(select(ParkingZone).where(ParkingZone.code == code,
                                                       ParkingZone.city_code == current_city_code()))
    if zone is None:
        raise NotFound("Unknown parking zone.")
    zone.sign_url = sign_url(base_url, zone.code)
    zone.sign_qr_url = f"/api/v1/parking/zones/{zone.code}/qr.png"
    return _present(zone)


def zone_qr_png(code: str, base_url: str) -> bytes:
    return qrimage.png(get_zone(code, base_url).sign_url)


def _present(zone: ParkingZone) -> ParkingZone:
    free = surcharge_starts_after(zone)
    zone.surcharge_after_hours = None if free is None else free // 3600
    return zone
