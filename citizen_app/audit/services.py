from sqlalchemy import insert

from citizen_app.audit.models import AuditEntry
from citizen_app.extensions import db
from citizen_app.request_id import current_request_id


def record(actor_id: int | None, action: str, entity_type: str, entity_id, **data) -> None:
    """Write an audit entry in the current transaction; the caller's commit makes it durable with the change.

    An INSERT statement through the session rather than an object added to it: an entry is append-only and never
    read back by the request that writes it, so the unit of work would only add its bookkeeping."""
    db.session.execute(insert(AuditEntry).values(
        actor_id=actor_id, action=action, entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id), data=data or None, request_id=current_request_id()))
