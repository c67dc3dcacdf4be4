"""Requirement photos and scans: sniffed by content, size-limited, stored outside static files under random names,
readable only by the owner and the serving kelurahan's staff."""

import hashlib
import os
import re
import secrets
from pathlib import Path

from citizen_app.audit.services import record
from citizen_app.documents.models import OPEN_STATUSES, Attachment, LetterRequest
from citizen_app.documents.workflow import find, get_request, get_request_papers
from citizen_app.errors import Conflict, Forbidden, NotFound, TooLarge, UnsupportedMediaType, field_error
from citizen_app.extensions import db
from citizen_app.identity.models import User

MAX_PER_REQUEST = 10
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
              (b"%PDF-", "application/pdf", ".pdf"))
EXTENSIONS = {mime: ext for _magic, mime, ext in SIGNATURES}


def sniff(head: bytes) -> str | None:
    for magic, mime, _ext in SIGNATURES:
        if head.startswith(magic):
            return mime
    return None


def _directory(uploads_dir: str) -> Path:
    path = Path(uploads_dir) / "letters"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def add(actor: User, request_id: int, upload, *, max_bytes: int, uploads_dir: str) -> Attachment:
    req = get_request(actor, request_id)
    if actor.role == "city_admin":
        raise Forbidden()  # admins may look, not add to a resident's file
    if req.status not in OPEN_STATUSES:
        raise Conflict("Attachments can only be added while the request is open.")
    if upload is None:
        raise field_error("file", "A file is required.")
    body = upload.stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise TooLarge("The file is larger than {limit} MB.", limit=round(max_bytes / 1024 / 1024, 1))
    mime = sniff(body[:16])
    if mime is None:
        raise UnsupportedMediaType("Only JPEG, PNG or PDF files are accepted.")
    if len(req.attachments) >= MAX_PER_REQUEST:
        raise field_error("file", "Too many attachments (at most {limit}).", limit=MAX_PER_REQUEST)
    stored_name = secrets.token_hex(16)
    path = _directory(uploads_dir) / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(body)
    attachment = Attachment(request_id=req.id, uploaded_by=actor.id, original_name=(upload.filename or "")[:255],
                            stored_name=stored_name, content_type=mime, size=len(body),
                            sha256=hashlib.sha256(body).hexdigest())
    db.session.add(attachment)
    try:
        db.session.flush()
        record(actor.id, "document_request.attach", "letter_request", req.id, attachment_id=attachment.id,
               content_type=mime, size=len(body))
        db.session.commit()
    except Exception:
        db.session.rollback()
        path.unlink(missing_ok=True)  # no row, no orphan file
        raise
    return attachment


def listing(actor: User, request_id: int) -> list[Attachment]:
    return get_request_papers(actor, request_id).attachments


def read(actor: User, request_id: int, attachment_id: int, *, uploads_dir: str) -> tuple[Attachment, bytes]:
    req: LetterRequest = get_request_papers(actor, request_id)
    found = find(Attachment, attachment_id)
    if found is None or found.request_id != req.id:
        raise NotFound()
    try:
        return found, (_directory(uploads_dir) / found.stored_name).read_bytes()
    except FileNotFoundError:
        raise NotFound() from None


def safe_filename(attachment: Attachment) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(attachment.original_name or "").stem)[:60].strip("._") or "lampiran"
    return f"{stem}-{attachment.id}{EXTENSIONS.get(attachment.content_type, '')}"
