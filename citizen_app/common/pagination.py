from sqlalchemy import Select, bindparam, func, select

from citizen_app.extensions import db

# Prepared queries (built once, with bound parameters) -> their page statement, also built once.
_paged: dict[Select, Select] = {}


def paginate(query: Select, page: int = 1, per_page: int = 20, params: dict | None = None) -> dict:
    """Run a select for one page; returns the contract's list envelope with ORM objects as items.

    The total rides along with the page as a window count, so a list costs one query; only a page past the end
    (no rows to carry it) asks for the count on its own.

    Hot lists pass a query built once with bound parameters, and their values in `params`: its page statement is
    then built once too. SQLAlchemy's statement building costs more than running a short list.
    """
    per_page = max(1, min(per_page, 100))
    paged = _paged.get(query) if params is not None else None
    if paged is None:
        paged = query.add_columns(func.count().over()).limit(bindparam("_limit")).offset(bindparam("_offset"))
        if params is not None:
            _paged[query] = paged
    params = params or {}
    rows = db.session.execute(paged, {**params, "_limit": per_page, "_offset": (page - 1) * per_page}).all()
    if rows:
        total = rows[0][-1]
    elif page > 1:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()), params)
    else:
        total = 0
    return {"items": [row[0] for row in rows], "page": page, "per_page": per_page, "total": total}
