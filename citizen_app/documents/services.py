"""Letter requests: the catalogue, requesting at any kelurahan, and the review state machine (API.md, Documents)."""

import secrets
from datetime import date
from functools import cache
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import bindparam, func, select

from citizen_app.audit import services as audit
from citizen_app.audit.services import record
from citizen_app.cities.services import current_city_code
from citizen_app.common import idempotency
from citizen_app.common.reference import Remembered
from citizen_app.common.sql import Prepared, PreparedInsert, write_apart
from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime, utc_iso_text
from citizen_app.documents import messages  # noqa: F401 - registers the Bahasa Indonesia messages
from citizen_app.documents.models import (
    OPEN_STATUSES,
    IssuedLetter,
    LetterRequest,
    LetterType,
    RequestEvent,
    letter_state,
)
from citizen_app.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from citizen_app.extensions import db
from citizen_app.i18n import translate
from citizen_app.identity.actor import identity_row
from citizen_app.identity.models import User
from citizen_app.identity.vault import decrypt_nik
from citizen_app.notifications.events import notify
from citizen_app.regions.models import Kecamatan, Kelurahan

STRING_MAX, TEXT_MAX = 200, 2000
MAX_ID = 2**31 - 1  # INTEGER on PostgreSQL; a bigger id in a URL simply doesn't exist
TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter

# action -> (statuses it may start from, status it leads to, who may do it)
TRANSITIONS = {
    "review": (("submitted",), "in_review", ("clerk",)),
    "request_revision": (("in_review",), "needs_revision", ("clerk",)),
    "resubmit": (("needs_revision",), "submitted", ("owner",)),
    "approve": (("in_review",), "approved", ("clerk",)),
    # A lurah may also turn down what a clerk approved instead of leaving it unsigned.
    "reject": (("submitted", "in_review", "needs_revision", "approved"), "rejected", ("clerk", "lurah")),
    "sign": (("approved",), "signed", ("lurah",)),
    "mark_collected": (("signed",), "collected", ("clerk",)),
    "cancel": (OPEN_STATUSES, "cancelled", ("owner",)),
    "revoke": (("signed", "collected"), None, ("lurah",)),  # the letter is revoked; the request keeps its status
}
NOTE_REQUIRED = {"request_revision", "reject", "revoke"}
NOTIFY = {
    "review": ("document.reviewed", "Permohonan sedang diperiksa",
               "Permohonan {type} ({tracking}) sedang diperiksa petugas Kelurahan {kelurahan}."),
    "request_revision": ("document.revision_requested", "Permohonan perlu diperbaiki",
                         "Permohonan {type} ({tracking}) perlu diperbaiki. Catatan petugas: {note}"),
    "approve": ("document.approved", "Permohonan disetujui",
                "Permohonan {type} ({tracking}) disetujui dan menunggu tanda tangan Lurah."),
    "sign": ("document.signed", "Surat sudah ditandatangani",
             "{type} nomor {number} sudah ditandatangani. Unduh PDF-nya atau ambil di Kelurahan {kelurahan}."),
    "reject": ("document.rejected", "Permohonan ditolak", "Permohonan {type} ({tracking}) ditolak. Alasan: {note}"),
    "revoke": ("document.revoked", "Surat dicabut", "{type} nomor {number} dicabut. Alasan: {note}"),
}


def catalogue_query():
    return (select(LetterType).where(LetterType.city_code == current_city_code(), LetterType.active.is_(True))
            .order_by(LetterType.position, LetterType.code))


_LETTER_TYPE = Prepared(select(LetterType.id, LetterType.code, LetterType.name, LetterType.any_kelurahan,
                               LetterType.fields)
                        .where(LetterType.city_code == bindparam("city"), LetterType.code == bindparam("code"),
                               LetterType.active.is_(True)))


