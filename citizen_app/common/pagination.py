from sqlalchemy import Select, func, select

from citizen_app.extensions import db


def paginate(query: Select, page: int = 1, per_page: int = 20) -> dict:
    """Run a select for one page; returns the contract's list envelope with ORM objects as items.

    The total rides along with the page as a window count, so a list costs one query; only a page past the end
    (no rows to carry it) asks for the count on its own.
    """
    per_page = max(1, min(per_page, 100))
    rows = db.session.execute(
        query.add_columns(func.count().over()).limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        total = rows[0][-1]
    elif page > 1:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    else:
        total = 0
    return {"items": [row[0] for row in rows], "page": page, "per_page": per_page, "total": total}
