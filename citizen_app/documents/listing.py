"""The request list: one page of the requests an actor may see, newest first. Its JSON is RequestPageSchema's."""

from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, load_only

from citizen_app.documents.models import IssuedLetter, LetterRequest, LetterType
from citizen_app.errors import Forbidden
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.regions.models import Kelurahan

MAX_PER_PAGE = 100

# What RequestSchema reads of a request, loaded in the page's statement and nothing more (a list item carries no
# identity block or fields; anything else read from an item is a bug, so it raises instead of querying).
_ITEM_LOADS = (
    load_only(LetterRequest.id, LetterRequest.tracking_code, LetterRequest.type_code, LetterRequest.status,
              LetterRequest.purpose, LetterRequest.resident_id, LetterRequest.home_kelurahan_code,
              LetterRequest.service_kelurahan_code, LetterRequest.created_at, LetterRequest.updated_at,
              raiseload=True),
    joinedload(LetterRequest.letter_type).load_only(LetterType.name, raiseload=True),
    joinedload(LetterRequest.service_kelurahan).load_only(Kelurahan.name, raiseload=True),
    joinedload(LetterRequest.letter).load_only(
        IssuedLetter.number, IssuedLetter.issued_at, IssuedLetter.valid_until, IssuedLetter.issuing_kelurahan_code,
        IssuedLetter.holder_name_masked, IssuedLetter.signer_name, IssuedLetter.signer_title, IssuedLetter.signer_nip,
        IssuedLetter.revoked_at, IssuedLetter.revoke_reason, IssuedLetter.qr_text, raiseload=True),
)
_SCOPES = {
    "resident": [LetterRequest.resident_id == bindparam("who")],
    "kelurahan": [LetterRequest.service_kelurahan_code == bindparam("who")],
    "city": [],
}


@cache
def _statements(scope: str, by_status: bool):
    """The page and the count for a scope, built once: building a statement with its loader options costs more
    than running it (SQLAlchemy caches the compiled SQL, not the construct). Values go in as bound parameters."""
    where = [*_SCOPES[scope], *([LetterRequest.status == bindparam("status")] if by_status else [])]
    count = select(func.count()).select_from(LetterRequest).where(*where)
    # A resident has a few dozen requests at most: the total rides in the page's own statement, one round trip.
    total = (count.scalar_subquery().label("total"),) if scope == "resident" else ()
    page = (select(LetterRequest, *total).options(*_ITEM_LOADS).where(*where).order_by(LetterRequest.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))
    return page, count


def _scope(actor: User) -> tuple[str, object]:
    """Residents see their own requests, a kelurahan's staff what it serves, a city admin the city's; others 403."""
    if actor.role == "resident":
        return "resident", actor.id
    if actor.role in ("clerk", "lurah"):
        return "kelurahan", actor.kelurahan_code
    if actor.role == "city_admin":
        return "city", None
    raise Forbidden()


def list_requests(actor: User, status: str | None, page: int, per_page: int) -> dict:
    """{"items": [LetterRequest], "page", "per_page", "total"} with per_page clamped to 1..100.

    A kelurahan's or the city's count may cover many thousands of rows, so it is asked on its own only when the
    page doesn't tell it (a full page, or one past the end)."""
    scope, who = _scope(actor)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page_statement, count = _statements(scope, bool(status))
    params = {"who": who, "status": status}
    rows = db.session.execute(page_statement, {**params, "limit": per_page, "offset": (page - 1) * per_page}).all()
    items = [row[0] for row in rows]
    if scope == "resident" and rows:
        total = rows[0].total
    elif len(items) < per_page and (items or page == 1):
        total = (page - 1) * per_page + len(items)  # the last page: what came before it and what is on it
    else:
        total = db.session.scalar(count, params)
    return {"items": items, "page": page, "per_page": per_page, "total": total}