# City-pack rows: a worker keeps what it read for CITY_PACK_RECHECK_SECONDS (common/reference.py).
_letter_type_row = Remembered("letter_type", lambda city, code: _LETTER_TYPE.first({"city": city, "code": code}))
_kelurahan_row = Remembered("kelurahan", lambda code: _KELURAHAN.first({"code": code}))


def _letter_type(code: str):
    """The requested type's id, code, name, any_kelurahan and field definitions."""
    found = _letter_type_row(current_city_code(), code)
    if found is None:
        raise field_error("type_code", "Unknown letter type.")
    return found


def validate_fields(letter_type: LetterType, values: dict) -> dict:
    """The type's own fields, checked against its definition in the city pack."""
    errors, clean = {}, {}
    known = {f["name"]: f for f in letter_type.fields}
    for name in values:
        if name not in known:
            errors[name] = [translate("Unknown field.")]
    for name, spec in known.items():
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec["required"]:
                errors[name] = [translate("Missing data for required field.")]
            continue
        problem, value = _check_value(spec["type"], value)
        if problem:
            errors[name] = [translate(problem)]
        else:
            clean[name] = value
    if errors:
        raise ValidationFailed({"fields": errors})
    return clean


def _check_value(kind: str, value):
    if kind in ("string", "text"):
        limit = STRING_MAX if kind == "string" else TEXT_MAX
        if not isinstance(value, str):
            return "Not a valid string.", None
        value = value.strip()
        if len(value) > limit:
            return f"Longer than maximum length {limit}.", None
        return None, value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return "Not a valid integer.", None
        if not 0 <= value <= 10**12:
            return f"Must be greater than or equal to 0 and less than or equal to {10**12}.", None
        return None, value
    if kind == "date":
        if not isinstance(value, str) or len(value) != 10:
            return "Not a valid date.", None
        try:
            return None, date.fromisoformat(value).isoformat()
        except ValueError:
            return "Not a valid date.", None
    return "Invalid value.", None


def identity_snapshot(user, known=None) -> dict:
    """The identity block printed on the letter, as the profile says now (the NIK stays encrypted). `user` is a
    User or any row with the profile's columns; `known`, a kelurahan row the caller already read (used if it is
    the user's)."""
    if known is not None and known.code == user.kelurahan_code:
        kelurahan = known
    else:
        kelurahan = _kelurahan(user.kelurahan_code) if user.kelurahan_code else None
    return {
        "full_name": user.full_name,
        "nik_encrypted": user.nik_encrypted,
        "nik_masked": user.nik_masked,
        "birth_place": user.birth_place,
        "birth_date": user.birth_date.isoformat() if user.birth_date else None,
        "gender": user.gender,
        "religion": user.religion,
        "marital_status": user.marital_status,
        "occupation": user.occupation,
        "nationality": user.nationality or "WNI",
        "address": user.address,
        "rt": user.rt,
        "rw": user.rw,
        "kelurahan_code": user.kelurahan_code,
        "kelurahan": kelurahan.name if kelurahan else None,
        "kecamatan": kelurahan.kecamatan if kelurahan else None,
    }


_PROFILE = Prepared(select(User.full_name, User.nik_encrypted, User.nik_masked, User.birth_place, User.birth_date,
                           User.gender, User.religion, User.marital_status, User.occupation, User.nationality,
                           User.address, User.rt, User.rw, User.kelurahan_code)
                    .where(User.id == bindparam("id")))

_KELURAHAN = Prepared(select(Kelurahan.code, Kelurahan.name, Kelurahan.city_code, Kecamatan.name.label("kecamatan"))
                      .join(Kecamatan, Kecamatan.code == Kelurahan.kecamatan_code)
                      .where(Kelurahan.code == bindparam("code")))


def _kelurahan(code: str):
    """A kelurahan's code, name, city and kecamatan name, or None."""
    return _kelurahan_row(code)


