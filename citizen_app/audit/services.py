from flask import g, has_request_context
from sqlalchemy import insert

from citizen_app.audit.models import AuditEntry
from citizen_app.extensions import db

_INSERT = insert(AuditEntry.__table__)


def record(actor_id: int | None, action: str, entity_type: str, entity_id, **data) -> None:
    """Write an audit entry in the current transaction; the caller's commit makes it durable with the change.

    A plain INSERT, not an ORM object: every write of the app makes one, and an entry is never read back in the
    request that makes it, so the unit of work would only add its bookkeeping to the write."""
    request_id = getattr(g, "request_id", None) if has_request_context() else None
    db.session.connection().execute(_INSERT, {
        "actor_id": actor_id, "action": action, "entity_type": entity_type, "entity_id": str(entity_id),
        "data": data or None, "request_id": request_id,
    })
