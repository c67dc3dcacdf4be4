"""The push worker: claims due outbox messages, sends them to every device of the user, records the outcomes.

Delivery is at-least-once. A claim is a lease (PUSH_LEASE_SECONDS); a worker that dies mid-batch leaves its
messages 'sending' until the lease runs out, then any worker claims them again. Outcomes are committed once per
batch, so the duplicate window is the batch that was in flight when the process died: pushes already accepted
by the push service but not yet recorded are sent again (devices already recorded as delivered are skipped).
A worker stops sending from a claim before its lease can run out, so live workers never overlap on a message.
"""

import json
import logging
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update

from citizen_app.common.time import city_tz, utcnow
from citizen_app.common.types import UTCDateTime
from citizen_app.extensions import db
from citizen_app.notifications import vapid, webpush
from citizen_app.notifications.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    PushDelivery,
    PushSubscription,
)
from citizen_app.notifications.preferences import quiet_until
from citizen_app.notifications.settings import setting

log = logging.getLogger(__name__)
FINAL_OUTCOMES = ("delivered", "pruned", "failed")
COUNTERS = {"delivered": "delivered", "pruned": "pruned", "failed": "failed", "retry": "retried"}
PAYLOAD_BODY_LIMIT = 1000  # push services take ~4 KB of ciphertext; leave room for title and url


@dataclass
class Job:
    message_id: int
    broadcast_id: int | None
    subscription: PushSubscription
    info: dict
    payload: bytes
    ttl: int
    urgency: str