def identity_plain(snapshot: dict) -> dict:
    """The snapshot with the NIK in clear: for the owner, the serving staff and the printed letter only."""
    plain = {k: v for k, v in snapshot.items() if k not in ("nik_encrypted", "nik_masked")}
    plain["nik"] = decrypt_nik(snapshot["nik_encrypted"]) if snapshot.get("nik_encrypted") else None
    return plain


def _service_kelurahan(code: str):
    kelurahan = _kelurahan(code)
    if kelurahan is None or kelurahan.city_code != current_city_code():
        raise field_error("service_kelurahan_code", "Unknown kelurahan.")
    return kelurahan


def _tracking_code() -> str:
    # 32 letters: each random byte picks one uniformly (256 = 8 × 32), one read of the system's randomness for all.
    return "SK-" + "".join(TRACKING_ALPHABET[b % 32] for b in secrets.token_bytes(8))


_REQUEST_COLUMNS = ("tracking_code", "resident_id", "letter_type_id", "type_code", "home_kelurahan_code",
                    "service_kelurahan_code", "purpose", "fields", "identity", "status", "created_at", "updated_at")
_EVENT_COLUMNS = ("action", "from_status", "to_status", "actor_id", "actor_role", "actor_name", "note", "created_at")
_INSERT_REQUEST = PreparedInsert(LetterRequest.__table__, _REQUEST_COLUMNS)
_INSERT_EVENT = PreparedInsert(RequestEvent.__table__, ("request_id", *_EVENT_COLUMNS))


def create_request(actor: User, data: dict) -> SimpleNamespace:
    """A new request, as its detail. Everything is read, checked and bound before the first write, and the write is
    three prepared INSERTs back to back (request, history, audit; and the Idempotency-Key if one was sent) on a
    connection of their own (write_apart), without the ORM session: on SQLite, writers take turns, and a turn
    lasts from the first write to the commit, so a short one is what lets many residents ask at once. The answer
    is built from the values written."""
    letter_type = _letter_type(data["type_code"])
    kelurahan = _service_kelurahan(data["service_kelurahan_code"])
    if not letter_type.any_kelurahan and kelurahan.code != actor.kelurahan_code:
        raise field_error("service_kelurahan_code", "This letter can only be requested at your home kelurahan.")
    fields = validate_fields(letter_type, data.get("fields") or {})
    with write_apart() as connection:  # the profile, if read, is read on it too: a read takes no write turn
        now = utcnow()
        values = {
            "tracking_code": _tracking_code(), "resident_id": actor.id, "letter_type_id": letter_type.id,
            "type_code": letter_type.code, "home_kelurahan_code": actor.kelurahan_code,
            "service_kelurahan_code": kelurahan.code, "purpose": data["purpose"].strip(), "fields": fields,
            "identity": identity_snapshot(identity_row(_PROFILE, {"id": actor.id}, ("profile", actor.id), connection),
                                          kelurahan),
            "status": "submitted", "created_at": now, "updated_at": now,
        }
        event = {"action": "submit", "from_status": None, "to_status": "submitted", "actor_id": actor.id,
                 "actor_role": actor.role, "actor_name": actor.full_name, "note": None, "created_at": now}
        request_row = _INSERT_REQUEST.bind(values, connection)
        event_row = _INSERT_EVENT.bind({**event, "request_id": None}, connection)
        audit_row = audit.entry(actor.id, "document_request.submit", "letter_request", from_status=None,
                                to_status="submitted", note=None, connection=connection)
        request_id = _INSERT_REQUEST.run(request_row, connection)
        _INSERT_EVENT.run(event_row, connection, request_id=request_id)
        audit.write(audit_row, request_id, connection)
        idempotency.created(LetterRequest, request_id, connection)
    req = SimpleNamespace(id=request_id, **values, letter_type=SimpleNamespace(name=letter_type.name),
                          service_kelurahan=SimpleNamespace(name=kelurahan.name), letter=None,
                          history=[SimpleNamespace(**event)], attachments=[])
    return with_identity(actor, req)


