"""Loading city packs. Each domain with pack data registers a loader: loader(pack, city) -> summary dict."""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from citizen_app.cities import rows
from citizen_app.cities.models import City
from citizen_app.cities.pack import CityPack
from citizen_app.extensions import db
from citizen_app.regions.models import Kecamatan, Kelurahan

PackLoader = Callable[[CityPack, City], dict]
_loaders: list[tuple[str, PackLoader]] = []


def register_pack_loader(name: str, loader: PackLoader) -> None:
    if all(existing != name for existing, _ in _loaders):
        _loaders.append((name, loader))


def load_city(code: str) -> dict:
    """Create or update a city and everything its pack carries; running it twice changes nothing."""
    pack = CityPack.named(code)
    profile = pack.profile
    city = db.session.get(City, code) or City(code=code)
    city.name = profile["name"]
    city.region_code = profile["region_code"]
    city.timezone = profile["timezone"]
    city.profile = profile
    db.session.add(city)
    db.session.flush()
    summary = {"city": code, **_load_regions(pack, city)}
    for name, loader in _loaders:
        summary[name] = loader(pack, city)
    db.session.commit()
    _profile_cache.clear()
    rows.forget()
    return summary


def _load_regions(pack: CityPack, city: City) -> dict:
    kecamatan = {k.code: k for k in db.session.scalars(select(Kecamatan).where(Kecamatan.city_code == city.code))}
    kelurahan = {k.code: k for k in db.session.scalars(select(Kelurahan).where(Kelurahan.city_code == city.code))}
    for row in pack.kelurahan_rows():
        kec = kecamatan.get(row["kode_kecamatan"])
        if kec is None:
            kec = kecamatan[row["kode_kecamatan"]] = Kecamatan(code=row["kode_kecamatan"], city_code=city.code)
            db.session.add(kec)
        kec.name = row["nama_kecamatan"]
        kel = kelurahan.get(row["kode_kelurahan"])
        if kel is None:
            kel = kelurahan[row["kode_kelurahan"]] = Kelurahan(code=row["kode_kelurahan"], city_code=city.code)
            db.session.add(kel)
        kel.kecamatan_code = kec.code
        kel.name = row["nama_kelurahan"]
        kel.postal_code = row.get("kode_pos") or None
    db.session.flush()
    return {"kecamatan": len(kecamatan), "kelurahan": len(kelurahan)}


_profile_cache: dict[str, dict] = {}


def current_city_code() -> str:
    return current_app.config["CITY"]


def current_city() -> City | None:
    return db.session.get(City, current_city_code())


def current_city_profile() -> dict:
    """The serving city's profile; cached per process (it changes only through `city load`)."""
    code = current_city_code()
    if code not in _profile_cache:
        city = db.session.get(City, code)
        _profile_cache[code] = dict(city.profile) if city else CityPack.named(code).profile
    return _profile_cache[code]


def city_tz() -> ZoneInfo:
    """The serving city's time zone (its pack's profile), for local days, months and printed times."""
    return ZoneInfo(current_city_profile().get("timezone", "Asia/Makassar"))
