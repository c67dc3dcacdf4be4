from citizen_app.audit.models import AuditEntry
from citizen_app.common.sql import PreparedInsert
from citizen_app.common.time import utcnow
from citizen_app.http import current_request_id

_INSERT = PreparedInsert(AuditEntry.__table__,
                         ("actor_id", "action", "entity_type", "entity_id", "data", "request_id", "created_at"))


def entry(actor_id: int | None, action: str, entity_type: str, entity_id=None, *, connection=None, **data) -> dict:
    """An audit entry bound for `write()`: the busiest writes bind everything before their first INSERT."""
    request_id = current_request_id()
    return _INSERT.bind({
        "actor_id": actor_id, "action": action, "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id), "data": data or None, "request_id": request_id,
        "created_at": utcnow(),
    }, connection)


def write(bound: dict, entity_id=None, connection=None) -> None:
    """Insert an `entry()` in the current transaction (or `connection`'s, a write_apart()), with the entity's id if
    it was not known when bound."""
    if entity_id is None:
        _INSERT.run(bound, connection)
    else:
        _INSERT.run(bound, connection, entity_id=str(entity_id))


def record(actor_id: int | None, action: str, entity_type: str, entity_id, **data) -> None:
    """Write an audit entry in the current transaction; the caller's commit makes it durable with the change.

    A plain INSERT, not an ORM object: every write of the app makes one, and an entry is never read back in the
    request that makes it, so the unit of work would only add its bookkeeping to the write."""
    write(entry(actor_id, action, entity_type, entity_id, **data))