# The columns of a list item: the request's summary, its type's and serving kelurahan's names, and its letter if
# signed. A resident's list is read far more often than anything else in the app, so it is one prepared query whose
# rows become the answer directly (RequestSchema's shape; a test holds the two equal). Its timestamps come as the
# driver gives them and go to text without a datetime in between (utc_iso_text); valid_until is compared with now.
_SUMMARY = (
    LetterRequest.id, LetterRequest.tracking_code, LetterRequest.type_code, LetterType.name, LetterRequest.status,
    LetterRequest.purpose, LetterRequest.resident_id, LetterRequest.home_kelurahan_code,
    LetterRequest.service_kelurahan_code, Kelurahan.name, LetterRequest.created_at, LetterRequest.updated_at,
    IssuedLetter.id, IssuedLetter.number, IssuedLetter.issued_at, IssuedLetter.valid_until,
    IssuedLetter.issuing_kelurahan_code, IssuedLetter.holder_name_masked, IssuedLetter.signer_name,
    IssuedLetter.signer_title, IssuedLetter.signer_nip, IssuedLetter.revoked_at, IssuedLetter.revoke_reason,
    IssuedLetter.qr_text,
)
_AS_TEXT = tuple(_SUMMARY.index(c) for c in (LetterRequest.created_at, LetterRequest.updated_at,
                                              IssuedLetter.issued_at, IssuedLetter.revoked_at))


def list_requests(actor: User, status: str | None, page: int, per_page: int) -> dict:
    """One page of the requests the actor may see, newest first, as JSON-ready dicts."""
    query, per_page, params = _list_query_for(actor, status, per_page, page)
    listing, count, counted, _ = query
    rows = listing.rows(params)
    total = _total(rows[0][-1] if counted and rows else None, len(rows), page, per_page, count, params)
    now = utcnow()
    iso = utc_iso_text(db.session.get_bind().dialect)
    return {"items": [_summary(row, now, iso) for row in rows], "page": page, "per_page": per_page, "total": total}


def list_requests_body(actor: User, status: str | None, page: int, per_page: int) -> bytes:
    """list_requests as its JSON response body. On SQLite the database writes the page's JSON itself, in one
    step: fetching a row is a step that lets go of the GIL and takes it back, and with a worker's threads taking
    turns, twenty of them cost more than the rest of the request (a full page took twice the CPU with two threads
    as with one). Elsewhere (and for a row whose timestamps SQLAlchemy didn't write) the rows are turned into
    JSON here, as list_requests does; the two give the same JSON (tested)."""
    dialect = db.engine.dialect
    if dialect.name == "sqlite":
        (_, count, counted, json_page), per_page, params = _list_query_for(actor, status, per_page, page)
        params["now"] = _stored_text(dialect)(utcnow())
        items, page_total, on_page, odd = json_page.rows(params)[0]
        if not odd:
            total = _total(page_total if counted and on_page else None, on_page, page, per_page, count, params)
            return b'{"items":%s,"page":%d,"per_page":%d,"total":%d}\n' % (items.encode(), page, per_page, total)
    return (current_app.json.dumps(list_requests(actor, status, page, per_page)) + "\n").encode()


def _list_query_for(actor: User, status: str | None, per_page: int, page: int) -> tuple[tuple, int, dict]:
    """The actor's list query, the page size it gets, and the query's parameters."""
    if actor.role == "resident":
        scope, who = "resident", actor.id
    elif actor.role in ("clerk", "lurah"):
        scope, who = "kelurahan", actor.kelurahan_code
    elif actor.role == "city_admin":
        scope, who = "city", None
    else:
        raise Forbidden()
    per_page = max(1, min(per_page, 100))
    params = {"who": who, "status": status, "_limit": per_page, "_offset": (page - 1) * per_page}
    return _list_query(scope, bool(status)), per_page, params


def _total(page_count: int | None, on_page: int, page: int, per_page: int, count: Prepared, params: dict) -> int:
    if page_count is not None:
        return page_count  # the page's own count of the resident's requests
    if on_page < per_page and (on_page or page == 1):
        return (page - 1) * per_page + on_page  # the last page: what came before it and what is on it
    return count.rows(params)[0][0]


