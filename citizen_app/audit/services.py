from flask import g, has_request_context

from citizen_app.audit.models import AuditEntry
from citizen_app.extensions import db


def record(actor_id: int | None, action: str, entity_type: str, entity_id, **data) -> AuditEntry:
    """Add an audit entry to the current transaction; the caller's commit makes it durable with the change."""
    request_id = getattr(g, "request_id", None) if has_request_context() else None
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        data=data or None,
        request_id=request_id,
    )
    db.session.add(entry)
    return entry
