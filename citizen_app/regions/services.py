from sqlalchemy import func, or_, select

from citizen_app.extensions import db
from citizen_app.regions.models import Kecamatan, Kelurahan


def get_kelurahan(code: str | None) -> Kelurahan | None:
    if not code:
        return None
    return db.session.get(Kelurahan, code)


def kecamatan_query(city_code: str):
    return select(Kecamatan).where(Kecamatan.city_code == city_code).order_by(Kecamatan.code)


def kelurahan_query(city_code: str, kecamatan: str | None = None, q: str | None = None):
    query = select(Kelurahan).where(Kelurahan.city_code == city_code).order_by(Kelurahan.code)
    if kecamatan:
        query = query.where(Kelurahan.kecamatan_code == kecamatan)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(Kelurahan.name).like(like), Kelurahan.code.like(like)))
    return query


def region_counts(city_code: str) -> dict:
    kec = db.session.scalar(select(func.count()).select_from(Kecamatan).where(Kecamatan.city_code == city_code))
    kel = db.session.scalar(select(func.count()).select_from(Kelurahan).where(Kelurahan.city_code == city_code))
    return {"kecamatan": kec or 0, "kelurahan": kel or 0}