def _where(scope: str, by_status: bool) -> list:
    where = []
    if scope == "resident":
        where.append(LetterRequest.resident_id == bindparam("who"))
    elif scope == "kelurahan":
        where.append(LetterRequest.service_kelurahan_code == bindparam("who"))
    if by_status:
        where.append(LetterRequest.status == bindparam("status"))
    return where


def _page(columns, where: list):
    return (select(*columns)
            .join(LetterType, LetterType.id == LetterRequest.letter_type_id)
            .join(Kelurahan, Kelurahan.code == LetterRequest.service_kelurahan_code)
            .outerjoin(IssuedLetter, IssuedLetter.request_id == LetterRequest.id)
            .where(*where).order_by(LetterRequest.id.desc())
            .limit(bindparam("_limit")).offset(bindparam("_offset")))


@cache
def _list_query(scope: str, by_status: bool) -> tuple[Prepared, Prepared, bool, "_JsonPage"]:
    """Built once per shape: the page, the count, whether the page carries the count, and the page as SQLite
    writes it. A resident's page counts their requests in the same statement (an index range of a few dozen
    entries; SQLite and PostgreSQL run the uncorrelated subquery once). A kelurahan's or the city's count may cover
    many thousands, so it is only asked when the page doesn't tell the total (a full page, or one past the end); a
    window count on the page would join and count every request in scope."""
    where = _where(scope, by_status)
    count = select(func.count()).select_from(LetterRequest).where(*where)
    counted = scope == "resident"
    total = (count.scalar_subquery().label("total"),) if counted else ()
    return (Prepared(_page((*_SUMMARY, *total), where), raw=_AS_TEXT), Prepared(count), counted,
            _JsonPage(_page((*_NAMED, *total), where), counted))


# The page as SQLite writes it: the same columns, named, and an item per row in list_requests' shape (keys sorted,
# timestamps as isoformat() writes them, the letter's state as letter_state decides it against :now, given as
# the stored text). `odd` tells of a timestamp in another form than SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff".
_NAMED = tuple(column.label(name) for column, name in zip(_SUMMARY, (
    "id", "tracking_code", "type_code", "type_name", "status", "purpose", "resident_id", "home_kelurahan_code",
    "service_kelurahan_code", "service_kelurahan_name", "created_at", "updated_at", "letter_id", "number",
    "issued_at", "valid_until", "issuing_kelurahan_code", "holder_name_masked", "signer_name", "signer_title",
    "signer_nip", "revoked_at", "revoke_reason", "qr_text"), strict=True))
_STAMPS = ("created_at", "updated_at", "issued_at", "valid_until", "revoked_at")


def _iso_sql(name: str) -> str:
    # isoformat() of the stored "YYYY-MM-DD HH:MM:SS.ffffff": a T for the space, the UTC offset, and no fraction when
    # it is zero. NULL stays NULL. (Two replace() calls cost half what substr() pieces under a CASE did.)
    return f"replace(replace({name}, ' ', 'T') || '+00:00', '.000000+', '+')"


_LETTER_SQL = ("CASE WHEN letter_id IS NULL THEN NULL ELSE json_object("
               "'holder_name_masked', holder_name_masked, 'issued_at', " + _iso_sql("issued_at") + ", "
               "'issuing_kelurahan_code', issuing_kelurahan_code, 'number', number, 'qr_text', qr_text, "
               "'revoke_reason', revoke_reason, 'revoked_at', " + _iso_sql("revoked_at") + ", "
               "'signer_name', signer_name, 'signer_nip', signer_nip, 'signer_title', signer_title, "
               "'status', CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN :now > valid_until THEN 'expired' "
               "ELSE 'valid' END, 'valid_until', " + _iso_sql("valid_until") + ") END")