@dataclass
class BatchReport:
    claimed: int = 0
    delivered: int = 0
    pruned: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    errors: list = field(default_factory=list)

    def add(self, other: "BatchReport") -> None:
        for name in ("claimed", "delivered", "pruned", "retried", "failed", "skipped", "deferred"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


def payload_for(note: Notification) -> bytes:
    # The service worker shows title/body, opens url, and marks `id` read; `tag` collapses pushes on one screen.
    body = note.body if len(note.body) <= PAYLOAD_BODY_LIMIT else note.body[:PAYLOAD_BODY_LIMIT - 1] + "…"
    return json.dumps({"title": note.title, "body": body, "url": note.url, "tag": note.url or note.event,
                       "id": note.id}, ensure_ascii=False).encode()


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter (half fixed, half random) so a recovering push service isn't stampeded."""
    base = float(setting("PUSH_BACKOFF_SECONDS")) * 2 ** max(0, attempt - 1)
    delay = min(float(setting("PUSH_BACKOFF_MAX_SECONDS")), base)
    delay = delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not security
    return max(delay, retry_after or 0.0)


class PushWorker:
    def __init__(self, concurrency: int | None = None, batch_size: int | None = None):
        self.concurrency = concurrency or int(setting("PUSH_CONCURRENCY"))
        self.batch_size = batch_size or int(setting("PUSH_BATCH_SIZE"))
        self.executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="push")

    def close(self) -> None:
        self.executor.shutdown(wait=True)

    # -- claiming -------------------------------------------------------------------------------------------
    def claim(self) -> tuple[str, list[int], float]:
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
                ids = db.session.scalars(oldest.limit(self.batch_size).with_for_update(skip_locked=True)).all()
                if ids:
                    db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**claim)
                                       .execution_options(synchronize_session=False))
            else:
                # SQLite has one writer at a time: the UPDATE … WHERE id IN (SELECT …) is the claim.
                db.session.execute(update(OutboxMessage)
                                   .where(OutboxMessage.id.in_(oldest.limit(self.batch_size).scalar_subquery()))
                                   .values(**claim).execution_options(synchronize_session=False))
                ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.claim_token == token)).all()
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        timeout = float(setting("PUSH_TIMEOUT_SECONDS"))
        deadline = started + lease - timeout - 1.0
        return token, list(ids), deadline

    # -- one batch ------------------------------------------------------------------------------------------
    def run_once(self) -> BatchReport:
        """Claim and process one batch. Never raises: a failure is logged and the lease brings the batch back."""
        report = BatchReport()
        try:
            token, ids, deadline = self.claim()
            report.claimed = len(ids)
            if ids:
                self._process(token, ids, deadline, report)
        except Exception as exc:  # noqa: BLE001 - the loop must survive anything; the outbox keeps the work
            log.exception("push batch failed; its messages return when the lease expires")
            db.session.rollback()
            report.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            db.session.remove()
        return report

    def drain(self, max_batches: int | None = None) -> BatchReport:
        total, batches = BatchReport(), 0
        while max_batches is None or batches < max_batches:
            report = self.run_once()
            total.add(report)
            batches += 1
            if report.claimed == 0 or report.errors:
                break
        return total

    def run_forever(self, stop: threading.Event) -> None:
        poll = float(setting("PUSH_POLL_SECONDS"))
        log.info("push worker started (concurrency %s, batch %s)", self.concurrency, self.batch_size)
        while not stop.is_set():
            report = self.run_once()
            if report.claimed < self.batch_size:
                stop.wait(poll)
        log.info("push worker stopped")

    def _process(self, token: str, ids: list[int], deadline: float, report: BatchReport) -> None:
        now = utcnow()
        rows = db.session.execute(select(OutboxMessage, Notification)
                                  .join(Notification, Notification.id == OutboxMessage.notification_id)
                                  .where(OutboxMessage.id.in_(ids))).all()
        user_ids = {note.user_id for _, note in rows}
        prefs = {p.user_id: p for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids)))}
        devices: dict[int, list[PushSubscription]] = {}
        for sub in db.session.scalars(select(PushSubscription).where(PushSubscription.user_id.in_(user_ids))
                                      .order_by(PushSubscription.id)):
            devices.setdefault(sub.user_id, []).append(sub)
        earlier = db.session.execute(select(PushDelivery.outbox_id, PushDelivery.subscription_id, PushDelivery.outcome)
                                     .where(PushDelivery.outbox_id.in_(ids),
                                            PushDelivery.outcome.in_(FINAL_OUTCOMES))).all()
        finished = {(mid, sid) for mid, sid, _ in earlier}
        delivered_before = {mid for mid, _, outcome in earlier if outcome == "delivered"}
        tz = city_tz()
        # read here, in the app context; the sending threads only read these attributes
        self.vapid, self.subject = vapid.server_vapid(), vapid.subject()
        self.timeout = float(setting("PUSH_TIMEOUT_SECONDS"))
        ttl, ttl_high = int(setting("PUSH_TTL_SECONDS")), int(setting("PUSH_TTL_HIGH_SECONDS"))

        updates, records, expired, jobs = [], [], [], []
        for message, note in rows:
            pref = prefs.get(note.user_id)
            urgent = note.urgency == "high" or note.topic == "brigade"
            if pref and note.topic in (pref.muted_topics or []) and note.topic != "brigade":
                updates.append(_final(message, "skipped", "muted"))
                report.skipped += 1
                continue
            until = None if urgent or pref is None else quiet_until(pref.quiet_start, pref.quiet_end, now, tz)
            if until is not None:
                updates.append(_retry(message, until, "quiet hours", attempts=message.attempts - 1))
                report.deferred += 1
                continue
            targets = []
            for sub in devices.get(note.user_id, []):
                if (message.id, sub.id) in finished:
                    continue
                if sub.expires_at is not None and sub.expires_at <= now:
                    expired.append(sub)
                    records.append(_record(message, note, sub.id, "pruned", None, "subscription expired"))
                    continue
                targets.append(sub)
            if not targets:
                if not devices.get(note.user_id):
                    updates.append(_final(message, "skipped", "no subscription"))
                    report.skipped += 1
                else:
                    updates.append(_final(message, "done", None))
                continue
            payload = payload_for(note)
            for sub in targets:
                jobs.append(Job(message.id, note.broadcast_id, sub, sub.as_webpush_info(), payload,
                                ttl_high if urgent else ttl, "high" if urgent else note.urgency))

        results = list(self.executor.map(lambda job: self._send(job, deadline), jobs)) if jobs else []
        by_message: dict[int, list] = {}
        for job, result in zip(jobs, results, strict=True):
            by_message.setdefault(job.message_id, []).append((job, result))
        pruned_ids = [sub.id for sub in expired]
        max_attempts = int(setting("PUSH_MAX_ATTEMPTS"))
        for message, note in rows:
            if message.id not in by_message:
                continue
            exhausted = message.attempts >= max_attempts
            retry_errors, retry_after, unsent = [], 0.0, False
            delivered, failed_errors = message.id in delivered_before, []
            for job, result in by_message[message.id]:
                if result is None:
                    unsent = True
                    continue
                outcome = classify(result.status_code, exhausted)
                counter = COUNTERS[outcome]
                setattr(report, counter, getattr(report, counter) + 1)
                if outcome == "delivered":
                    delivered = True
                elif outcome == "pruned":
                    pruned_ids.append(job.subscription.id)
                elif outcome == "retry":
                    retry_errors.append(result.error or str(result.status_code))
                    retry_after = max(retry_after, result.retry_after or 0.0)
                else:
                    failed_errors.append(result.error or str(result.status_code))
                records.append(_record(message, note, job.subscription.id, outcome, result.status_code,
                                       result.error))
            if retry_errors:
                when = now + timedelta(seconds=backoff_seconds(message.attempts, retry_after))
                updates.append(_retry(message, when, retry_errors[0], attempts=message.attempts))
            elif unsent:  # stopped before the lease ran out: not an attempt, send at once on the next claim
                updates.append(_retry(message, now, "lease ran out", attempts=message.attempts - 1))
            elif delivered:
                updates.append(_final(message, "done", None))
            else:
                updates.append(_final(message, "failed", (failed_errors or ["every device was gone"])[0]))
        self._record(token, records, pruned_ids, updates)

    def _send(self, job: Job, deadline: float):
        if time.monotonic() > deadline:
            return None  # the lease could run out mid-request; leave it for the next claim
        return webpush.send(job.info, job.payload, vapid=self.vapid, subject=self.subject, ttl=job.ttl,
                            urgency=job.urgency, timeout=self.timeout)

    def _record(self, token: str, records: list[dict], pruned_ids: list[int], updates: list[dict]) -> None:
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


def _record(message: OutboxMessage, note: Notification, subscription_id: int | None, outcome: str,
            code: int | None, error: str | None) -> dict:
    return {"outbox_id": message.id, "subscription_id": subscription_id, "broadcast_id": note.broadcast_id,
            "outcome": outcome, "status_code": code, "error": (error or None) and error[:255],
            "attempt": message.attempts, "created_at": utcnow()}


def _final(message: OutboxMessage, status: str, error: str | None) -> dict:
    return {"b_id": message.id, "b_status": status, "b_error": error and error[:255]}


def _retry(message: OutboxMessage, when, error: str, attempts: int) -> dict:
    return {"b_id": message.id, "b_status": "pending", "b_attempts": max(0, attempts), "b_next": when,
            "b_error": error[:255]}
