from citizen_app.audit.models import AuditEntry
from citizen_app.extensions import db
from citizen_app.request_id import current_request_id


def record(actor_id: int | None, action: str, entity_type: str, entity_id, **data) -> None:
    """Add an audit entry to the current transaction; the caller's commit makes it durable with the change."""
    db.session.add(AuditEntry(actor_id=actor_id, action=action, entity_type=entity_type,
                              entity_id=None if entity_id is None else str(entity_id), data=data or None,
                              request_id=current_request_id()))