_ITEM_SQL = ("json_object('created_at', " + _iso_sql("created_at") + ", 'home_kelurahan_code', home_kelurahan_code, "
             "'id', id, 'letter', " + _LETTER_SQL + ", 'purpose', purpose, 'resident_id', resident_id, "
             "'service_kelurahan_code', service_kelurahan_code, 'service_kelurahan_name', service_kelurahan_name, "
             "'status', status, 'tracking_code', tracking_code, 'type_code', type_code, 'type_name', type_name, "
             "'updated_at', " + _iso_sql("updated_at") + ")")
# A NULL timestamp is not odd: its NOT GLOB is NULL, which decides nothing in an OR.
_ODD_SQL = ("max(CASE WHEN " + " OR ".join(f"{name} NOT GLOB '????-??-?? ??:??:??.??????'" for name in _STAMPS)
            + " THEN 1 ELSE 0 END)")


class _JsonPage(Prepared):
    """One row: (the page's items as a JSON array, the page's count of the resident's requests or None, how many
    items, odd). SQLite only; the items come in the page's order (the subquery's ORDER BY and LIMIT keep SQLite
    from flattening it, so the aggregate reads its rows in that order; a test holds it)."""

    __slots__ = ("counted",)

    def __init__(self, statement, counted: bool):
        super().__init__(statement)
        self.counted = counted

    def _for(self, dialect) -> tuple:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            inner = self.statement.compile(dialect=dialect)
            total = "max(total)" if self.counted else "NULL"
            sql = (f"SELECT coalesce(json_group_array({_ITEM_SQL}), '[]'), {total}, count(*), {_ODD_SQL} "  # noqa: S608
                   f"FROM ({inner.string}) AS page")
            # The outer :now comes before the inner statement's parameters; each ? is taken in order.
            names = ("now",) * sql[:sql.index("FROM (")].count(":now") + tuple(inner.positiontup)
            compiled = self._compiled[dialect.name] = (sql.replace(":now", "?"), names, ())
        return compiled


@cache
def _stored_text(dialect):
    """A function from a UTC datetime to the text SQLite stores for a UTCDateTime (to compare with what's stored)."""
    return UTCDateTime().dialect_impl(dialect).bind_processor(dialect)


def _summary(row, now, iso) -> dict:
    (id_, tracking, type_code, type_name, status, purpose, resident_id, home, service, service_name, created,
     updated, letter_id, number, issued_at, valid_until, issuing, holder, signer, title, nip, revoked_at,
     revoke_reason, qr_text) = row[:24]
    letter = None if letter_id is None else {
        "number": number, "status": letter_state(revoked_at, valid_until, now), "issued_at": iso(issued_at),
        "valid_until": valid_until.isoformat(), "issuing_kelurahan_code": issuing, "holder_name_masked": holder,
        "signer_name": signer, "signer_title": title, "signer_nip": nip, "revoked_at": iso(revoked_at),
        "revoke_reason": revoke_reason, "qr_text": qr_text,
    }
    return {"id": id_, "tracking_code": tracking, "type_code": type_code, "type_name": type_name, "status": status,
            "purpose": purpose, "resident_id": resident_id, "home_kelurahan_code": home,
            "service_kelurahan_code": service, "service_kelurahan_name": service_name,
            "created_at": iso(created), "updated_at": iso(updated), "letter": letter}


def find(model, row_id: int):
    return db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None


def get_request(actor: User, request_id: int) -> LetterRequest:
    req = find(LetterRequest, request_id)
    if req is None:
        raise NotFound()
    ensure_can_see(actor, req)
    return req


def get_request_papers(actor: User, request_id: int) -> LetterRequest:
    """The printed letter (whole NIK) and the identity scans: the owner and the serving kelurahan's staff only,
    as API.md says. A city admin oversees requests through the masked detail, not the papers."""
    req = get_request(actor, request_id)
    if actor.role == "city_admin":
        raise Forbidden()
    return req


