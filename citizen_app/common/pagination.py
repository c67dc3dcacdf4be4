from sqlalchemy import Select, func, select

from citizen_app.extensions import db


def paginate(query: Select, page: int = 1, per_page: int = 20) -> dict:
    """Run a select for one page; returns the contract's list envelope with ORM objects as items."""
    per_page = max(1, min(per_page, 100))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}
