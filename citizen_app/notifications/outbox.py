"""The push outbox's claims and outcomes: how workers share messages and how results are written back.

A claim is a lease (PUSH_LEASE_SECONDS) plus a token; results are written only where the token still matches,
and a message whose lease expired (its worker died) is claimable again: delivery is at-least-once."""

import time
import uuid
from datetime import timedelta

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update

from citizen_app.common.time import utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db
from citizen_app.notifications.models import Notification, OutboxMessage, PushDelivery, PushSubscription
from citizen_app.notifications.settings import setting


def claim_batch(batch_size: int) -> tuple[str, list[int], float]:
    """Claim up to batch_size due messages; returns (token, ids, monotonic deadline to stop sending)."""
    lease = float(setting("PUSH_LEASE_SECONDS"))
    started, now = time.monotonic(), utcnow()
    token = uuid.uuid4().hex
    due = or_(and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
              and_(OutboxMessage.status == "sending", OutboxMessage.locked_until < now))
    oldest = select(OutboxMessage.id).where(due).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    claim = dict(status="sending", locked_until=now + timedelta(seconds=lease), claim_token=token,
                 attempts=OutboxMessage.attempts + 1, updated_at=now)
    try:
        if db.engine.dialect.name == "postgresql":
            # Rows another worker holds are skipped, not waited for: workers share the outbox without overlap.
            ids = db.session.scalars(oldest.limit(batch_size).with_for_update(skip_locked=True)).all()
            if ids:
                db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**claim)
                                   .execution_options(synchronize_session=False))
        else:
            # SQLite has one writer at a time: the UPDATE … WHERE id IN (SELECT …) is the claim.
            db.session.execute(update(OutboxMessage)
                               .where(OutboxMessage.id.in_(oldest.limit(batch_size).scalar_subquery()))
                               .values(**claim).execution_options(synchronize_session=False))
            ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.claim_token == token)).all()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    timeout = float(setting("PUSH_TIMEOUT_SECONDS"))
    deadline = started + lease - timeout - 1.0
    return token, list(ids), deadline


def record_outcomes(token: str, records: list[dict], pruned_ids: list[int], updates: list[dict]) -> None:
    if records:
        db.session.execute(insert(PushDelivery), records)
    if pruned_ids:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(pruned_ids)))
    table = OutboxMessage.__table__
    finals: dict[tuple, list[int]] = {}
    retries = []
    for row in updates:
        if row["b_status"] == "pending":
            retries.append(row)
        else:
            finals.setdefault((row["b_status"], row["b_error"]), []).append(row["b_id"])
    for (status, error), ids in finals.items():  # most of a batch: one statement, not one per message
        db.session.execute(update(table).where(table.c.id.in_(ids), table.c.claim_token == token)
                           .values(status=status, last_error=error, locked_until=None, claim_token=None,
                                   updated_at=utcnow()))
    if retries:
        stmt = (update(table)
                .where(table.c.id == bindparam("b_id"), table.c.claim_token == token)
                .values(status="pending", attempts=bindparam("b_attempts"),
                        next_attempt_at=bindparam("b_next", type_=UTCDateTime()),
                        last_error=bindparam("b_error"), locked_until=None, claim_token=None,
                        updated_at=utcnow()))
        db.session.execute(stmt, retries)
    db.session.commit()


def classify(status_code: int | None, exhausted: bool) -> str:
    if status_code is not None and 200 <= status_code < 300:
        return "delivered"
    if status_code in (404, 410):  # the browser unsubscribed or the endpoint expired
        return "pruned"
    if status_code is None or status_code == 429 or status_code >= 500:  # timeout, refused, busy, broken
        return "failed" if exhausted else "retry"
    return "failed"  # 400, 401, 403, 413: sending the same thing again cannot help


def delivery_record(message: OutboxMessage, note: Notification, subscription_id: int | None, outcome: str,
            code: int | None, error: str | None) -> dict:
    return {"outbox_id": message.id, "subscription_id": subscription_id, "broadcast_id": note.broadcast_id,
            "outcome": outcome, "status_code": code, "error": (error or None) and error[:255],
            "attempt": message.attempts, "created_at": utcnow()}


def final_update(message: OutboxMessage, status: str, error: str | None) -> dict:
    return {"b_id": message.id, "b_status": status, "b_error": error and error[:255]}


def retry_update(message: OutboxMessage, when, error: str, attempts: int) -> dict:
    return {"b_id": message.id, "b_status": "pending", "b_attempts": max(0, attempts), "b_next": when,
            "b_error": error[:255]}