def request_detail(actor: User, request_id: int) -> LetterRequest:
    return with_identity(actor, get_request(actor, request_id))


def with_identity(actor: User, req: LetterRequest) -> LetterRequest:
    """Attach the identity block as this actor may see it (a city admin gets the masked NIK)."""
    if actor.role == "city_admin":
        req.identity_view = {k: v for k, v in req.identity.items() if k != "nik_encrypted"}
    else:
        req.identity_view = identity_plain(req.identity)
    return req


def ensure_can_see(actor: User, req: LetterRequest) -> None:
    """Owner, staff of the serving (= issuing) kelurahan, or a city admin. Another resident's request is 404."""
    if actor.role == "resident":
        if req.resident_id != actor.id:
            raise NotFound()
    elif actor.role == "city_admin":
        return
    elif actor.role not in ("clerk", "lurah") or actor.kelurahan_code != req.service_kelurahan_code:
        raise Forbidden()


def perform_action(actor: User, request_id: int, data: dict, *, keys_dir: str, base_url: str) -> LetterRequest:
    from citizen_app.documents import issuing

    action = data["action"]
    req = find(LetterRequest, request_id)
    if req is None or (actor.role == "resident" and req.resident_id != actor.id):
        raise NotFound()
    sources, target, who = TRANSITIONS[action]
    if actor.role == "resident" or "owner" in who:
        if "owner" not in who or req.resident_id != actor.id:
            raise Forbidden()
    elif actor.role not in who or actor.kelurahan_code != req.service_kelurahan_code:
        raise Forbidden()
    if req.status not in sources or (action == "revoke" and req.letter.revoked_at is not None):
        raise Conflict("Action {action} is not allowed while the request is {current}.", action=action,
                       current=req.status)
    note = (data.get("note") or "").strip() or None
    if action in NOTE_REQUIRED and not note:
        raise field_error("note", "A note is required for this action.")
    if action != "resubmit" and ({"fields", "purpose"} & data.keys()):
        raise field_error("fields", "Only a resubmission can change the fields or the purpose.")
    previous = req.status
    if action == "sign":
        issuing.sign(actor, req, keys_dir=keys_dir, base_url=base_url)
    elif action == "revoke":
        issuing.revoke(actor, req, note)
    else:
        if action == "resubmit":
            _apply_resubmission(actor, req, data)
        req.status = target
    _log(actor, req, action, previous, req.status, note)
    if action in NOTIFY:
        _notify_resident(req, action, note)
    db.session.commit()
    return with_identity(actor, req)


def _apply_resubmission(actor: User, req: LetterRequest, data: dict) -> None:
    if "fields" in data:
        req.fields = validate_fields(req.letter_type, data["fields"] or {})
    if "purpose" in data:
        req.purpose = data["purpose"].strip()
    # The usual fix is in the profile (a wrong birth place, an old address): take it again.
    req.identity = identity_snapshot(actor)


def _log(actor: User, req: LetterRequest, action: str, from_status: str | None, to_status: str,
         note: str | None) -> None:
    # Through the relationship, so a history already loaded for the response stays true after the commit.
    req.history.append(RequestEvent(action=action, from_status=from_status, to_status=to_status, actor_id=actor.id,
                                    actor_role=actor.role, actor_name=actor.full_name, note=note,
                                    created_at=utcnow()))
    record(actor.id, f"document_request.{action}", "letter_request", req.id, from_status=from_status,
           to_status=to_status, note=note)


def _notify_resident(req: LetterRequest, action: str, note: str | None) -> None:
    event, title, body = NOTIFY[action]
    kelurahan = db.session.get(Kelurahan, req.service_kelurahan_code)
    text = body.format(type=req.letter_type.name, tracking=req.tracking_code, kelurahan=kelurahan.name,
                       note=note or "-", number=req.letter.number if req.letter else "")
    notify([req.resident_id], event, title, text, url=f"/#/letters/{req.id}",
           data={"request_id": req.id, "status": req.status})
