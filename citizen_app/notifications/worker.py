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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from citizen_app.cities.services import city_tz
from citizen_app.common.time import utcnow
from citizen_app.extensions import db
from citizen_app.notifications import outbox, vapid, webpush
from citizen_app.notifications.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    PushDelivery,
    PushSubscription,
)
from citizen_app.notifications.outbox import classify, delivery_record, final_update, retry_update
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
        return outbox.claim_batch(self.batch_size)

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

    def run_forever(self, stop: threading.Event, between: Callable[[], None] | None = None) -> None:
        """Send until `stop` is set; `between`, if given, is called at the top of every turn (citizen_app.jobs
        runs its timed jobs there). It must not raise."""
        poll = float(setting("PUSH_POLL_SECONDS"))
        log.info("push worker started (concurrency %s, batch %s)", self.concurrency, self.batch_size)
        while not stop.is_set():
            if between is not None:
                between()
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
                updates.append(final_update(message, "skipped", "muted"))
                report.skipped += 1
                continue
            until = None if urgent or pref is None else quiet_until(pref.quiet_start, pref.quiet_end, now, tz)
            if until is not None:
                updates.append(retry_update(message, until, "quiet hours", attempts=message.attempts - 1))
                report.deferred += 1
                continue
            targets = []
            for sub in devices.get(note.user_id, []):
                if (message.id, sub.id) in finished:
                    continue
                if sub.expires_at is not None and sub.expires_at <= now:
                    expired.append(sub)
                    records.append(delivery_record(message, note, sub.id, "pruned", None, "subscription expired"))
                    continue
                targets.append(sub)
            if not targets:
                if message.id in delivered_before:  # a re-claim after every device already answered
                    updates.append(final_update(message, "done", None))
                elif all(sub.expires_at is not None and sub.expires_at <= now
                         for sub in devices.get(note.user_id, [])):
                    updates.append(final_update(message, "skipped", "no subscription"))
                    report.skipped += 1
                else:
                    updates.append(final_update(message, "failed", "every device was gone"))
                continue
            payload = payload_for(note)
            for sub in targets:
                jobs.append(Job(message.id, note.broadcast_id, sub, sub.as_webpush_info(), payload,
                                ttl_high if urgent else ttl, "high" if urgent else note.urgency))

        db.session.commit()  # no transaction is held while the push services answer (on SQLite it holds the writers)
        results = list(self.executor.map(lambda job: self._send(job, deadline), jobs)) if jobs else []
        by_message: dict[int, list] = {}
        for job, result in zip(jobs, results, strict=True):
            by_message.setdefault(job.message_id, []).append((job, result))
        pruned_ids = [sub.id for sub in expired]
        max_attempts = int(setting("PUSH_MAX_ATTEMPTS"))
        for message, note in rows:
            if message.id in by_message:
                self._settle(message, note, by_message[message.id], message.id in delivered_before,
                             message.attempts >= max_attempts, now, (records, pruned_ids, updates), report)
        self._record(token, records, pruned_ids, updates)

    @staticmethod
    def _settle(message, note, outcomes, delivered, exhausted, now, sinks, report) -> None:
        """Turn the push services' answers for one message into delivery records and its next state."""
        records, pruned_ids, updates = sinks
        retry_errors, retry_after, unsent, failed_errors = [], 0.0, False, []
        for job, result in outcomes:
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
            records.append(delivery_record(message, note, job.subscription.id, outcome, result.status_code,
                                   result.error))
        if retry_errors:
            when = now + timedelta(seconds=backoff_seconds(message.attempts, retry_after))
            updates.append(retry_update(message, when, retry_errors[0], attempts=message.attempts))
        elif unsent:  # stopped before the lease ran out: not an attempt, send at once on the next claim
            updates.append(retry_update(message, now, "lease ran out", attempts=message.attempts - 1))
        elif delivered:
            updates.append(final_update(message, "done", None))
        else:
            updates.append(final_update(message, "failed", (failed_errors or ["every device was gone"])[0]))

    def _send(self, job: Job, deadline: float):
        if time.monotonic() > deadline:
            return None  # the lease could run out mid-request; leave it for the next claim
        return webpush.send(job.info, job.payload, vapid=self.vapid, subject=self.subject, ttl=job.ttl,
                            urgency=job.urgency, timeout=self.timeout)

    def _record(self, token: str, records: list[dict], pruned_ids: list[int], updates: list[dict]) -> None:
        outbox.record_outcomes(token, records, pruned_ids, updates)
