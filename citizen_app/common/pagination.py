from sqlalchemy import Select, bindparam, func, select

from citizen_app.extensions import db

# Prepared queries (built once, with bound parameters) -> their page and count statements, also built once.
_prepared: dict[Select, tuple[Select, Select]] = {}


def paginate(query: Select, page: int = 1, per_page: int = 20, params: dict | None = None) -> dict:
    """Run a select for one page; returns the contract's list envelope with ORM objects as items.

    The total rides along with the page as a window count, so a list costs one query; only a page past the end
    (no rows to carry it) asks for the count on its own.

    Hot lists pass a query built once with bound parameters, and their values in `params`: SQLAlchemy's statement
    building is then skipped, which on a short list costs more than running it.
    """
    per_page = max(1, min(per_page, 100))
    offset = (page - 1) * per_page
    if params is None:
        paged = query.add_columns(func.count().over()).limit(per_page).offset(offset)
        counted = None
        values = {}
    else:
        if query not in _prepared:
            _prepared[query] = (
                query.add_columns(func.count().over()).limit(bindparam("_limit")).offset(bindparam("_offset")),
                select(func.count()).select_from(query.order_by(None).subquery()),
            )
        paged, counted = _prepared[query]
        values = {**params, "_limit": per_page, "_offset": offset}
    rows = db.session.execute(paged, values).all()
    if rows:
        total = rows[0][-1]
    elif page > 1:
        if counted is None:
            counted = select(func.count()).select_from(query.order_by(None).subquery())
        total = db.session.scalar(counted, params or {})
    else:
        total = 0
    return {"items": [row[0] for row in rows], "page": page, "per_page": per_page, "total": total}
