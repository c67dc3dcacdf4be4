"""The request list: one page of the requests an actor may see, newest first. Its JSON is RequestPageSchema's."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from citizen_app.documents.models import LetterRequest
from citizen_app.errors import Forbidden
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.regions.models import Kelurahan

MAX_PER_PAGE = 100

# What RequestSchema reads of a request besides its own columns, loaded in the page's statement.
_ITEM_LOADS = (
    joinedload(LetterRequest.letter_type),
    joinedload(LetterRequest.service_kelurahan).options(lazyload(Kelurahan.kecamatan)),  # only its name is listed
    joinedload(LetterRequest.letter),
)


def _scope(actor: User) -> tuple[str, list]:
    """Residents see their own requests, a kelurahan's staff what it serves, a city admin the city's; others 403."""
    if actor.role == "resident":
        return "resident", [LetterRequest.resident_id == actor.id]
    if actor.role in ("clerk", "lurah"):
        return "kelurahan", [LetterRequest.service_kelurahan_code == actor.kelurahan_code]
    if actor.role == "city_admin":
        return "city", []
    raise Forbidden()


def list_requests(actor: User, status: str | None, page: int, per_page: int) -> dict:
    """{"items": [LetterRequest], "page", "per_page", "total"} with per_page clamped to 1..100.

    A resident has a few dozen requests at most: the total is a scalar subquery of the page's own statement, one
    round trip. A kelurahan's or the city's count may cover many thousands of rows, so it is asked on its own only
    when the page doesn't tell it (a full page, or one past the end)."""
    scope, where = _scope(actor)
    if status:
        where.append(LetterRequest.status == status)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    count = select(func.count()).select_from(LetterRequest).where(*where)
    counted = scope == "resident"
    extra = (count.scalar_subquery().label("total"),) if counted else ()
    statement = (select(LetterRequest, *extra).options(*_ITEM_LOADS).where(*where)
                 .order_by(LetterRequest.id.desc()).limit(per_page).offset((page - 1) * per_page))
    rows = db.session.execute(statement).all()
    items = [row[0] for row in rows]
    if counted and rows:
        total = rows[0].total
    elif len(items) < per_page and (items or page == 1):
        total = (page - 1) * per_page + len(items)  # the last page: what came before it and what is on it
    else:
        total = db.session.scalar(count)
    return {"items": items, "page": page, "per_page": per_page, "total": total}
