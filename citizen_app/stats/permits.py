"""The permit catalogue in figures, per sector: how many permits, how many free, working days promised."""

from sqlalchemy import case, func, select

from citizen_app.cities.services import current_city_code
from citizen_app.extensions import db
from citizen_app.permits.models import Permit

COLUMNS = ["sector", "permits", "free", "paid", "tariff_by_rule", "avg_sla_working_days", "max_sla_working_days"]


def permit_stats() -> list[dict]:
    rows = db.session.execute(
        select(
            Permit.sector,
            func.count().label("permits"),
            func.sum(case((Permit.fee_amount == 0, 1), else_=0)).label("free"),
            func.sum(case((Permit.fee_amount > 0, 1), else_=0)).label("paid"),
            func.sum(case((Permit.fee_amount.is_(None), 1), else_=0)).label("tariff_by_rule"),
            func.avg(Permit.sla_working_days).label("avg_sla"),
            func.max(Permit.sla_working_days).label("max_sla"),
        )
        .where(Permit.city_code == current_city_code(), Permit.status == "active")
        .group_by(Permit.sector)
        .order_by(Permit.sector)
    ).all()
    # Public catalogue facts, not people: no small-cell suppression needed.
    return [
        {"sector": r.sector, "permits": r.permits, "free": r.free, "paid": r.paid, "tariff_by_rule": r.tariff_by_rule,
         "avg_sla_working_days": None if r.avg_sla is None else round(float(r.avg_sla), 1),
         "max_sla_working_days": r.max_sla}
        for r in rows
    ]


def data_version() -> tuple:
    return tuple(db.session.execute(
        select(func.count(Permit.id), func.max(Permit.updated_at)).where(Permit.city_code == current_city_code())
    ).one())
