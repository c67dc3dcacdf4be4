"""Permit use cases: search and read (anyone), create/edit/retire/restore and history (permit admins)."""

import re
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from citizen_app.audit.services import record
from citizen_app.cities.services import current_city_code
from citizen_app.common.pagination import paginate
from citizen_app.common.time import utcnow
from citizen_app.errors import Conflict, NotFound, ValidationFailed, field_error
from citizen_app.extensions import db
from citizen_app.i18n import register_messages
from citizen_app.identity.models import User
from citizen_app.identity.permissions import require_role
from citizen_app.permits import catalog
from citizen_app.permits.models import Permit, PermitVersion
from citizen_app.permits.search import MAX_QUERY_CHARS
from citizen_app.permits.versions import apply_change, blank_fields, clean_content, defaults, diff

ADMIN_ROLES = ("permit_admin", "city_admin")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

register_messages({
    "A permit with this slug already exists.": "Izin dengan slug ini sudah ada.",
    "This permit is retired; restore it first.": "Izin ini sudah tidak berlaku; pulihkan terlebih dahulu.",
    "This permit is already retired.": "Izin ini sudah tidak berlaku.",
    "This permit is not retired.": "Izin ini masih berlaku.",
    "Someone saved version {current} meanwhile; reload and try again.":
        "Orang lain telah menyimpan versi {current}; muat ulang lalu coba lagi.",
    "The permit changed at the same time; reload and try again.":
        "Izin ini diubah pada saat yang sama; muat ulang lalu coba lagi.",
    "Must not be blank.": "Tidak boleh kosong.",
    "Must not contain control characters.": "Tidak boleh berisi karakter kontrol.",
    "At most {max} characters.": "Paling banyak {max} karakter.",
})


def is_admin(actor: User | None) -> bool:
    # With optional auth and no token, current_actor() is a proxy to None, not None itself.
    return getattr(actor, "role", None) in ADMIN_ROLES


def search_permits(q: str, sector: str | None, page: int, per_page: int, *, snap=None) -> dict:
    if len(q) > MAX_QUERY_CHARS:
        raise field_error("q", "At most {max} characters.", max=MAX_QUERY_CHARS)
    snap = snap or catalog.snapshot()
    allowed = snap.by_sector.get(catalog.sector_key(sector), set()) if sector else None
    hits = snap.index.search(q, allowed)
    start = (page - 1) * per_page
    items = [catalog.result_item(h) for h in hits[start:start + per_page]]
    return {"items": items, "page": page, "per_page": per_page, "total": len(hits)}


def list_sectors() -> dict:
    return {"items": catalog.snapshot().sectors}


def catalog_payload() -> catalog.CatalogPayload:
    return catalog.snapshot().payload(current_city_code())


def _find(slug: str, *, lock: bool = False) -> Permit:
    # A malformed slug can't exist; checking first also keeps NUL bytes and the like away from the database.
    if not (len(slug) <= 80 and SLUG.match(slug)):
        raise NotFound()
    query = select(Permit).where(Permit.city_code == current_city_code(), Permit.slug == slug)
    permit = db.session.scalar(query.with_for_update() if lock else query)
    if permit is None:
        raise NotFound()
    return permit


def get_permit(actor: User | None, slug: str) -> Permit:
    permit = _find(slug)
    if permit.status != "active" and not is_admin(actor):
        raise NotFound()
    return permit


@contextmanager
def _committed(conflict: str = "The permit changed at the same time; reload and try again."):
    """Write and commit; a uniqueness clash (a concurrent writer got there first) is a 409, not a 500."""
    try:
        yield
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(conflict) from exc


def create_permit(actor: User, data: dict) -> Permit:
    require_role(actor, *ADMIN_ROLES)
    content = {**defaults(), **clean_content(data)}
    _refuse_blank(content)
    city_code = current_city_code()
    exists = db.session.scalar(select(Permit.id).where(Permit.city_code == city_code, Permit.slug == data["slug"]))
    if exists is not None:
        raise Conflict("A permit with this slug already exists.")
    permit = Permit(city_code=city_code, slug=data["slug"], status="active")
    with _committed("A permit with this slug already exists."):
        apply_change(permit, diff({}, content), "created", "admin", actor.id)
        record(actor.id, "permit.created", "permit", permit.id, slug=permit.slug)
        catalog.bump(city_code)
    return permit


def update_permit(actor: User, slug: str, data: dict) -> Permit:
    require_role(actor, *ADMIN_ROLES)
    permit = _find(slug, lock=True)
    expected = data.pop("expected_version", None)
    if expected is not None and expected != permit.version:
        raise Conflict("Someone saved version {current} meanwhile; reload and try again.", current=permit.version)
    if permit.status != "active":
        raise Conflict("This permit is retired; restore it first.")
    content = clean_content(data)
    _refuse_blank(content)
    changes = diff(permit.content(), content)
    if not changes:
        db.session.rollback()
        return permit
    with _committed():
        apply_change(permit, changes, "updated", "admin", actor.id)
        record(actor.id, "permit.updated", "permit", permit.id, slug=slug, fields=sorted(changes))
        catalog.bump(permit.city_code)
    return permit


def retire_permit(actor: User, slug: str) -> None:
    require_role(actor, *ADMIN_ROLES)
    permit = _find(slug, lock=True)
    if permit.status == "retired":
        raise Conflict("This permit is already retired.")
    _set_status(actor, permit, "retired")


def restore_permit(actor: User, slug: str) -> Permit:
    require_role(actor, *ADMIN_ROLES)
    permit = _find(slug, lock=True)
    if permit.status == "active":
        raise Conflict("This permit is not retired.")
    _set_status(actor, permit, "active")
    return permit


def _set_status(actor: User, permit: Permit, status: str) -> None:
    change = {"status": {"from": permit.status, "to": status}}
    action = "retired" if status == "retired" else "restored"
    with _committed():
        permit.status = status
        permit.retired_at = utcnow() if status == "retired" else None
        apply_change(permit, {}, action, "admin", actor.id, extra_changes=change)
        record(actor.id, f"permit.{action}", "permit", permit.id, slug=permit.slug)
        catalog.bump(permit.city_code)


def permit_history(actor: User, slug: str, page: int, per_page: int) -> dict:
    require_role(actor, *ADMIN_ROLES)
    permit = _find(slug)
    query = select(PermitVersion).where(PermitVersion.permit_id == permit.id).order_by(PermitVersion.version.desc())
    return paginate(query, page, per_page)


def _refuse_blank(content: dict) -> None:
    blank = blank_fields(content)
    if blank:
        raise ValidationFailed({key: ["Must not be blank."] for key in blank})
