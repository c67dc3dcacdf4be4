"""A letter request's life: requesting at any kelurahan, who may see it, and the review state machine
(API.md, Documents). Every change is one ORM transaction: the request, its history event and its audit entry are
committed together."""

import secrets

from citizen_app.audit.services import record
from citizen_app.cities.services import current_city_code
from citizen_app.common.time import utcnow
from citizen_app.documents import issuing
from citizen_app.documents.catalogue import letter_type as find_letter_type
from citizen_app.documents.catalogue import validate_fields
from citizen_app.documents.identity import find_kelurahan, identity_plain, identity_snapshot
from citizen_app.documents.models import OPEN_STATUSES, LetterRequest, RequestEvent
from citizen_app.errors import Conflict, Forbidden, NotFound, field_error
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.notifications.events import notify
from citizen_app.regions.models import Kelurahan

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


def tracking_code() -> str:
    # 32 letters: each random byte picks one uniformly (256 = 8 × 32).
    return "SK-" + "".join(TRACKING_ALPHABET[b % 32] for b in secrets.token_bytes(8))


def _service_kelurahan(code: str) -> Kelurahan:
    kelurahan = find_kelurahan(code)
    if kelurahan is None or kelurahan.city_code != current_city_code():
        raise field_error("service_kelurahan_code", "Unknown kelurahan.")
    return kelurahan


def create_request(actor: User, data: dict) -> LetterRequest:
    """A new request from the signed-in resident, committed with its first history event and audit entry; returned
    with the identity block the resident may see. Everything is checked before anything is written."""
    letter_type = find_letter_type(data["type_code"])
    kelurahan = _service_kelurahan(data["service_kelurahan_code"])
    if not letter_type.any_kelurahan and kelurahan.code != actor.kelurahan_code:
        raise field_error("service_kelurahan_code", "This letter can only be requested at your home kelurahan.")
    fields = validate_fields(letter_type, data.get("fields") or {})
    now = utcnow()
    req = LetterRequest(
        tracking_code=tracking_code(), resident_id=actor.id, letter_type=letter_type, type_code=letter_type.code,
        home_kelurahan_code=actor.kelurahan_code, service_kelurahan=kelurahan,
        service_kelurahan_code=kelurahan.code, purpose=data["purpose"].strip(), fields=fields,
        identity=identity_snapshot(actor, kelurahan), status="submitted", created_at=now, updated_at=now,
        letter=None, attachments=[],  # new and empty: nothing to load for the answer
        history=[_event(actor, "submit", None, "submitted", None, now)],
    )
    db.session.add(req)
    db.session.flush()  # the request and its event; the id, for the audit entry (and an Idempotency-Key's note)
    _audit(actor, req, "submit", None, "submitted", None)
    db.session.commit()
    return with_identity(actor, req)


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
    """Attach the identity block as this actor may see it (a city admin gets the masked NIK, never the whole)."""
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
    log_event(actor, req, action, previous, req.status, note)
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


def log_event(actor: User, req: LetterRequest, action: str, from_status: str | None, to_status: str,
              note: str | None) -> None:
    """A history event and an audit entry for a flushed request, committed by the caller with the change."""
    # Through the relationship, so a history already loaded for the response stays true after the commit.
    req.history.append(_event(actor, action, from_status, to_status, note, utcnow()))
    _audit(actor, req, action, from_status, to_status, note)


def _event(actor: User, action: str, from_status: str | None, to_status: str, note: str | None,
           when) -> RequestEvent:
    return RequestEvent(action=action, from_status=from_status, to_status=to_status, actor_id=actor.id,
                        actor_role=actor.role, actor_name=actor.full_name, note=note, created_at=when)


def _audit(actor: User, req: LetterRequest, action: str, from_status: str | None, to_status: str,
           note: str | None) -> None:
    record(actor.id, f"document_request.{action}", "letter_request", req.id, from_status=from_status,
           to_status=to_status, note=note)


def _notify_resident(req: LetterRequest, action: str, note: str | None) -> None:
    event, title, body = NOTIFY[action]
    text = body.format(type=req.letter_type.name, tracking=req.tracking_code, kelurahan=req.service_kelurahan.name,
                       note=note or "-", number=req.letter.number if req.letter else "")
    notify([req.resident_id], event, title, text, url=f"/#/letters/{req.id}",
           data={"request_id": req.id, "status": req.status})
